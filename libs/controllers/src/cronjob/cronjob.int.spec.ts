import type { CronJob, Event, Job } from '@logbook/api';
import { buildControllerSpec, Controller, InformerFactory, kinds, reconcilerOptionsOf } from '@logbook/sdk';
import { eventually, startTestApiServer, TestApiServer } from '@logbook/sdk/testing';
import { SCHEDULED_TIMESTAMP_ANNOTATION } from './cronjob-jobs';
import { CronJobReconciler } from './cronjob.reconciler';
import { AdvancingClock } from './testing/advancing-clock';

/**
 * The CronJob controller against a real apiserver, on a clock the test moves
 * forward: the controller's work queue and its idea of "now" share it, so a
 * run one minute away happens when the test jumps to it — through the
 * controller's own requeueAfter, not a poke. No Job controller runs here:
 * the test finishes Jobs by writing their status, as one would.
 */
describe('CronJob controller', () => {
  let server: TestApiServer;
  let informers: InformerFactory;
  // Each test gets its own clock (starting at the wall clock) and controller, so the jumps
  // of one test do not make the next one's new CronJob look as if it had missed runs.
  let clock: AdvancingClock;
  let controller: Controller;
  let nsCount = 0;

  beforeAll(async () => {
    server = await startTestApiServer();
    informers = new InformerFactory(server.client);
    informers.start();
  });

  beforeEach(async () => {
    clock = new AdvancingClock();
    const reconciler = new CronJobReconciler({ clock, defaultTimeZone: 'UTC' });
    controller = new Controller(buildControllerSpec(reconcilerOptionsOf(reconciler), reconciler, 'CronJobReconciler'), {
      client: server.client,
      informers,
      clock,
    });
    await controller.start();
  });

  afterEach(async () => {
    await controller.stop();
    clock.dispose();
    for (const cj of (await server.client.list(kinds.CronJob)).items) {
      await server.client.delete(kinds.CronJob, { namespace: cj.metadata!.namespace, name: cj.metadata!.name! });
    }
  });

  afterAll(async () => {
    await informers?.stop();
    await server?.stop();
  });

  const minute = (t: number) => Math.floor(t / 60_000) * 60_000;
  /** Moves the clock a few seconds past the next minute; returns that minute. */
  const toNextMinute = () => {
    const m = minute(clock.now()) + 60_000;
    clock.advanceTo(m + 2_000);
    return m;
  };

  async function namespace(): Promise<string> {
    const name = `cj-${++nsCount}`;
    await server.client.create(kinds.Namespace, { metadata: { name } });
    return name;
  }

  // The seed's cron-batch-job, in batch/v1.
  function cronBatchJob(ns: string, spec: Partial<NonNullable<CronJob['spec']>> = {}): CronJob {
    return {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'cron-batch-job', namespace: ns },
      spec: {
        schedule: '*/1 * * * *',
        jobTemplate: {
          spec: {
            template: {
              metadata: { labels: { app: 'cron-batch-job' } },
              spec: { restartPolicy: 'OnFailure', containers: [{ name: 'cron-batch-job', image: 'yinzige/batch-job' }] },
            },
          },
        },
        ...spec,
      },
    };
  }

  const jobsIn = async (ns: string) => (await server.client.list(kinds.Job, { namespace: ns })).items.sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
  const jobFor = (m: number) => `cron-batch-job-${m / 60_000}`;
  const cronJob = (ns: string) => server.client.get(kinds.CronJob, { namespace: ns, name: 'cron-batch-job' });
  const eventsFor = async (ns: string, reason: string) =>
    (await server.client.list(kinds.Event, { namespace: ns })).items.filter((e: Event) => e.involvedObject?.name === 'cron-batch-job' && e.reason === reason);

  /** Finishes a Job as the Job controller would have: counters, times and the terminal conditions. */
  async function finish(ns: string, name: string, outcome: 'Complete' | 'Failed', startTime: string): Promise<void> {
    const now = new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    const status: Job['status'] =
      outcome === 'Complete'
        ? {
            startTime,
            completionTime: now,
            succeeded: 1,
            conditions: [
              { type: 'SuccessCriteriaMet', status: 'True', lastProbeTime: now, lastTransitionTime: now },
              { type: 'Complete', status: 'True', lastProbeTime: now, lastTransitionTime: now },
            ],
          }
        : {
            startTime,
            failed: 1,
            conditions: [
              { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastProbeTime: now, lastTransitionTime: now },
              { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastProbeTime: now, lastTransitionTime: now },
            ],
          };
    await server.client.patchStatus(kinds.Job, { namespace: ns, name }, { status }, { type: 'merge' });
  }

  it('creates a Job for each schedule time, named by its minute and owned by the CronJob', async () => {
    const ns = await namespace();
    const cj = await server.client.create(kinds.CronJob, cronBatchJob(ns));

    const m1 = toNextMinute();
    const job1 = await eventually(async () => (await jobsIn(ns)).find((j) => j.metadata!.name === jobFor(m1)), { what: 'the first job' });
    expect(job1.metadata!.ownerReferences).toEqual([
      { apiVersion: 'batch/v1', kind: 'CronJob', name: 'cron-batch-job', uid: cj.metadata!.uid, controller: true, blockOwnerDeletion: true },
    ]);
    expect(job1.metadata!.annotations![SCHEDULED_TIMESTAMP_ANNOTATION]).toBe(new Date(m1).toISOString().replace('.000Z', 'Z'));
    expect(job1.spec!.template!.metadata!.labels!.app).toBe('cron-batch-job');
    await eventually(async () => (await cronJob(ns)).status?.lastScheduleTime === new Date(m1).toISOString().replace('.000Z', 'Z'), { what: 'lastScheduleTime' });

    const m2 = toNextMinute();
    await eventually(async () => (await jobsIn(ns)).some((j) => j.metadata!.name === jobFor(m2)), { what: 'the second job' });
    const status = await eventually(async () => {
      const s = (await cronJob(ns)).status;
      return s?.active?.length === 2 ? s : undefined;
    });
    expect(status.active!.map((r) => r.name).sort()).toEqual([jobFor(m1), jobFor(m2)]);
    expect(await jobsIn(ns)).toHaveLength(2);
  });

  it('timeZone: runs at the schedule time of the CronJob zone', async () => {
    const ns = await namespace();
    // On the hour in India is half past in UTC.
    await server.client.create(kinds.CronJob, cronBatchJob(ns, { schedule: '0 * * * *', timeZone: 'Asia/Kolkata' }));
    const halfPast = Math.floor((clock.now() - 30 * 60_000) / 3_600_000) * 3_600_000 + 30 * 60_000 + 3_600_000;
    clock.advanceTo(halfPast + 2_000);
    const job = await eventually(async () => (await jobsIn(ns))[0], { what: 'the job at half past (UTC)' });
    expect(job.metadata!.name).toBe(jobFor(halfPast));
    expect(job.metadata!.annotations![SCHEDULED_TIMESTAMP_ANNOTATION]).toMatch(/T\d\d:00:00\+05:30$/);
  });

  it('Forbid: holds a run back while the previous Job is active, and starts it once that finished', async () => {
    const ns = await namespace();
    await server.client.create(kinds.CronJob, cronBatchJob(ns, { concurrencyPolicy: 'Forbid' }));
    const m1 = toNextMinute();
    await eventually(async () => (await jobsIn(ns)).length === 1, { what: 'the first job' });

    const m2 = toNextMinute();
    await eventually(async () => (await eventsFor(ns, 'JobAlreadyActive')).length > 0, { what: 'the JobAlreadyActive event' });
    expect((await jobsIn(ns)).map((j) => j.metadata!.name)).toEqual([jobFor(m1)]);

    // As in kube, the held-back time is still the most recent unmet one (no startingDeadlineSeconds):
    // it runs, late, as soon as the previous Job finished.
    await finish(ns, jobFor(m1), 'Complete', new Date(m1).toISOString().replace('.000Z', 'Z'));
    await eventually(async () => (await jobsIn(ns)).some((j) => j.metadata!.name === jobFor(m2)), { what: 'the held-back run' });
    const status = await eventually(async () => {
      const s = (await cronJob(ns)).status;
      return s?.active?.length === 1 && s.active[0].name === jobFor(m2) ? s : undefined;
    }, { what: 'only the new job to be active' });
    expect(status.lastSuccessfulTime).toBeDefined();
    expect(status.lastScheduleTime).toBe(new Date(m2).toISOString().replace('.000Z', 'Z'));
    expect((await jobsIn(ns)).map((j) => j.metadata!.name)).toEqual([jobFor(m1), jobFor(m2)]);
  });

  it('Replace: deletes the running Job and starts the new one', async () => {
    const ns = await namespace();
    await server.client.create(kinds.CronJob, cronBatchJob(ns, { concurrencyPolicy: 'Replace' }));
    const m1 = toNextMinute();
    await eventually(async () => (await jobsIn(ns)).length === 1, { what: 'the first job' });

    const m2 = toNextMinute();
    await eventually(async () => {
      const names = (await jobsIn(ns)).map((j) => j.metadata!.name);
      return names.length === 1 && names[0] === jobFor(m2);
    }, { what: 'the second job in place of the first' });
    const status = await eventually(async () => {
      const s = (await cronJob(ns)).status;
      return s?.active?.length === 1 && s.active[0].name === jobFor(m2) ? s : undefined;
    });
    expect(status.lastScheduleTime).toBe(new Date(m2).toISOString().replace('.000Z', 'Z'));
    expect((await eventsFor(ns, 'SuccessfulDelete')).map((e) => e.message)).toEqual([`Deleted job ${jobFor(m1)}`]);
  });

  it('keeps only successfulJobsHistoryLimit finished Jobs and failedJobsHistoryLimit failed ones, oldest go first', async () => {
    const ns = await namespace();
    await server.client.create(kinds.CronJob, cronBatchJob(ns, { successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 }));
    const minutes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const m = toNextMinute();
      minutes.push(m);
      await eventually(async () => (await jobsIn(ns)).some((j) => j.metadata!.name === jobFor(m)), { what: `job ${i + 1}` });
    }
    const start = (m: number) => new Date(m).toISOString().replace('.000Z', 'Z');
    await finish(ns, jobFor(minutes[0]), 'Complete', start(minutes[0]));
    await finish(ns, jobFor(minutes[1]), 'Complete', start(minutes[1]));
    await eventually(async () => !(await jobsIn(ns)).some((j) => j.metadata!.name === jobFor(minutes[0])), { what: 'the older success to go' });

    await finish(ns, jobFor(minutes[2]), 'Failed', start(minutes[2]));
    await finish(ns, jobFor(minutes[3]), 'Failed', start(minutes[3]));
    await eventually(async () => !(await jobsIn(ns)).some((j) => j.metadata!.name === jobFor(minutes[2])), { what: 'the older failure to go' });
    expect((await jobsIn(ns)).map((j) => j.metadata!.name)).toEqual([jobFor(minutes[1]), jobFor(minutes[3])]);
    const status = await eventually(async () => {
      const s = (await cronJob(ns)).status;
      return (s?.active ?? []).length === 0 ? s : undefined;
    }, { what: 'no active jobs' });
    expect(status.lastSuccessfulTime).toBeDefined();
  });

  it('after too many missed runs, warns and starts only the most recent one', async () => {
    const ns = await namespace();
    await server.client.create(kinds.CronJob, cronBatchJob(ns));
    // Jump two hours: 120 runs missed (whether the controller looked before the jump or not).
    const latest = minute(clock.now() + 2 * 3_600_000);
    clock.advanceTo(latest + 2_000);
    await eventually(async () => (await eventsFor(ns, 'TooManyMissedTimes')).length > 0, { what: 'the TooManyMissedTimes warning' });
    const jobs = await eventually(async () => {
      const list = await jobsIn(ns);
      return list.length > 0 ? list : undefined;
    });
    expect(jobs.map((j) => j.metadata!.name)).toEqual([jobFor(latest)]);
  });

  it('startingDeadlineSeconds: a run the controller is too late for is skipped', async () => {
    const ns = await namespace();
    await server.client.create(kinds.CronJob, cronBatchJob(ns, { startingDeadlineSeconds: 10 }));
    const late = minute(clock.now()) + 60_000;
    clock.advanceTo(late + 30_000); // 30 s after the run: outside its 10 s window
    const next = toNextMinute();
    await eventually(async () => (await jobsIn(ns)).length > 0, { what: 'the next run' });
    expect((await jobsIn(ns)).map((j) => j.metadata!.name)).toEqual([jobFor(next)]);
    expect(jobFor(late)).not.toBe(jobFor(next));
  });

  it('suspend: no runs while suspended; resuming starts the run that is due', async () => {
    const ns = await namespace();
    await server.client.create(kinds.CronJob, cronBatchJob(ns, { suspend: true }));
    toNextMinute();
    toNextMinute();
    await server.client.patch(kinds.CronJob, { namespace: ns, name: 'cron-batch-job' }, { spec: { suspend: false } }, { type: 'merge' });
    const jobs = await eventually(async () => {
      const list = await jobsIn(ns);
      return list.length > 0 ? list : undefined;
    }, { what: 'a job after resuming' });
    // Only the most recent missed time runs, not one per suspended minute.
    expect(jobs.map((j) => j.metadata!.name)).toEqual([jobFor(minute(clock.now()))]);
  });
});
