import type { Job, Pod } from '@logbook/api';
import { nextBackoffRecord, NO_FAILURES, remainingBackoff } from './job-backoff';
import { ensureCondition, newCondition } from './job-conditions';
import {
  countUncountedWithoutFinalizer,
  isComplete,
  isPodFailed,
  JOB_TRACKING_FINALIZER,
  MAX_UNCOUNTED_PODS,
  msUntilActiveDeadline,
  newFinishedPods,
  pastBackoffLimitOnFailure,
  planTracking,
  uncountedOf,
  wantActive,
} from './job-tracking';

const T0 = Date.parse('2024-01-01T00:00:00Z');

function aJob(spec: Job['spec'] = {}, status: Job['status'] = {}): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'batch-job', namespace: 'default', uid: 'job-uid' },
    spec: { parallelism: 1, completions: 1, backoffLimit: 6, template: { spec: { restartPolicy: 'Never', containers: [] } }, ...spec },
    status,
  };
}

let n = 0;
function aPod(phase: string, opts: { finalizer?: boolean; deleted?: boolean; restarts?: number; finishedAt?: string } = {}): Pod {
  const name = `batch-job-${++n}`;
  return {
    metadata: {
      name,
      uid: `uid-${name}`,
      finalizers: opts.finalizer === false ? [] : [JOB_TRACKING_FINALIZER],
      deletionTimestamp: opts.deleted ? '2024-01-01T00:00:05Z' : undefined,
      creationTimestamp: '2024-01-01T00:00:00Z',
    },
    status: {
      phase: phase as NonNullable<Pod['status']>['phase'],
      containerStatuses: [
        {
          name: 'main',
          ready: phase === 'Running',
          restartCount: opts.restarts ?? 0,
          image: 'x',
          imageID: 'x',
          state: opts.finishedAt ? { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, finishedAt: opts.finishedAt } } : {},
        },
      ],
    },
  } as Pod;
}
const uid = (p: Pod) => p.metadata!.uid!;

describe('how many pods a Job wants', () => {
  it('never more than parallelism, nor than the completions still needed', () => {
    const job = aJob({ parallelism: 2, completions: 5 });
    expect(wantActive(job, 0, 0)).toBe(2);
    expect(wantActive(job, 3, 2)).toBe(2);
    expect(wantActive(job, 4, 1)).toBe(1);
    expect(wantActive(job, 5, 0)).toBe(0);
    expect(wantActive(job, 7, 0)).toBe(0);
  });

  it('without completions, parallelism until one succeeds, then lets the rest finish', () => {
    const job = aJob({ parallelism: 3, completions: undefined });
    expect(wantActive(job, 0, 1)).toBe(3);
    expect(wantActive(job, 1, 2)).toBe(2);
  });

  it('is complete with its completions and nothing active', () => {
    expect(isComplete(aJob({ completions: 5 }), 5, 0)).toBe(true);
    expect(isComplete(aJob({ completions: 5 }), 5, 1)).toBe(false);
    expect(isComplete(aJob({ completions: 5 }), 4, 0)).toBe(false);
    expect(isComplete(aJob({ completions: undefined }), 1, 0)).toBe(true);
  });
});

describe('failed pods', () => {
  it('counts Failed pods, and pods deleted before they succeeded', () => {
    const job = aJob();
    expect(isPodFailed(aPod('Failed'), job)).toBe(true);
    expect(isPodFailed(aPod('Running', { deleted: true }), job)).toBe(true);
    expect(isPodFailed(aPod('Succeeded', { deleted: true }), job)).toBe(false);
    expect(isPodFailed(aPod('Running'), job)).toBe(false);
  });

  it('with podReplacementPolicy Failed, only Failed pods', () => {
    const job = aJob({ podReplacementPolicy: 'Failed' });
    expect(isPodFailed(aPod('Running', { deleted: true }), job)).toBe(false);
    expect(isPodFailed(aPod('Failed'), job)).toBe(true);
  });

  it('counts container restarts of running and pending pods against backoffLimit with OnFailure', () => {
    const onFailure = (limit: number) => aJob({ backoffLimit: limit, template: { spec: { restartPolicy: 'OnFailure', containers: [] } } });
    const pods = [aPod('Running', { restarts: 2 }), aPod('Pending', { restarts: 1 }), aPod('Failed', { restarts: 5 })];
    expect(pastBackoffLimitOnFailure(onFailure(3), pods)).toBe(true);
    expect(pastBackoffLimitOnFailure(onFailure(4), pods)).toBe(false);
    expect(pastBackoffLimitOnFailure(onFailure(0), [aPod('Running', { restarts: 1 })])).toBe(true);
    expect(pastBackoffLimitOnFailure(onFailure(0), [aPod('Running')])).toBe(false);
    expect(pastBackoffLimitOnFailure(aJob({ backoffLimit: 1 }), pods)).toBe(false); // Never: pods fail instead
  });
});

describe('activeDeadlineSeconds', () => {
  it('counts from the start time, and not while suspended', () => {
    const job = aJob({ activeDeadlineSeconds: 10 }, { startTime: '2024-01-01T00:00:00Z' });
    expect(msUntilActiveDeadline(job, T0 + 4_000)).toBe(6_000);
    expect(msUntilActiveDeadline(job, T0 + 12_000)).toBe(-2_000);
    expect(msUntilActiveDeadline({ ...job, spec: { ...job.spec, suspend: true } }, T0)).toBeUndefined();
    expect(msUntilActiveDeadline(aJob(), T0)).toBeUndefined();
  });
});

describe('counting finished pods once', () => {
  it('finds finished pods not yet counted anywhere', () => {
    const done = aPod('Succeeded');
    const listed = aPod('Succeeded');
    const released = aPod('Succeeded', { finalizer: false });
    const removing = aPod('Succeeded');
    const failed = aPod('Failed');
    const running = aPod('Running');
    const job = aJob({}, { uncountedTerminatedPods: { succeeded: [uid(listed)] } });
    const fresh = newFinishedPods(job, [done, listed, released, removing, failed, running], uncountedOf(job), new Set([uid(removing)]));
    expect(fresh.succeeded.map(uid)).toEqual([uid(done)]);
    expect(fresh.failed.map(uid)).toEqual([uid(failed)]);
  });

  it('moves uids whose finalizer is gone into the counters', () => {
    const status: NonNullable<Job['status']> = { succeeded: 2, failed: 1, uncountedTerminatedPods: { succeeded: ['a', 'b'], failed: ['c'] } };
    expect(countUncountedWithoutFinalizer(status, new Set(['b']))).toBe(true);
    expect(status).toEqual({ succeeded: 3, failed: 2, uncountedTerminatedPods: { succeeded: ['b'], failed: [] } });
    expect(countUncountedWithoutFinalizer(status, new Set(['b']))).toBe(false);
  });

  it('lists finished pods and releases them, leaving running pods alone', () => {
    const done = aPod('Succeeded');
    const failed = aPod('Failed');
    const running = aPod('Running');
    const job = aJob();
    const plan = planTracking(job, [done, failed, running], undefined, uncountedOf(job), new Set());
    expect(plan.addSucceeded).toEqual([uid(done)]);
    expect(plan.addFailed).toEqual([uid(failed)]);
    expect(plan.removeFinalizer.map(uid)).toEqual([uid(done), uid(failed)]);
  });

  it('does not list a pod twice, but still releases it', () => {
    const done = aPod('Succeeded');
    const job = aJob({}, { uncountedTerminatedPods: { succeeded: [uid(done)] } });
    const plan = planTracking(job, [done], undefined, uncountedOf(job), new Set());
    expect(plan.addSucceeded).toEqual([]);
    expect(plan.removeFinalizer.map(uid)).toEqual([uid(done)]);
  });

  it('when the Job fails, counts every pod that did not succeed as failed', () => {
    const running = aPod('Running');
    const done = aPod('Succeeded');
    const job = aJob();
    const plan = planTracking(job, [running, done], newCondition('Failed', 'True', 'BackoffLimitExceeded', '', T0), uncountedOf(job), new Set());
    expect(plan.addFailed).toEqual([uid(running)]);
    expect(plan.addSucceeded).toEqual([uid(done)]);
  });

  it('when the Job succeeded, releases what still runs without counting it', () => {
    const running = aPod('Running');
    const job = aJob();
    const plan = planTracking(job, [running], newCondition('SuccessCriteriaMet', 'True', '', '', T0), uncountedOf(job), new Set());
    expect(plan.removeFinalizer.map(uid)).toEqual([uid(running)]);
    expect(plan.addFailed).toEqual([]);
  });

  it('stops at the cap of uncounted uids', () => {
    const pods = Array.from({ length: MAX_UNCOUNTED_PODS + 10 }, () => aPod('Succeeded'));
    const job = aJob();
    const plan = planTracking(job, pods, undefined, uncountedOf(job), new Set());
    expect(plan.reachedMax).toBe(true);
    expect(plan.addSucceeded).toHaveLength(MAX_UNCOUNTED_PODS);
  });
});

describe('failure back-off', () => {
  it('takes a deleted pod to have finished when it was asked to stop, not at the end of its grace period', () => {
    const pod = aPod('Running', { deleted: true });
    pod.metadata!.deletionGracePeriodSeconds = 30; // deletionTimestamp is the end of the grace period
    expect(nextBackoffRecord(NO_FAILURES, [], [pod]).lastFailureTime).toBe(T0 + 5_000 - 30_000);
  });

  it('doubles per failure since the last success, from the last failure', () => {
    const f1 = aPod('Failed', { finishedAt: '2024-01-01T00:00:10Z' });
    const f2 = aPod('Failed', { finishedAt: '2024-01-01T00:00:20Z' });
    let record = nextBackoffRecord(NO_FAILURES, [], [f1]);
    expect(record).toEqual({ failuresAfterLastSuccess: 1, lastFailureTime: T0 + 10_000 });
    expect(remainingBackoff(record, T0 + 15_000)).toBe(5_000);
    record = nextBackoffRecord(record, [], [f2]);
    expect(remainingBackoff(record, T0 + 20_000)).toBe(20_000);
    expect(remainingBackoff(record, T0 + 45_000)).toBe(0);
    expect(remainingBackoff({ failuresAfterLastSuccess: 30, lastFailureTime: T0 }, T0)).toBe(6 * 60_000);
    expect(remainingBackoff(record, T0 + 20_000, 100, 1_000)).toBe(200);
  });

  it('resets on a success, keeping failures that came after it', () => {
    const before = aPod('Failed', { finishedAt: '2024-01-01T00:00:10Z' });
    const success = aPod('Succeeded', { finishedAt: '2024-01-01T00:00:15Z' });
    const after = aPod('Failed', { finishedAt: '2024-01-01T00:00:20Z' });
    const record = nextBackoffRecord({ failuresAfterLastSuccess: 4, lastFailureTime: T0 }, [success], [before, after]);
    expect(record).toEqual({ failuresAfterLastSuccess: 1, lastFailureTime: T0 + 20_000 });
    expect(nextBackoffRecord(record, [success], [])).toEqual({ failuresAfterLastSuccess: 0 });
  });
});

describe('conditions', () => {
  it('adds a True condition, updates one that changed, and never adds a False one', () => {
    const [added, a] = ensureCondition([], 'Suspended', 'True', 'JobSuspended', 'Job suspended', T0);
    expect(a).toBe(true);
    expect(added).toEqual([{ type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended', lastProbeTime: '2024-01-01T00:00:00Z', lastTransitionTime: '2024-01-01T00:00:00Z' }]);
    expect(ensureCondition(added, 'Suspended', 'True', 'JobSuspended', 'Job suspended', T0 + 1000)[1]).toBe(false);
    const [resumed, r] = ensureCondition(added, 'Suspended', 'False', 'JobResumed', 'Job resumed', T0 + 1000);
    expect(r).toBe(true);
    expect(resumed[0]).toMatchObject({ status: 'False', reason: 'JobResumed', lastTransitionTime: '2024-01-01T00:00:01Z' });
    expect(ensureCondition([], 'Suspended', 'False', 'JobResumed', 'Job resumed', T0)).toEqual([[], false]);
  });
});
