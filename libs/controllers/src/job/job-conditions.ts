/**
 * Job conditions as kube's job controller writes them: Suspended,
 * SuccessCriteriaMet then Complete, FailureTarget then Failed.
 *
 * Since 1.31 (JobManagedBy / JobPodReplacementPolicy on) a Job that has
 * met its success or failure criteria first gets the interim condition
 * (SuccessCriteriaMet, FailureTarget); the terminal one (Complete, Failed)
 * follows once no pod of it is still terminating and every finished pod
 * is counted, so that "Complete" means "nothing of it runs any more".
 */
import type { Job, JobCondition } from '@logbook/api';

export type JobConditionType = 'Suspended' | 'Complete' | 'Failed' | 'FailureTarget' | 'SuccessCriteriaMet';

/** Reasons kube sets on Failed / FailureTarget. */
export const JOB_REASON_BACKOFF_LIMIT_EXCEEDED = 'BackoffLimitExceeded';
export const JOB_REASON_DEADLINE_EXCEEDED = 'DeadlineExceeded';
export const JOB_REASON_COMPLETIONS_REACHED = 'CompletionsReached';

/** Times as the API writes them: RFC 3339, whole seconds. */
export const apiTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function newCondition(type: JobConditionType, status: JobCondition['status'], reason: string, message: string, now: number): JobCondition {
  const t = apiTime(now);
  const c: JobCondition = { type, status, lastProbeTime: t, lastTransitionTime: t };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

export function findCondition(conditions: readonly JobCondition[] | undefined, type: JobConditionType): JobCondition | undefined {
  return (conditions ?? []).find((c) => c.type === type);
}

const isTrue = (job: Job, type: JobConditionType) => findCondition(job.status?.conditions, type)?.status === 'True';

/** Complete or Failed is True: nothing more will happen to the Job. */
export const isJobFinished = (job: Job): boolean => isTrue(job, 'Complete') || isTrue(job, 'Failed');

/** The SuccessCriteriaMet condition, if True. */
export const successCriteriaMet = (job: Job): JobCondition | undefined => (isTrue(job, 'SuccessCriteriaMet') ? findCondition(job.status?.conditions, 'SuccessCriteriaMet') : undefined);

/** The FailureTarget condition, if True. */
export const failureTarget = (job: Job): JobCondition | undefined => (isTrue(job, 'FailureTarget') ? findCondition(job.status?.conditions, 'FailureTarget') : undefined);

/**
 * Sets a condition's status, reason and message (kube's
 * ensureJobConditionStatus): a change replaces it with fresh times; a
 * condition that does not exist is not added as False (nothing to say).
 * Returns the new list and whether it changed; the list is not modified.
 */
export function ensureCondition(
  conditions: readonly JobCondition[] | undefined,
  type: JobConditionType,
  status: JobCondition['status'],
  reason: string,
  message: string,
  now: number,
): [JobCondition[], boolean] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = list[i];
    if (c.status !== status || (c.reason ?? '') !== reason || (c.message ?? '') !== message) {
      list[i] = newCondition(type, status, reason, message, now);
      return [list, true];
    }
    return [list, false];
  }
  if (status !== 'False') return [[...list, newCondition(type, status, reason, message, now)], true];
  return [list, false];
}
