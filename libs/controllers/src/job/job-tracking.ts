/**
 * Counting a Job's pods exactly once (kube's job tracking with finalizers).
 *
 * Every pod a Job creates carries the `batch.kubernetes.io/job-tracking`
 * finalizer, so it cannot vanish before it was counted. A pod that has
 * finished (or, for failures, is being deleted) is counted in two steps:
 *
 * 1. its uid goes into `status.uncountedTerminatedPods` (succeeded or
 *    failed), and that status is written;
 * 2. its finalizer is removed; once that succeeded the uid leaves the
 *    uncounted list and `status.succeeded` / `status.failed` grows by one.
 *
 * A crash between the steps loses nothing: a pod without a finalizer whose
 * uid is still listed is counted on the next sync; a pod with a finalizer
 * that is listed is not listed twice. So `succeeded` counts each pod once,
 * even if the pod is deleted right after it finished — the choice kube
 * made over counting pods that happen to exist.
 *
 * Pure functions of the Job, its pods and the time.
 */
import type { Job, JobCondition, Pod } from '@logbook/api';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';

/** At most this many uids wait in uncountedTerminatedPods; the rest wait for the next sync (kube's MaxUncountedPods). */
export const MAX_UNCOUNTED_PODS = 500;

/** At most this many pods are created or deleted in one sync (kube's MaxPodCreateDeletePerSync). */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;

export const hasTrackingFinalizer = (pod: Pod): boolean => (pod.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);

/** Failed pods only are replaced: `podReplacementPolicy: Failed` (or a pod failure policy). */
export const onlyReplaceFailedPods = (job: Job): boolean => job.spec?.podReplacementPolicy === 'Failed' || job.spec?.podFailurePolicy != null;

/**
 * A pod that counts as failed: phase Failed, or — unless only failed pods
 * are replaced — deleted before it succeeded (an orphan or evicted pod may
 * never reach Failed).
 */
export function isPodFailed(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded';
}

/** Being deleted but not finished yet (kube's CountTerminatingPods). */
export const isPodTerminatingNotFinished = (pod: Pod): boolean =>
  !!pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';

/** The uids in status.uncountedTerminatedPods, as sets. */
export interface UncountedPods {
  succeeded: Set<string>;
  failed: Set<string>;
}

export function uncountedOf(job: Job): UncountedPods {
  const u = job.status?.uncountedTerminatedPods;
  return { succeeded: new Set(u?.succeeded ?? []), failed: new Set(u?.failed ?? []) };
}

/**
 * Finished pods not yet accounted for anywhere (kube's getNewFinishedPods):
 * they still have the finalizer, are not in the uncounted lists, and no
 * finalizer removal of ours is pending for them.
 */
export function newFinishedPods(job: Job, pods: readonly Pod[], uncounted: UncountedPods, pendingRemovals: ReadonlySet<string>): { succeeded: Pod[]; failed: Pod[] } {
  const fresh = (p: Pod, listed: Set<string>) => hasTrackingFinalizer(p) && !listed.has(uid(p)) && !pendingRemovals.has(uid(p));
  return {
    succeeded: pods.filter((p) => fresh(p, uncounted.succeeded) && p.status?.phase === 'Succeeded'),
    failed: pods.filter((p) => fresh(p, uncounted.failed) && isPodFailed(p, job)),
  };
}

const uid = (p: Pod) => p.metadata?.uid ?? '';

/**
 * With restartPolicy OnFailure failed containers restart in place and no
 * pod fails: kube then counts the restarts of the pods still running or
 * pending against backoffLimit (kube's pastBackoffLimitOnFailure).
 */
export function pastBackoffLimitOnFailure(job: Job, pods: readonly Pod[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const c of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += c.restartCount ?? 0;
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

const suspended = (job: Job) => job.spec?.suspend === true;

/** Milliseconds the Job may still be active, if it has activeDeadlineSeconds and started (not while suspended). */
export function msUntilActiveDeadline(job: Job, now: number): number | undefined {
  const deadline = job.spec?.activeDeadlineSeconds;
  const start = job.status?.startTime ? Date.parse(job.status.startTime) : NaN;
  if (deadline == null || Number.isNaN(start) || suspended(job)) return undefined;
  return start + deadline * 1000 - now;
}

/**
 * How many pods should be active (kube's manageJob): never more than
 * parallelism nor than the completions still needed. Without completions
 * any success ends the Job: then whatever runs is left to finish.
 */
export function wantActive(job: Job, succeeded: number, active: number): number {
  const parallelism = job.spec?.parallelism ?? 1;
  const completions = job.spec?.completions;
  if (completions == null) return succeeded > 0 ? active : parallelism;
  return Math.max(0, Math.min(completions - succeeded, parallelism));
}

/** Whether the Job has all it needs: its completions (or, without completions, one success), with nothing still active. */
export function isComplete(job: Job, succeeded: number, active: number): boolean {
  const completions = job.spec?.completions;
  if (completions == null) return succeeded > 0 && active === 0;
  return succeeded >= completions && active === 0;
}

/**
 * Moves the uncounted uids whose pods no longer carry the finalizer into
 * the counters (kube's cleanUncountedPodsWithoutFinalizers); changes
 * `status` in place and returns whether it changed.
 */
export function countUncountedWithoutFinalizer(status: NonNullable<Job['status']>, uidsWithFinalizer: ReadonlySet<string>): boolean {
  const u = (status.uncountedTerminatedPods ??= {});
  let changed = false;
  const keepSucceeded = (u.succeeded ?? []).filter((id) => uidsWithFinalizer.has(id));
  if (keepSucceeded.length !== (u.succeeded ?? []).length) {
    status.succeeded = (status.succeeded ?? 0) + (u.succeeded ?? []).length - keepSucceeded.length;
    u.succeeded = keepSucceeded;
    changed = true;
  }
  const keepFailed = (u.failed ?? []).filter((id) => uidsWithFinalizer.has(id));
  if (keepFailed.length !== (u.failed ?? []).length) {
    status.failed = (status.failed ?? 0) + (u.failed ?? []).length - keepFailed.length;
    u.failed = keepFailed;
    changed = true;
  }
  return changed;
}

export interface TrackingPlan {
  /** Pods whose finalizer can go now (finished, or the Job is over). */
  removeFinalizer: Pod[];
  /** Uids to add to uncountedTerminatedPods before the finalizers go. */
  addSucceeded: string[];
  addFailed: string[];
  /** The cap of uncounted uids was reached: the rest waits for the next sync. */
  reachedMax: boolean;
}

/**
 * Which pods to count and release this sync (the first half of kube's
 * trackJobStatusAndRemoveFinalizers). A pod's finalizer may go when it
 * succeeded, when it counts as failed, or when the Job is being deleted or
 * is finishing; when the Job is failing, every pod not succeeded counts as
 * failed.
 */
export function planTracking(
  job: Job,
  pods: readonly Pod[],
  finishing: JobCondition | undefined,
  uncounted: UncountedPods,
  pendingRemovals: ReadonlySet<string>,
): TrackingPlan {
  const plan: TrackingPlan = { removeFinalizer: [], addSucceeded: [], addFailed: [], reachedMax: false };
  const listed = uncounted.succeeded.size + uncounted.failed.size;
  const failing = finishing !== undefined && finishing.type !== 'SuccessCriteriaMet' && finishing.type !== 'Complete';
  for (const pod of pods) {
    const id = uid(pod);
    if (!hasTrackingFinalizer(pod) || pendingRemovals.has(id)) continue; // dealt with in an earlier sync
    const failed = isPodFailed(pod, job);
    const canRemove = !!job.metadata?.deletionTimestamp || finishing !== undefined || pod.status?.phase === 'Succeeded' || failed;
    if (!canRemove) continue;
    plan.removeFinalizer.push(pod);
    if (pod.status?.phase === 'Succeeded' && !uncounted.failed.has(id)) {
      if (!uncounted.succeeded.has(id)) plan.addSucceeded.push(id);
    } else if ((failed || failing) && !uncounted.failed.has(id)) {
      plan.addFailed.push(id);
    }
    if (listed + plan.addSucceeded.length + plan.addFailed.length >= MAX_UNCOUNTED_PODS) {
      plan.reachedMax = true;
      break;
    }
  }
  return plan;
}

/**
 * When a pod finished (kube's getFinishedTime): when it stopped being
 * Ready, else when its containers last finished, else when it was deleted
 * (the deletion timestamp minus the grace period: the time of the request),
 * else when it was created.
 */
export function podFinishedTime(pod: Pod): number {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const readyFalse = ready?.status === 'False' && ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : NaN;
  if (!Number.isNaN(readyFalse)) return readyFalse;
  let latest: number | undefined;
  for (const c of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const t = c.state?.terminated?.finishedAt ? Date.parse(c.state.terminated.finishedAt) : NaN;
    if (!Number.isNaN(t) && (latest === undefined || t > latest)) latest = t;
  }
  if (latest !== undefined) return latest;
  const deleted = pod.metadata?.deletionTimestamp ? Date.parse(pod.metadata.deletionTimestamp) : NaN;
  if (!Number.isNaN(deleted)) return deleted - (pod.metadata?.deletionGracePeriodSeconds ?? 0) * 1000;
  return Date.parse(String(pod.metadata?.creationTimestamp ?? '')) || 0;
}
