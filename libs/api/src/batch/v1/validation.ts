/**
 * batch/v1 cross-field validation (pkg/apis/batch/validation): Job
 * templates that run to completion, CronJob schedules (parsed with
 * cron-parser), and what a Job update may not change.
 */
import { CronExpressionParser } from 'cron-parser';
import { FieldError, immutable, invalid, notSupported, required } from '../../validation/field-error';
import { semanticEqual } from '../../validation/equality';
import { immutableSelector } from '../../validation/object-meta';
import { goLabelSelector, isValidLabelSelector, labelSelectorMatches } from '../../validation/selector';
import { validatePodSpec } from '../../core/v1/validation/pod.validation';
import { CONCURRENCY_POLICIES } from './types';

type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_PARALLELISM_FOR_INDEXED_JOB = 100000;

/** validateJobSpec: the part shared by Jobs and CronJob job templates (`path` is `spec` or `spec.jobTemplate.spec`). */
export function validateJobSpec(spec: unknown, path: string): FieldError[] {
  const s: Obj = isObj(spec) ? spec : {};
  const errs: FieldError[] = [];
  if (s.completionMode === 'Indexed') {
    if (s.completions == null) errs.push(required(`${path}.completions`, 'when completion mode is Indexed'));
    if (typeof s.parallelism === 'number' && s.parallelism > MAX_PARALLELISM_FOR_INDEXED_JOB)
      errs.push(invalid(`${path}.parallelism`, s.parallelism, `must be less than or equal to ${MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed`));
  }
  if (s.backoffLimitPerIndex != null && s.completionMode !== 'Indexed')
    errs.push(invalid(`${path}.backoffLimitPerIndex`, s.backoffLimitPerIndex, 'requires indexed completion mode'));
  if (!isObj(s.template)) return [...errs, required(`${path}.template`, '')];
  errs.push(...validatePodSpec(s.template.spec, `${path}.template.spec`));
  const restartPolicy = s.template.spec?.restartPolicy;
  if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never')
    errs.push(notSupported(`${path}.template.spec.restartPolicy`, restartPolicy ?? '', ['OnFailure', 'Never']));
  return errs;
}

/**
 * ValidateJob's selector rules. A Job without `manualSelector: true` gets its
 * selector from the apiserver (`prepareJobForCreate`), so a missing one is
 * only an error for manual selectors.
 */
export function validateJobSelector(spec: unknown): FieldError[] {
  const s: Obj = isObj(spec) ? spec : {};
  if (!isObj(s.selector)) return s.manualSelector === true ? [required('spec.selector', '')] : [];
  if (!isValidLabelSelector(s.selector)) return [invalid('spec.selector', goLabelSelector(s.selector), 'invalid label selector')];
  const labels = s.template?.metadata?.labels;
  if (!labelSelectorMatches(s.selector, labels))
    return [invalid('spec.template.metadata.labels', labels ?? {}, '`selector` does not match template `labels`')];
  return [];
}

/** validateJobSpecUpdate: template, selector, completion mode and policies are fixed once created. */
export function validateJobSpecUpdate(spec: Obj | undefined, old: Obj | undefined): FieldError[] {
  const s = spec ?? {};
  const o = old ?? {};
  const errs: FieldError[] = [];
  if (!(s.completionMode === 'Indexed' && s.completions === s.parallelism) && !semanticEqual(s.completions, o.completions))
    errs.push(immutable('spec.completions', s.completions ?? null));
  errs.push(...immutableSelector(s.selector, o.selector, 'spec.selector'));
  if (!semanticEqual(s.template, o.template)) {
    const suspendedNeverStarted = o.suspend === true;
    const schedulingOnly = (t: Obj | undefined) => {
      const c = structuredClone(t ?? {});
      if (c.spec) for (const k of ['nodeSelector', 'affinity', 'tolerations', 'schedulingGates']) delete c.spec[k];
      if (c.metadata) for (const k of ['labels', 'annotations']) delete c.metadata[k];
      return c;
    };
    if (!suspendedNeverStarted || !semanticEqual(schedulingOnly(s.template), schedulingOnly(o.template)))
      errs.push(immutable('spec.template', s.template));
  }
  for (const f of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy'])
    if (!semanticEqual(s[f], o[f])) errs.push(immutable(`spec.${f}`, s[f] ?? null));
  return errs;
}

/** Why a standard 5-field cron schedule does not parse, or undefined when it does. */
export function cronScheduleError(schedule: string): string | undefined {
  const trimmed = schedule.trim();
  if (!trimmed.startsWith('@')) {
    const fields = trimmed.split(/\s+/).filter(Boolean);
    if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: ${schedule}`;
  } else if (!['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'].includes(trimmed) && !/^@every\s/.test(trimmed)) {
    return `unrecognized descriptor: ${trimmed}`;
  }
  if (/^@every\s/.test(trimmed)) return /^@every\s+(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(trimmed) ? undefined : `failed to parse duration ${trimmed}`;
  try {
    CronExpressionParser.parse(trimmed, { strict: false });
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export function validateCronJobSpec(spec: unknown): FieldError[] {
  const s: Obj = isObj(spec) ? spec : {};
  const errs: FieldError[] = [];
  if (!s.schedule) errs.push(required('spec.schedule', ''));
  else {
    const schedule = String(s.schedule);
    const err = cronScheduleError(schedule);
    if (err) errs.push(invalid('spec.schedule', schedule, err));
    if (schedule.includes('TZ')) errs.push(invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  if (s.concurrencyPolicy !== undefined && !CONCURRENCY_POLICIES.includes(s.concurrencyPolicy))
    errs.push(s.concurrencyPolicy === '' ? required('spec.concurrencyPolicy', '') : notSupported('spec.concurrencyPolicy', s.concurrencyPolicy, CONCURRENCY_POLICIES));
  if (s.timeZone !== undefined && s.timeZone !== null) {
    const tz = String(s.timeZone);
    let known = tz !== '' && !/^\s|\s$/.test(tz);
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
    } catch {
      known = false;
    }
    if (!known) errs.push(invalid('spec.timeZone', tz, 'unknown time zone ' + tz));
  }
  const jobSpec = s.jobTemplate?.spec;
  errs.push(...validateJobSpec(jobSpec, 'spec.jobTemplate.spec'));
  if (isObj(jobSpec?.selector)) errs.push(invalid('spec.jobTemplate.spec.selector', jobSpec.selector, '`selector` will be auto-generated'));
  if (jobSpec?.manualSelector === true) errs.push(notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  return errs;
}

/** ValidateCronJobCreate: the name leaves room for the job suffix. */
export function validateCronJobName(name: unknown): FieldError[] {
  return typeof name === 'string' && name.length > 52 ? [invalid('metadata.name', name, 'must be no more than 52 characters')] : [];
}
