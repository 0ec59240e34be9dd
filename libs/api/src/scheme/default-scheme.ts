/**
 * The Scheme holding the built-in resources and the conversions of the
 * retired versions Logbook still serves (batch/v1beta1 CronJob,
 * networking.k8s.io/v1beta1 Ingress; both stored as v1).
 */
import { CRONJOB_CONVERSIONS } from '../batch/v1beta1/conversion';
import { INGRESS_CONVERSIONS } from '../networking/v1beta1/conversion';
import { BUILTIN_RESOURCES } from './builtin-resources';
import { Scheme } from './scheme';
import type { Conversion } from './types';

export const BUILTIN_CONVERSIONS: readonly Conversion[] = [...CRONJOB_CONVERSIONS, ...INGRESS_CONVERSIONS];

/** A fresh Scheme with the built-ins (for tests, or an isolated apiserver). */
export function createDefaultScheme(): Scheme {
  return new Scheme([...BUILTIN_RESOURCES], [...BUILTIN_CONVERSIONS]);
}

/** The process-wide Scheme: built-ins plus whatever CRDs register. */
export const defaultScheme: Scheme = createDefaultScheme();
