/**
 * batch/v1beta1 <-> v1 CronJob: the two versions are field-for-field the
 * same, so conversion only changes `apiVersion` (the Scheme stamps it).
 */
import type { Conversion } from '../../scheme/types';

const identity = (obj: Record<string, unknown>): Record<string, unknown> => obj;

export const CRONJOB_CONVERSIONS: Conversion[] = [
  { group: 'batch', kind: 'CronJob', from: 'v1beta1', to: 'v1', convert: identity },
  { group: 'batch', kind: 'CronJob', from: 'v1', to: 'v1beta1', convert: identity },
];
