import type { Job, JobCondition, Pod } from '@logbook/api';
import { isNotFound, LabelSelector, labelSelectorFromSpec } from '@logbook/machinery';
import { Clock, CONTROLLER_UID_INDEX, InformerFactory, kinds, realClock, ReconcileContext, Request, Result } from '@logbook/sdk';
import { claimObjects, filterActivePods, isPodReady, recheckOwner } from '../shared';
import { BackoffRecord, DEFAULT_POD_FAILURE_BACKOFF_MS, MAX_POD_FAILURE_BACKOFF_MS, nextBackoffRecord, NO_FAILURES } from './job-backoff';
import {
  ensureCondition,
  failureTarget,
  isJobFinished,
  JOB_REASON_BACKOFF_LIMIT_EXCEEDED,
  JOB_REASON_COMPLETIONS_REACHED,
  JOB_REASON_DEADLINE_EXCEEDED,
  newCondition,
  successCriteriaMet,
} from './job-conditions';
import { JobExpectations } from './job-expectations';
import { manageJob, removeTrackingFinalizer, deleteActivePods } from './job-pods';
import {
  countUncountedWithoutFinalizer,
  hasTrackingFinalizer,
  isComplete,
  isPodTerminatingNotFinished,
  JOB_TRACKING_FINALIZER,
  msUntilActiveDeadline,
  newFinishedPods,
  pastBackoffLimitOnFailure,
  planTracking,
  UncountedPods,
  uncountedOf,
} from './job-tracking';

/** `spec.managedBy` of Jobs this controller syncs (others belong to an external controller). */
export const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';

export interface JobControllerOptions {
  /** What "now" is (start times, deadlines, back-off). Default: the wall clock. */
  clock?: Clock;
  /** First delay before replacing failed pods; doubles per failure since the last success. Default 10 s (kube). */
  podFailureBackoffMs?: number;
  /** Cap of that delay. Default 6 min (kube). */
  maxPodFailureBackoffMs?: number;
  /** How long unobserved creations/deletions hold the Job back at most. Default 5 min (kube). */
  expectationsTtlMs?: number;
}

export const JOB_CONTROLLER_OPTIONS = Symbol.for('logbook.controllers.job.options');

/** One sync's view of a Job (kube's syncJobCtx). */
export interface JobSyncState {
  key: string;
  /** The working copy: status changes go here; replaced by what each status write returns. */
  job: Job;
  /** Every pod the Job controls, in any phase. */
  pods: Pod[];
  active: number;
  ready: number;
  terminating: number;
  succeeded: number;
  failed: number;
  /** The uncounted uids as the sync found them. */
  uncounted: UncountedPods;
  pendingRemovals: ReadonlySet<string>;
  /** Success or failure reached this sync (kube's finishedCondition). */
  finishing?: JobCondition;
  backoff: BackoffRecord;
  now: number;
  /** Smallest wait asked for (ms): the active deadline, the failure back-off. */
  requeueAfter?: number;
}

/**
 * The Job controller's sync (kube's syncJob), level-based:
 *
 * 1. the Job from the cache (gone: release its pods' finalizers); skip
 *    Jobs managed elsewhere, finished ones, and while the cache has not
 *    caught up with our own last status write;
 * 2. claim its pods (owned, and matching orphans: adopted with the
 *    tracking finalizer), count active / ready / terminating and the
 *    newly finished ones;
 * 3. decide whether it failed (backoffLimit: failed pods, or container
 *    restarts with OnFailure; activeDeadlineSeconds) — then delete its
 *    active pods — or else create / delete pods toward
 *    min(parallelism, completions - succeeded), after the failure back-off,
 *    once earlier creations and deletions were observed; suspend deletes
 *    them all;
 * 4. count finished pods exactly once and release their finalizers (see
 *    job-tracking.ts), then set SuccessCriteriaMet→Complete or
 *    FailureTarget→Failed once nothing is left running or uncounted.
 */
export class JobSync {
  readonly expectations: JobExpectations;
  private readonly clock: Clock;
  private readonly backoffs = new Map<string, BackoffRecord>();
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;

  constructor(informers: InformerFactory, options: JobControllerOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.backoffBaseMs = options.podFailureBackoffMs ?? DEFAULT_POD_FAILURE_BACKOFF_MS;
    this.backoffMaxMs = options.maxPodFailureBackoffMs ?? MAX_POD_FAILURE_BACKOFF_MS;
    this.expectations = new JobExpectations(informers, { ttlMs: options.expectationsTtlMs, now: () => this.clock.now() });
  }

  close(): void {
    this.expectations.close();
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    this.expectations.observe();
    const key = `${req.namespace}/${req.name}`;
    const cached = await ctx.cache.get(kinds.Job, req);
    if (!cached) {
      this.expectations.forget(key);
      this.backoffs.delete(key);
      await this.releaseStrayPods(req, undefined, ctx);
      return {};
    }
    if (cached.spec?.managedBy && cached.spec.managedBy !== JOB_CONTROLLER_NAME) return {};
    if (!this.expectations.jobCaughtUp(key, cached)) return {}; // the event of our own write brings us back
    if (isJobFinished(cached)) {
      this.backoffs.delete(key);
      await this.releaseStrayPods(req, cached, ctx);
      return {};
    }
    if (cached.spec?.completionMode === 'Indexed') {
      void ctx.recorder.event(cached, 'Warning', 'UnsupportedCompletionMode', 'Indexed completion mode is not supported by this controller yet');
      return {};
    }
    await this.releaseStrayPods(req, cached, ctx);
    try {
      return await this.syncJob(key, structuredClone(cached) as Job, ctx);
    } catch (err) {
      // Deleted while we worked: its deletion brings us back, with nothing to report on.
      if (isNotFound(err) && !(await ctx.client.get(kinds.Job, req).then(() => true, (e) => !isNotFound(e)))) return {};
      throw err;
    }
  }

  private async syncJob(key: string, job: Job, ctx: ReconcileContext): Promise<Result> {
    const now = this.clock.now();
    const status = (job.status ??= {});
    status.uncountedTerminatedPods ??= {};
    const satisfied = this.expectations.pods.satisfied(key);
    const pods = await this.podsForJob(job, ctx);
    const activePods = filterActivePods(pods);
    const uncounted = uncountedOf(job);
    const pendingRemovals = new Set(this.expectations.pendingFinalizerRemovals(key));
    const fresh = newFinishedPods(job, pods, uncounted, pendingRemovals);
    const state: JobSyncState = {
      key,
      job,
      pods,
      active: activePods.length,
      ready: activePods.filter(isPodReady).length,
      terminating: pods.filter(isPodTerminatingNotFinished).length,
      succeeded: (status.succeeded ?? 0) + fresh.succeeded.length + uncounted.succeeded.size,
      failed: (status.failed ?? 0) + fresh.failed.length + uncounted.failed.size,
      uncounted,
      pendingRemovals,
      backoff: nextBackoffRecord(this.backoffs.get(key) ?? NO_FAILURES, fresh.succeeded, fresh.failed),
      now,
    };
    let needsStatusUpdate = false;
    if (!status.startTime && !job.spec?.suspend) {
      status.startTime = apiTimeOf(now);
      needsStatusUpdate = true;
    }

    state.finishing = this.finishingCondition(state);
    let manageError: unknown;
    if (state.finishing) {
      // Failed: stop what still runs. Deleted pods keep their finalizer until counted as failed.
      const r = await deleteActivePods(job, activePods, ctx);
      if (r.deleted !== state.active || !satisfied) state.finishing = undefined; // not all gone, or the cache lags: not finished yet
      state.active -= r.deleted;
      state.terminating += r.deleted;
      state.ready -= r.deletedReady;
      manageError = r.error;
    } else {
      let manageCalled = false;
      if (satisfied && !job.metadata?.deletionTimestamp) {
        manageError = await manageJob(state, activePods, ctx, {
          expectations: this.expectations.pods,
          backoffBaseMs: this.backoffBaseMs,
          backoffMaxMs: this.backoffMaxMs,
          requeueAfter: (ms) => this.requeue(state, ms),
        });
        manageCalled = true;
      }
      if (isComplete(job, state.succeeded, state.active)) {
        state.finishing = newCondition('SuccessCriteriaMet', 'True', JOB_REASON_COMPLETIONS_REACHED, 'Reached expected number of succeeded pods', now);
      } else if (manageCalled && this.syncSuspendedCondition(state, ctx)) {
        needsStatusUpdate = true;
      }
    }

    needsStatusUpdate ||= state.active !== (status.active ?? 0) || state.ready !== status.ready || state.terminating !== status.terminating;
    setCount(status, 'active', state.active);
    status.ready = state.ready;
    status.terminating = state.terminating;
    await this.trackStatusAndRemoveFinalizers(state, needsStatusUpdate, ctx);
    if (manageError) throw manageError;
    return state.requeueAfter !== undefined ? { requeueAfter: Math.max(1, state.requeueAfter) } : {};
  }

  /**
   * Whether the Job met its success or failure criteria (before this
   * sync's pod changes): a recorded SuccessCriteriaMet or FailureTarget, or
   * now backoffLimit or activeDeadlineSeconds. Asks to be woken at the
   * active deadline otherwise.
   */
  private finishingCondition(state: JobSyncState): JobCondition | undefined {
    const { job, now } = state;
    const success = successCriteriaMet(job);
    if (success) return success;
    const target = failureTarget(job);
    if (target) return newCondition('Failed', 'True', target.reason ?? '', target.message ?? '', now);
    if (state.failed > (job.spec?.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, state.pods)) {
      return newCondition('FailureTarget', 'True', JOB_REASON_BACKOFF_LIMIT_EXCEEDED, 'Job has reached the specified backoff limit', now);
    }
    const left = msUntilActiveDeadline(job, now);
    if (left !== undefined && left <= 0) {
      return newCondition('FailureTarget', 'True', JOB_REASON_DEADLINE_EXCEEDED, 'Job was active longer than specified deadline', now);
    }
    if (left !== undefined) this.requeue(state, left);
    return undefined;
  }

  /** The Suspended condition follows spec.suspend; resuming restarts the active-deadline clock. Returns whether it changed. */
  private syncSuspendedCondition(state: JobSyncState, ctx: ReconcileContext): boolean {
    const { job, now } = state;
    const status = job.status!;
    if (job.spec?.suspend) {
      const [conditions, changed] = ensureCondition(status.conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
      if (changed) {
        status.conditions = conditions;
        void ctx.recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
      }
      return changed;
    }
    const [conditions, changed] = ensureCondition(status.conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
    if (changed) {
      status.conditions = conditions;
      void ctx.recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
      // activeDeadlineSeconds counts continuous activity: it starts again on resume.
      status.startTime = apiTimeOf(now);
    }
    return changed;
  }

  /**
   * Counts finished pods exactly once and releases their finalizers, then
   * records the end of the Job (kube's trackJobStatusAndRemoveFinalizers):
   *
   * 1. uids of pods whose finalizer is gone leave the uncounted lists for
   *    the counters; newly finished pods join the lists; an interim
   *    FailureTarget / SuccessCriteriaMet condition is added — and that
   *    status is written *before* any finalizer goes;
   * 2. the finalizers are removed; what was removed is counted;
   * 3. Failed / Complete is set once nothing is uncounted or terminating.
   */
  private async trackStatusAndRemoveFinalizers(state: JobSyncState, needsFlush: boolean, ctx: ReconcileContext): Promise<void> {
    const uid = (p: Pod) => p.metadata?.uid ?? '';
    const withFinalizer = new Set(state.pods.filter((p) => hasTrackingFinalizer(p) && !state.pendingRemovals.has(uid(p))).map(uid));
    if (countUncountedWithoutFinalizer(state.job.status!, withFinalizer)) needsFlush = true;

    const plan = planTracking(state.job, state.pods, state.finishing, state.uncounted, state.pendingRemovals);
    const listed = (state.job.status!.uncountedTerminatedPods ??= {});
    if (plan.addSucceeded.length) listed.succeeded = [...(listed.succeeded ?? []), ...plan.addSucceeded];
    if (plan.addFailed.length) listed.failed = [...(listed.failed ?? []), ...plan.addFailed];
    if (plan.addSucceeded.length || plan.addFailed.length) needsFlush = true;

    const { finishing } = state;
    if (finishing?.type === 'FailureTarget') {
      state.job.status!.conditions = [...(state.job.status!.conditions ?? []), finishing];
      needsFlush = true;
      state.finishing = newCondition('Failed', 'True', finishing.reason ?? '', finishing.message ?? '', state.now);
    } else if (finishing?.type === 'SuccessCriteriaMet') {
      if (!successCriteriaMet(state.job)) {
        state.job.status!.conditions = [...(state.job.status!.conditions ?? []), finishing];
        needsFlush = true;
      }
      state.finishing = newCondition('Complete', 'True', finishing.reason ?? '', finishing.message ?? '', state.now);
    }

    if (needsFlush) {
      await this.writeStatus(state, ctx);
      needsFlush = false;
    }
    this.backoffs.set(state.key, state.backoff);

    let removalError: unknown;
    if (plan.removeFinalizer.length) {
      this.expectations.expectFinalizersRemoved(state.key, plan.removeFinalizer.map(uid));
      const results = await Promise.allSettled(plan.removeFinalizer.map((p) => removeTrackingFinalizer(p, ctx)));
      results.forEach((r, i) => {
        const pod = plan.removeFinalizer[i];
        if (r.status === 'fulfilled') {
          withFinalizer.delete(uid(pod));
        } else {
          this.expectations.finalizerRemovalObserved(state.key, uid(pod)); // no update will come for it
          removalError ??= r.reason;
        }
      });
    }
    if (countUncountedWithoutFinalizer(state.job.status!, withFinalizer)) needsFlush = true;
    if (removalError) {
      if (needsFlush) await this.writeStatus(state, ctx);
      throw removalError;
    }

    const finished = !plan.reachedMax && this.enactFinished(state);
    if (finished || needsFlush) {
      await this.writeStatus(state, ctx);
      if (finished) this.recordFinished(state, ctx);
    }
  }

  /** Sets Complete or Failed if nothing is left uncounted or terminating (kube's enactJobFinished). */
  private enactFinished(state: JobSyncState): boolean {
    const cond = state.finishing;
    if (!cond) return false;
    const status = state.job.status!;
    const u = status.uncountedTerminatedPods;
    if ((u?.succeeded?.length ?? 0) + (u?.failed?.length ?? 0) > 0) return false;
    if (state.terminating > 0) return false;
    [status.conditions] = ensureCondition(status.conditions, cond.type as 'Complete' | 'Failed', cond.status, cond.reason ?? '', cond.message ?? '', state.now);
    if (cond.type === 'Complete') status.completionTime = cond.lastTransitionTime;
    return true;
  }

  private recordFinished(state: JobSyncState, ctx: ReconcileContext): void {
    const { job, finishing } = state;
    if (finishing?.type === 'Complete') {
      const completions = job.spec?.completions;
      if (completions != null && (job.status?.succeeded ?? 0) > completions) {
        void ctx.recorder.event(job, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
      }
      void ctx.recorder.event(job, 'Normal', 'Completed', 'Job completed');
    } else if (finishing) {
      void ctx.recorder.event(job, 'Warning', finishing.reason ?? 'Failed', finishing.message ?? '');
    }
  }

  private async writeStatus(state: JobSyncState, ctx: ReconcileContext): Promise<void> {
    const status = state.job.status!;
    for (const k of ['succeeded', 'failed'] as const) setCount(status, k, status[k] ?? 0);
    const written = await ctx.client.updateStatus(kinds.Job, state.job);
    this.expectations.statusWritten(state.key, written);
    state.job = written;
  }

  private requeue(state: JobSyncState, ms: number): void {
    state.requeueAfter = state.requeueAfter === undefined ? ms : Math.min(state.requeueAfter, ms);
  }

  /**
   * The pods the Job controls, in every phase (kube's getPodsForJob): its
   * own, plus orphans its selector matches (adopted, and given the
   * tracking finalizer so that they are counted too). Owned pods that stopped
   * matching are released.
   */
  private async podsForJob(job: Job, ctx: ReconcileContext): Promise<Pod[]> {
    const lister = await ctx.cache.lister(kinds.Pod);
    let selector: LabelSelector;
    try {
      selector = labelSelectorFromSpec(job.spec?.selector);
    } catch (err) {
      ctx.log.error(`job ${job.metadata?.namespace}/${job.metadata?.name}: invalid selector: ${(err as Error).message}`);
      return [];
    }
    const ns = job.metadata?.namespace ?? '';
    const candidates = new Map<string, Pod>();
    for (const p of lister.byIndex(CONTROLLER_UID_INDEX, job.metadata?.uid ?? '')) if (p.metadata?.namespace === ns) candidates.set(p.metadata?.uid ?? '', p);
    for (const p of lister.list(ns, selector)) candidates.set(p.metadata?.uid ?? '', p);
    const adopted: Pod[] = [];
    const pods = await claimObjects([...candidates.values()], {
      client: ctx.client,
      kind: kinds.Pod,
      owner: job,
      selector,
      canAdopt: recheckOwner(ctx.client, kinds.Job, job),
      onAdopt: (p) => adopted.push(p),
    });
    const result: Pod[] = [];
    for (const pod of pods) {
      if (adopted.includes(pod) && !hasTrackingFinalizer(pod)) {
        // Strategic merge adds to the finalizer set.
        const withFinalizer = await ctx.client.patch(kinds.Pod, { namespace: ns, name: pod.metadata!.name! }, { metadata: { finalizers: [JOB_TRACKING_FINALIZER] } }, { type: 'strategic' });
        result.push(withFinalizer);
      } else {
        result.push(pod);
      }
    }
    return result;
  }

  /**
   * Releases the tracking finalizer of pods that no live, unfinished Job
   * will count: those of a deleted or finished Job of this name, of an
   * earlier Job of the same name, and those orphaned (kube's orphan pod
   * queue). Found by the Job's name label, which every Job pod carries.
   */
  private async releaseStrayPods(req: Request, job: Job | undefined, ctx: ReconcileContext): Promise<void> {
    const lister = await ctx.cache.lister(kinds.Pod);
    const live = job && !isJobFinished(job) ? job.metadata?.uid : undefined;
    const seen = new Set<string>();
    for (const labelKey of ['batch.kubernetes.io/job-name', 'job-name']) {
      for (const pod of lister.list(req.namespace, `${labelKey}=${req.name}`)) {
        const id = pod.metadata?.uid ?? '';
        if (seen.has(id) || !hasTrackingFinalizer(pod)) continue;
        seen.add(id);
        const owner = (pod.metadata?.ownerReferences ?? []).find((r) => r.controller);
        if (owner && owner.kind !== 'Job') continue; // someone else's pod
        if (live) {
          if (owner?.uid === live) continue; // counted by the sync
          if (!owner && pod.metadata?.labels?.['batch.kubernetes.io/controller-uid'] === live) continue; // adoptable
        }
        try {
          await removeTrackingFinalizer(pod, ctx);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
    }
  }
}

const apiTimeOf = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Counters are omitted when zero, as kube's omitempty int32 fields are. */
function setCount(status: NonNullable<Job['status']>, field: 'active' | 'succeeded' | 'failed', n: number): void {
  if (n) status[field] = n;
  else delete status[field];
}
