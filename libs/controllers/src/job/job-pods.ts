/**
 * Creating and deleting a Job's pods (kube's manageJob, deleteJobPods,
 * deleteActivePods).
 */
import type { Job, Pod } from '@logbook/api';
import { isConflict, isForbidden, isNotFound } from '@logbook/machinery';
import { kinds, ReconcileContext } from '@logbook/sdk';
import { compareForDeletion, ControllerExpectations, controllerRefFor, isPodReady, podFromTemplate, podNamePrefix, slowStartBatch } from '../shared';
import { remainingBackoff } from './job-backoff';
import { podKey } from './job-expectations';
import type { JobSyncState } from './job-sync';
import { hasTrackingFinalizer, JOB_TRACKING_FINALIZER, MAX_POD_CREATE_DELETE_PER_SYNC, onlyReplaceFailedPods, wantActive } from './job-tracking';

export interface ManageJobDeps {
  expectations: ControllerExpectations;
  backoffBaseMs: number;
  backoffMaxMs: number;
  requeueAfter(ms: number): void;
}

/** The apiserver refuses new objects in a namespace being deleted: creating then is pointless, not an error. */
const namespaceTerminating = (err: unknown) => isForbidden(err) && /being terminated/.test((err as Error).message);

/**
 * Brings the number of active pods toward what the Job wants (see
 * `wantActive`), updating `state.active`, `ready` and `terminating`:
 *
 * - suspended: delete every active pod;
 * - too many (parallelism lowered): delete the extra ones, least advanced
 *   first (unscheduled, pending, not ready, newest);
 * - too few: once the failure back-off has passed, create the missing
 *   ones in slow-start batches — named `<job>-<random>`, with the
 *   template's labels (the Job's selector labels among them) and the
 *   tracking finalizer. With `podReplacementPolicy: Failed`, pods still
 *   terminating count as present.
 *
 * Deletions and creations are expected before they are made, so the next
 * sync waits until the cache has seen them. Returns the first error.
 */
export async function manageJob(state: JobSyncState, activePods: readonly Pod[], ctx: ReconcileContext, deps: ManageJobDeps): Promise<unknown> {
  const { job, key } = state;
  if (job.spec?.suspend) {
    return deleteJobPods(state, activePods, ctx, deps.expectations);
  }
  const want = wantActive(job, state.succeeded, state.active);
  const extra = Math.max(0, state.active - want);
  if (extra > 0) {
    const victims = [...activePods].sort((a, b) => compareForDeletion(a, b)).slice(0, Math.min(extra, MAX_POD_CREATE_DELETE_PER_SYNC));
    ctx.log.log(`job ${key}: too many pods running (want ${want}), deleting ${victims.length}`);
    return deleteJobPods(state, victims, ctx, deps.expectations);
  }

  const stillTerminating = onlyReplaceFailedPods(job) ? state.terminating : 0;
  let diff = want - stillTerminating - state.active;
  if (diff <= 0) return undefined;
  const wait = remainingBackoff(state.backoff, state.now, deps.backoffBaseMs, deps.backoffMaxMs);
  if (wait > 0) {
    deps.requeueAfter(wait);
    return undefined;
  }
  diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
  const template = structuredClone(job.spec?.template ?? {});
  const meta = (template.metadata ??= {});
  if (!(meta.finalizers ?? []).includes(JOB_TRACKING_FINALIZER)) meta.finalizers = [...(meta.finalizers ?? []), JOB_TRACKING_FINALIZER];
  const ref = controllerRefFor(job);
  const namespace = job.metadata!.namespace!;
  deps.expectations.expectCreations(key, diff);
  ctx.log.log(`job ${key}: too few pods running (want ${want}, have ${state.active}), creating ${diff}`);
  const { successes, error } = await slowStartBatch(diff, async () => {
    try {
      const pod = podFromTemplate(template, namespace, ref, { generateName: podNamePrefix(job.metadata!.name!) });
      const created = await ctx.client.create(kinds.Pod, pod);
      void ctx.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
    } catch (err) {
      if (namespaceTerminating(err)) return;
      void ctx.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      throw err;
    }
  });
  for (let i = successes; i < diff; i++) deps.expectations.creationObserved(key); // never to be observed
  state.active += successes;
  return error;
}

/**
 * Deletes pods the Job no longer wants (suspend, lowered parallelism):
 * their finalizer goes first, since such pods are not failures and are
 * not counted.
 */
async function deleteJobPods(state: JobSyncState, pods: readonly Pod[], ctx: ReconcileContext, expectations: ControllerExpectations): Promise<unknown> {
  if (pods.length === 0) return undefined;
  expectations.expectDeletions(state.key, pods.map(podKey));
  let firstError: unknown;
  await Promise.all(
    pods.map(async (pod) => {
      try {
        await removeTrackingFinalizer(pod, ctx);
        await ctx.client.delete(kinds.Pod, { namespace: pod.metadata?.namespace, name: pod.metadata!.name! }, { preconditions: { uid: pod.metadata?.uid } });
        void ctx.recorder.event(state.job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata?.name}`);
        state.active--;
        state.terminating++;
        if (isPodReady(pod)) state.ready--;
      } catch (err) {
        expectations.deletionObserved(state.key, podKey(pod)); // will never be observed
        if (isNotFound(err) || isConflict(err)) {
          state.active--;
          if (isPodReady(pod)) state.ready--;
          return;
        }
        void ctx.recorder.event(state.job, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
        firstError ??= err;
      }
    }),
  );
  return firstError;
}

/**
 * Deletes the active pods of a Job that failed, keeping their finalizers:
 * they are counted as failed, then released. Returns how many (and how
 * many Ready ones) are gone or going.
 */
export async function deleteActivePods(job: Job, pods: readonly Pod[], ctx: ReconcileContext): Promise<{ deleted: number; deletedReady: number; error?: unknown }> {
  let deleted = 0;
  let deletedReady = 0;
  let error: unknown;
  await Promise.all(
    pods.map(async (pod) => {
      try {
        await ctx.client.delete(kinds.Pod, { namespace: pod.metadata?.namespace, name: pod.metadata!.name! }, { preconditions: { uid: pod.metadata?.uid } });
        void ctx.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata?.name}`);
      } catch (err) {
        if (!isNotFound(err)) {
          error ??= err;
          return;
        }
      }
      deleted++;
      if (isPodReady(pod)) deletedReady++;
    }),
  );
  return { deleted, deletedReady, error };
}

/** Removes the tracking finalizer (a strategic merge patch that touches nothing else). */
export async function removeTrackingFinalizer(pod: Pod, ctx: ReconcileContext): Promise<void> {
  if (!hasTrackingFinalizer(pod)) return;
  try {
    await ctx.client.patch(
      kinds.Pod,
      { namespace: pod.metadata?.namespace, name: pod.metadata!.name! },
      { metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] } },
      { type: 'strategic' },
    );
  } catch (err) {
    if (!isNotFound(err)) throw err; // gone: nothing holds it
  }
}
