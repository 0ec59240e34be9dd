import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Event, Job, Pod } from '@logbook/api';
import { ControllerManager, kinds } from '@logbook/sdk';
import { Subscription } from 'rxjs';
import { GarbageCollector } from '../garbage-collector';
import { eventually, SimulatedCluster, startSimulatedCluster } from '../testing';
import { JOB_TRACKING_FINALIZER } from './job-tracking';
import { JobReconciler } from './job.reconciler';

jest.setTimeout(120_000);

const SIMULATE = 'logbook.io/simulate';
const SIMULATE_DURATION = 'logbook.io/simulate-duration';

/**
 * The Job controller on a simulated cluster: the scheduler binds its pods,
 * simulated kubelets run them (the seed's batch-job image completes after
 * the run time; the `logbook.io/simulate: fail` annotation makes a pod's
 * containers exit 1), and the controller counts what happens.
 */
describe('Job controller', () => {
  let cluster: SimulatedCluster;
  let manager: ControllerManager;
  let gc: GarbageCollector;
  let nsCount = 0;

  beforeAll(async () => {
    cluster = await startSimulatedCluster({ nodes: 2, runtime: { runMs: 400, restartBackoffMs: 100, maxRestartBackoffMs: 400 } });
    manager = new ControllerManager({ server: cluster.url });
    // Kube waits 10 s before replacing a failed pod (doubling); 50 ms keeps the tests short.
    manager.add(new JobReconciler(manager.informers, { podFailureBackoffMs: 50, maxPodFailureBackoffMs: 400 }));
    await manager.start();
    gc = new GarbageCollector(manager.client, manager.informers);
    await gc.start();
  });

  afterAll(async () => {
    await gc?.stop();
    await manager?.stop();
    await cluster?.stop();
  });

  async function namespace(): Promise<string> {
    const name = `job-${++nsCount}`;
    await cluster.client.create(kinds.Namespace, { metadata: { name } });
    return name;
  }

  /** The seed's batch-job (chapter 4.5), in a namespace of its own. */
  function batchJob(ns: string, spec: Partial<NonNullable<Job['spec']>> = {}, annotations?: Record<string, string>): Job {
    return {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'batch-job', namespace: ns },
      spec: {
        completions: 5,
        parallelism: 2,
        template: {
          metadata: { labels: { app: 'batch-job' }, annotations },
          spec: { restartPolicy: 'OnFailure', containers: [{ name: 'main', image: 'yinzige/batch-job' }] },
        },
        ...spec,
      },
    };
  }

  const getJob = (ns: string) => cluster.client.get(kinds.Job, { namespace: ns, name: 'batch-job' });
  const podsOf = async (ns: string) => (await cluster.client.list(kinds.Pod, { namespace: ns, labelSelector: 'batch.kubernetes.io/job-name=batch-job' })).items;
  const condition = (job: Job, type: string) => job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
  const waitForCondition = (ns: string, type: string, timeoutMs = 30_000) =>
    eventually(async () => {
      const job = await getJob(ns);
      return condition(job, type) ? job : undefined;
    }, { timeoutMs, what: `job condition ${type}` });
  const events = async (ns: string) => (await cluster.client.list(kinds.Event, { namespace: ns })).items.filter((e: Event) => e.involvedObject?.kind === 'Job');

  /** Follows the namespace's pods by watch and reports the most that were active (not finished, not deleting) at once. */
  function sampleActivePods(ns: string): { max: () => number; seen: () => number; stop: () => void } {
    const pods = new Map<string, Pod>();
    let max = 0;
    const sub: Subscription = cluster.client.watch(kinds.Pod, { namespace: ns }).subscribe((e) => {
      if (e.type === 'BOOKMARK') return;
      const pod = e.object as Pod;
      if (e.type === 'DELETED') pods.delete(pod.metadata!.uid!);
      else pods.set(pod.metadata!.uid!, pod);
      const active = [...pods.values()].filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
      max = Math.max(max, active);
      uids.add(pod.metadata!.uid!);
    });
    const uids = new Set<string>();
    return { max: () => max, seen: () => uids.size, stop: () => sub.unsubscribe() };
  }

  it('runs the seed batch-job: 5 completions, at most 2 pods at a time, then Complete', async () => {
    const ns = await namespace();
    const sampler = sampleActivePods(ns);
    const activeCounts: number[] = [];
    const statusSampler = setInterval(() => {
      getJob(ns).then((j) => activeCounts.push(j.status?.active ?? 0), () => undefined);
    }, 30);
    try {
      const created = await cluster.client.create(kinds.Job, batchJob(ns));
      const job = await waitForCondition(ns, 'Complete');
      expect(job.status).toMatchObject({ succeeded: 5, ready: 0, terminating: 0, uncountedTerminatedPods: {} });
      expect(job.status?.active).toBeUndefined();
      expect(job.status?.failed).toBeUndefined();
      expect(condition(job, 'SuccessCriteriaMet')).toMatchObject({ reason: 'CompletionsReached' });
      expect(Date.parse(job.status!.completionTime!)).toBeGreaterThanOrEqual(Date.parse(job.status!.startTime!));

      expect(sampler.max()).toBe(2); // parallel, and never more than parallelism
      expect(Math.max(...activeCounts)).toBeLessThanOrEqual(2);
      const pods = await podsOf(ns);
      expect(sampler.seen()).toBe(5);
      expect(pods).toHaveLength(5);
      for (const pod of pods) {
        expect(pod.metadata!.name).toMatch(/^batch-job-[a-z0-9]{5}$/);
        expect(pod.metadata!.labels).toMatchObject({
          app: 'batch-job',
          'batch.kubernetes.io/job-name': 'batch-job',
          'job-name': 'batch-job',
          'batch.kubernetes.io/controller-uid': created.metadata!.uid,
          'controller-uid': created.metadata!.uid,
        });
        expect(pod.metadata!.ownerReferences).toEqual([
          { apiVersion: 'batch/v1', kind: 'Job', name: 'batch-job', uid: created.metadata!.uid, controller: true, blockOwnerDeletion: true },
        ]);
        expect(pod.status!.phase).toBe('Succeeded');
        expect(pod.metadata!.finalizers ?? []).not.toContain(JOB_TRACKING_FINALIZER); // counted, then released
      }
      expect((await events(ns)).map((e) => e.reason)).toEqual(expect.arrayContaining(['SuccessfulCreate', 'Completed']));
    } finally {
      clearInterval(statusSampler);
      sampler.stop();
    }
  });

  it('restartPolicy Never: replaces failed pods until backoffLimit, then fails with BackoffLimitExceeded', async () => {
    const ns = await namespace();
    const spec = batchJob(ns, { completions: 1, parallelism: 1, backoffLimit: 2 }, { [SIMULATE]: 'fail', [SIMULATE_DURATION]: '100ms' });
    spec.spec!.template!.spec!.restartPolicy = 'Never';
    await cluster.client.create(kinds.Job, spec);
    const job = await waitForCondition(ns, 'Failed');
    expect(condition(job, 'Failed')).toMatchObject({ reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(condition(job, 'FailureTarget')).toMatchObject({ reason: 'BackoffLimitExceeded' });
    expect(job.status?.failed).toBe(3); // backoffLimit 2: the third failure ends it
    expect(job.status?.succeeded).toBeUndefined();
    expect(condition(job, 'Complete')).toBeUndefined();
    const pods = await podsOf(ns);
    expect(pods).toHaveLength(3);
    expect(pods.every((p) => p.status?.phase === 'Failed')).toBe(true);
    const warnings = (await events(ns)).filter((e) => e.type === 'Warning').map((e) => e.reason);
    expect(warnings).toContain('BackoffLimitExceeded');
  });

  it('restartPolicy OnFailure: container restarts count toward backoffLimit; the pod is stopped and counted failed', async () => {
    const ns = await namespace();
    await cluster.client.create(kinds.Job, batchJob(ns, { completions: 1, parallelism: 1, backoffLimit: 2 }, { [SIMULATE]: 'fail', [SIMULATE_DURATION]: '100ms' }));
    const job = await waitForCondition(ns, 'Failed');
    expect(condition(job, 'Failed')).toMatchObject({ reason: 'BackoffLimitExceeded' });
    expect(job.status?.failed).toBe(1);
    expect(job.status?.active).toBeUndefined();
    // One pod, restarted in place; the controller deleted it when the limit was reached.
    await eventually(async () => (await podsOf(ns)).length === 0, { what: 'the failed pod to be gone' });
  });

  it('activeDeadlineSeconds: a Job running too long fails with DeadlineExceeded and its pods stop', async () => {
    const ns = await namespace();
    await cluster.client.create(kinds.Job, batchJob(ns, { completions: 2, parallelism: 2, activeDeadlineSeconds: 2 }, { [SIMULATE]: 'run' }));
    await eventually(async () => ((await getJob(ns)).status?.active ?? 0) === 2, { what: 'two pods running' });
    const started = Date.now();
    const job = await waitForCondition(ns, 'Failed');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(condition(job, 'Failed')).toMatchObject({ reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    expect(Date.parse(condition(job, 'Failed')!.lastTransitionTime!) - Date.parse(job.status!.startTime!)).toBeGreaterThanOrEqual(2_000);
    expect(job.status?.failed).toBe(2); // the pods it stopped count as failed
    expect(job.status?.active).toBeUndefined();
    await eventually(async () => (await podsOf(ns)).length === 0, { what: 'its pods to be gone' });
  });

  it('a pod deleted by hand counts as failed and is replaced', async () => {
    const ns = await namespace();
    await cluster.client.create(kinds.Job, batchJob(ns, { completions: 1, parallelism: 1 }, { [SIMULATE]: 'run' }));
    const first = await eventually(async () => (await podsOf(ns)).find((p) => p.status?.phase === 'Running'), { what: 'a running pod' });
    await cluster.client.delete(kinds.Pod, { namespace: ns, name: first.metadata!.name! });
    const second = await eventually(async () => (await podsOf(ns)).find((p) => p.metadata!.uid !== first.metadata!.uid && !p.metadata?.deletionTimestamp), {
      what: 'a replacement pod',
    });
    expect(second.metadata!.name).toMatch(/^batch-job-/);
    await eventually(async () => (await getJob(ns)).status?.failed === 1, { what: 'the deleted pod counted as failed' });
    await eventually(async () => !(await podsOf(ns)).some((p) => p.metadata!.uid === first.metadata!.uid), { what: 'the deleted pod released and gone' });
  });

  it('lowering parallelism deletes the extra pods, without counting them as failures', async () => {
    const ns = await namespace();
    await cluster.client.create(kinds.Job, batchJob(ns, { completions: 4, parallelism: 3 }, { [SIMULATE]: 'run' }));
    await eventually(async () => (await getJob(ns)).status?.ready === 3, { what: 'three pods running and ready' });
    await cluster.client.patch(kinds.Job, { namespace: ns, name: 'batch-job' }, { spec: { parallelism: 1 } }, { type: 'merge' });
    const job = await eventually(async () => {
      const j = await getJob(ns);
      const live = (await podsOf(ns)).filter((p) => !p.metadata?.deletionTimestamp);
      return j.status?.active === 1 && live.length === 1 ? j : undefined;
    }, { what: 'one pod left' });
    expect(job.status?.failed).toBeUndefined();
  });

  it('suspend: a suspended Job runs nothing; resumed, it runs to completion', async () => {
    const ns = await namespace();
    await cluster.client.create(kinds.Job, batchJob(ns, { completions: 2, parallelism: 2, suspend: true }));
    const suspended = await waitForCondition(ns, 'Suspended');
    expect(condition(suspended, 'Suspended')).toMatchObject({ reason: 'JobSuspended', message: 'Job suspended' });
    expect(suspended.status?.startTime).toBeUndefined();
    expect(await podsOf(ns)).toEqual([]);

    await cluster.client.patch(kinds.Job, { namespace: ns, name: 'batch-job' }, { spec: { suspend: false } }, { type: 'merge' });
    const done = await waitForCondition(ns, 'Complete');
    expect(done.status?.succeeded).toBe(2);
    expect(done.status?.conditions?.find((c) => c.type === 'Suspended')).toMatchObject({ status: 'False', reason: 'JobResumed' });
    expect(done.status?.startTime).toBeDefined();
  });

  it('suspending a running Job deletes its pods without counting them as failures', async () => {
    const ns = await namespace();
    await cluster.client.create(kinds.Job, batchJob(ns, { completions: 2, parallelism: 2 }, { [SIMULATE]: 'run' }));
    await eventually(async () => ((await getJob(ns)).status?.active ?? 0) === 2, { what: 'two pods running' });
    await cluster.client.patch(kinds.Job, { namespace: ns, name: 'batch-job' }, { spec: { suspend: true } }, { type: 'merge' });
    const job = await eventually(async () => {
      const j = await getJob(ns);
      return condition(j, 'Suspended') && !j.status?.active && !j.status?.terminating && (await podsOf(ns)).length === 0 ? j : undefined;
    }, { what: 'suspended with no pods', timeoutMs: 15_000 });
    expect(job.status?.failed).toBeUndefined();
  });

  it('deleting a running Job lets its pods go: their tracking finalizer is released', async () => {
    const ns = await namespace();
    await cluster.client.create(kinds.Job, batchJob(ns, { completions: 2, parallelism: 2 }, { [SIMULATE]: 'run' }));
    await eventually(async () => ((await getJob(ns)).status?.active ?? 0) === 2, { what: 'two pods running' });
    await cluster.client.delete(kinds.Job, { namespace: ns, name: 'batch-job' }, { propagationPolicy: 'Background' });
    await eventually(async () => (await podsOf(ns)).length === 0, { what: 'the pods garbage collected', timeoutMs: 20_000 });
  });

  it('orphaning a Job\'s pods releases their tracking finalizer and leaves them running', async () => {
    const ns = await namespace();
    await cluster.client.create(kinds.Job, batchJob(ns, { completions: 1, parallelism: 1 }, { [SIMULATE]: 'run' }));
    // `active` counts Pending pods too (as Kubernetes does): wait for the pod itself to run.
    await eventually(async () => ((await getJob(ns)).status?.active ?? 0) === 1 && (await podsOf(ns))[0]?.status?.phase === 'Running', { what: 'a pod running' });
    await cluster.client.delete(kinds.Job, { namespace: ns, name: 'batch-job' }, { propagationPolicy: 'Orphan' });
    const [pod] = await eventually(async () => {
      const pods = await podsOf(ns);
      return pods.length === 1 && !pods[0].metadata?.ownerReferences?.length && !(pods[0].metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER) ? pods : undefined;
    }, { what: 'an orphan without the tracking finalizer', timeoutMs: 20_000 });
    expect(pod.status?.phase).toBe('Running');
    expect(pod.metadata?.deletionTimestamp).toBeUndefined();
  });

  it('kubectl wait --for=condition=complete prints "condition met"', async () => {
    const ns = await namespace();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-job-'));
    await cluster.client.create(kinds.Job, batchJob(ns, { completions: 2, parallelism: 2 }));
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        'kubectl',
        ['--server', cluster.url, '--cache-dir', path.join(home, 'cache'), '-n', ns, 'wait', '--for=condition=complete', 'job/batch-job', '--timeout=60s'],
        { env: { PATH: process.env.PATH, HOME: home, KUBECONFIG: path.join(home, 'none') }, timeout: 70_000 },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
    expect(out).toMatchObject({ code: 0, stdout: 'job.batch/batch-job condition met\n' });
  });
});
