import { Inject, Optional } from '@nestjs/common';
import type { CronJob, Job } from '@logbook/api';
import { isAlreadyExists, isNotFound } from '@logbook/machinery';
import { Clock, CONTROLLER_UID_INDEX, kinds, ReconcileContext, Reconciler, realClock, Request, Result } from '@logbook/sdk';
import { CronSchedule, CronScheduleError, localTimeZone, parseCronSchedule } from './cron-schedule';
import { finishedType, formatRfc1123Z, isJobFinished, isJobSucceeded, jobFromTemplate, jobName, jobReference, jobsBeyondHistoryLimits } from './cronjob-jobs';
import { nextScheduleDelay, scheduleTimeToRun } from './schedule-times';

export interface CronJobControllerOptions {
  /** What "now" is: tests move it forward instead of waiting for the wall clock. Default: the wall clock. */
  clock?: Clock;
  /** The zone of CronJobs without `spec.timeZone`. Default: this process's local zone (as kube-controller-manager). */
  defaultTimeZone?: string;
}

export const CRONJOB_CONTROLLER_OPTIONS = Symbol.for('logbook.controllers.cronjob.options');

/** What one sync did to the CronJob (a copy of the cached one). */
interface SyncState {
  cj: CronJob;
  statusChanged: boolean;
}

/**
 * The CronJob controller (kube's cronjob ControllerV2), on the SDK.
 *
 * Level-based and without polling: every reconcile looks at the CronJob and
 * the Jobs it controls, records finished and vanished Jobs, cleans up
 * history beyond the limits, starts the Job for the most recent unmet
 * schedule time (honouring `suspend`, `startingDeadlineSeconds` and
 * `concurrencyPolicy`), writes status, and asks to be woken just after the
 * next schedule time (`requeueAfter`). Changes to its Jobs wake it too.
 *
 * A Job's name holds its scheduled time (`<cronjob>-<minutes since epoch>`),
 * so a create that repeats after a crash meets AlreadyExists instead of
 * running the schedule twice; the Job is then adopted into `status.active`.
 */
@Reconciler({ for: kinds.CronJob, owns: [kinds.Job], name: 'cronjob-controller' })
export class CronJobReconciler implements Reconciler {
  private readonly clock: Clock;
  private readonly defaultTimeZone: string;

  constructor(@Optional() @Inject(CRONJOB_CONTROLLER_OPTIONS) options: CronJobControllerOptions = {}) {
    this.clock = options?.clock ?? realClock;
    this.defaultTimeZone = options?.defaultTimeZone ?? localTimeZone();
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const cached = await ctx.cache.get(kinds.CronJob, req);
    if (!cached) return {};
    const uid = cached.metadata?.uid ?? '';
    const jobs = (await ctx.cache.lister(kinds.Job)).byIndex(CONTROLLER_UID_INDEX, uid).filter((j) => j.metadata?.namespace === req.namespace);
    const state: SyncState = { cj: structuredClone(cached) as CronJob, statusChanged: false };

    await this.cleanupFinishedJobs(state, jobs, ctx);
    let requeueAfter: number | undefined;
    let syncError: unknown;
    try {
      requeueAfter = await this.syncCronJob(state, jobs, ctx);
    } catch (err) {
      syncError = err;
    }
    if (state.statusChanged) {
      await ctx.client.updateStatus(kinds.CronJob, state.cj);
    }
    if (requeueAfter !== undefined) return { requeueAfter: Math.max(1, requeueAfter) };
    if (syncError) throw syncError;
    return {};
  }

  /** kube's syncCronJob: returns when to look again (ms), or undefined for "when something changes". */
  private async syncCronJob(state: SyncState, jobs: readonly Job[], ctx: ReconcileContext): Promise<number | undefined> {
    const now = this.clock.now();
    await this.trackChildJobs(state, jobs, ctx);
    const cj = state.cj;
    if (cj.metadata?.deletionTimestamp) return undefined; // being deleted: status only

    const timeZone = cj.spec?.timeZone ?? this.defaultTimeZone;
    let schedule: CronSchedule;
    try {
      schedule = parseCronSchedule(cj.spec?.schedule ?? '', timeZone);
    } catch (err) {
      // A user error: report it and wait for the spec to change.
      if (err instanceof CronScheduleError && err.reason === 'UnknownTimeZone') {
        void ctx.recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(timeZone)}: ${err.message}`);
      } else {
        void ctx.recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec?.schedule)} : ${(err as Error).message}`);
      }
      return undefined;
    }
    if (cj.spec?.suspend) return undefined;

    let scheduled: { time?: number; tooManyMissed: boolean };
    try {
      scheduled = scheduleTimeToRun(cj, now, schedule);
    } catch (err) {
      void ctx.recorder.event(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec?.schedule} : ${(err as Error).message}`);
      return undefined;
    }
    if (scheduled.tooManyMissed) {
      void ctx.recorder.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
      ctx.log.log(`cronjob ${cj.metadata?.namespace}/${cj.metadata?.name}: too many missed times`);
    }
    const scheduledTime = scheduled.time;
    const next = () => nextScheduleDelay(cj, now, schedule);
    if (scheduledTime === undefined) return next();

    const deadline = cj.spec?.startingDeadlineSeconds;
    if (deadline != null && scheduledTime + deadline * 1000 < now) {
      void ctx.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${formatRfc1123Z(scheduledTime)}`);
      return next();
    }
    const name = jobName(cj.metadata!.name!, scheduledTime);
    const active = cj.status?.active ?? [];
    if (active.some((r) => r.name === name) || (cj.status?.lastScheduleTime && Date.parse(cj.status.lastScheduleTime) === scheduledTime)) {
      return next(); // this time was handled already
    }
    if (cj.spec?.concurrencyPolicy === 'Forbid' && active.length > 0) {
      void ctx.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return next();
    }
    if (cj.spec?.concurrencyPolicy === 'Replace') {
      for (const ref of [...active]) {
        let job: Job;
        try {
          job = await ctx.client.get(kinds.Job, { namespace: ref.namespace ?? cj.metadata?.namespace, name: ref.name! });
        } catch (err) {
          void ctx.recorder.event(cj, 'Warning', 'FailedGet', `Get job: ${(err as Error).message}`);
          throw err;
        }
        if (!(await this.deleteJob(state, job, ctx))) throw new Error(`could not replace job ${job.metadata?.namespace}/${job.metadata?.name}`);
      }
    }

    const request = jobFromTemplate(cj, scheduledTime, timeZone);
    let created: Job;
    try {
      created = await ctx.client.create(kinds.Job, request);
      void ctx.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata?.name}`);
    } catch (err) {
      if (!isAlreadyExists(err)) {
        void ctx.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
        throw err;
      }
      // Created before (a crash, or a status write that failed): adopt it into the active list if it is ours.
      created = await ctx.client.get(kinds.Job, { namespace: request.metadata!.namespace, name: request.metadata!.name! });
      const owner = (created.metadata?.ownerReferences ?? []).find((r) => r.controller);
      if (owner?.uid !== cj.metadata?.uid) return undefined; // another actor's Job: leave it alone
      if (active.some((r) => r.uid === created.metadata?.uid)) return undefined;
      ctx.log.log(`job ${created.metadata?.name} already exists for cronjob ${cj.metadata?.namespace}/${cj.metadata?.name}`);
    }
    const status = (cj.status ??= {});
    status.active = [...(status.active ?? []), jobReference(created)];
    status.lastScheduleTime = new Date(scheduledTime).toISOString().replace(/\.\d{3}Z$/, 'Z');
    state.statusChanged = true;
    return next();
  }

  /**
   * Brings `status.active` and `lastSuccessfulTime` up to date with the Jobs
   * that exist: finished Jobs leave the active list, Jobs that vanished
   * (checked against the server, not just the cache) too.
   */
  private async trackChildJobs(state: SyncState, jobs: readonly Job[], ctx: ReconcileContext): Promise<void> {
    const status = (state.cj.status ??= {});
    const children = new Set<string>();
    for (const job of jobs) {
      const uid = job.metadata?.uid ?? '';
      children.add(uid);
      const inActive = (status.active ?? []).some((r) => r.uid === uid);
      if (!inActive && !isJobFinished(job)) {
        // Maybe our cached CronJob is older than the status write that recorded this Job.
        const fresh = await ctx.client.get(kinds.CronJob, { namespace: state.cj.metadata?.namespace, name: state.cj.metadata!.name! });
        if ((fresh.status?.active ?? []).some((r) => r.uid === uid)) {
          state.cj = fresh;
          continue;
        }
        void ctx.recorder.event(state.cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${job.metadata?.name}`);
      } else if (inActive && isJobFinished(job)) {
        status.active = (status.active ?? []).filter((r) => r.uid !== uid);
        void ctx.recorder.event(state.cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata?.name}, status: ${finishedType(job)}`);
        state.statusChanged = true;
      }
      if (isJobSucceeded(job) && job.status?.completionTime) {
        const last = state.cj.status?.lastSuccessfulTime;
        if (!last || Date.parse(job.status.completionTime) > Date.parse(last)) {
          (state.cj.status ??= {}).lastSuccessfulTime = job.status.completionTime;
          state.statusChanged = true;
        }
      }
    }
    for (const ref of [...(state.cj.status?.active ?? [])]) {
      if (children.has(ref.uid ?? '')) continue;
      try {
        await ctx.client.get(kinds.Job, { namespace: ref.namespace ?? state.cj.metadata?.namespace, name: ref.name! });
        // In the server but not yet in the cache: keep it.
      } catch (err) {
        if (!isNotFound(err)) throw err;
        void ctx.recorder.event(state.cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
        state.cj.status!.active = (state.cj.status!.active ?? []).filter((r) => r.uid !== ref.uid);
        state.statusChanged = true;
      }
    }
  }

  /** Deletes finished Jobs beyond the history limits (oldest first). */
  private async cleanupFinishedJobs(state: SyncState, jobs: readonly Job[], ctx: ReconcileContext): Promise<void> {
    for (const job of jobsBeyondHistoryLimits(state.cj, jobs)) {
      if (await this.deleteJob(state, job, ctx)) state.statusChanged = true;
    }
  }

  /** Deletes a Job (its pods follow in the background) and drops it from the active list; false if that failed. */
  private async deleteJob(state: SyncState, job: Job, ctx: ReconcileContext): Promise<boolean> {
    try {
      await ctx.client.delete(kinds.Job, { namespace: job.metadata?.namespace, name: job.metadata!.name! }, {
        propagationPolicy: 'Background',
        preconditions: { uid: job.metadata?.uid },
      });
    } catch (err) {
      if (!isNotFound(err)) {
        void ctx.recorder.event(state.cj, 'Warning', 'FailedDelete', `Deleted job: ${(err as Error).message}`);
        ctx.log.error(`deleting job ${job.metadata?.namespace}/${job.metadata?.name}: ${(err as Error).message}`);
        return false;
      }
    }
    if (state.cj.status?.active) state.cj.status.active = state.cj.status.active.filter((r) => r.uid !== job.metadata?.uid);
    void ctx.recorder.event(state.cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata?.name}`);
    return true;
  }
}
