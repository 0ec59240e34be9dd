import type { ConfigMap, Deployment, Secret } from '@logbook/api';
import { Client } from 'pg';
import { kinds, KubeClient } from '../client';
import { reconcileWithFinalizer } from '../finalizers';
import { ControllerManager } from '../manager';
import { setControllerReference } from '../owners';
import { eventually, startTestApiServer, TestApiServer } from '../testing';
import { ItemExponentialFailureRateLimiter } from '../workqueue';
import { Cause, generationChanged, ReconcileContext, Reconciler, Request, Result, TerminalError } from '.';

const cm = (namespace: string, name: string, data: Record<string, string> = {}): ConfigMap => ({ metadata: { name, namespace }, data });

async function causeSeqsOf(server: TestApiServer, namespace: string, name: string): Promise<Array<{ seq: string; cause: string | null; manager: string }>> {
  const pg = new Client({ connectionString: server.databaseUrl });
  await pg.connect();
  try {
    const res = await pg.query('SELECT seq::text AS seq, cause_seq::text AS cause, field_manager AS manager FROM events WHERE namespace = $1 AND name = $2 ORDER BY events.seq', [namespace, name]);
    return res.rows;
  } finally {
    await pg.end();
  }
}

describe('controllers against a real apiserver', () => {
  let server: TestApiServer;
  let client: KubeClient;
  let manager: ControllerManager;
  let nsCount = 0;
  const namespace = async (): Promise<string> => {
    const name = `ctl-${++nsCount}`;
    await client.create(kinds.Namespace, { metadata: { name } });
    return name;
  };

  beforeAll(async () => {
    server = await startTestApiServer();
    client = server.client;
  });
  beforeEach(() => {
    manager = new ControllerManager({ client });
  });
  afterEach(() => manager.stop());
  afterAll(() => server?.stop());

  it('never reconciles one key concurrently, however many events arrive while it runs', async () => {
    const ns = await namespace();
    const inFlight = new Set<string>();
    const violations: string[] = [];
    let maxParallel = 0;
    const seen: Record<string, string[]> = {};
    // Reconciles wait until every update has been written, so all of them
    // arrive while one runs, however slow the machine is.
    let openGate!: () => void;
    const gate = new Promise<void>((r) => (openGate = r));
    class SlowReconciler implements Reconciler {
      async reconcile(req: Request, ctx: ReconcileContext): Promise<void> {
        const key = `${req.namespace}/${req.name}`;
        if (inFlight.has(key)) violations.push(key);
        inFlight.add(key);
        maxParallel = Math.max(maxParallel, inFlight.size);
        try {
          const obj = await ctx.cache.get(kinds.ConfigMap, req);
          (seen[req.name] ??= []).push(obj?.data?.n ?? '-');
          await gate;
          await new Promise((r) => setTimeout(r, 150));
        } finally {
          inFlight.delete(key);
        }
      }
    }
    manager.add(new SlowReconciler(), { for: kinds.ConfigMap, name: 'slow', maxConcurrentReconciles: 4, predicates: [(e) => e.object.metadata?.namespace === ns] });
    await manager.start();
    for (const n of ['a', 'b', 'c']) await client.create(kinds.ConfigMap, cm(ns, n, { n: '0' }));
    // A burst of updates to each key while reconciles of it run.
    await Promise.all(
      ['a', 'b', 'c'].map(async (n) => {
        for (let i = 1; i <= 15; i++) {
          await client.patch(kinds.ConfigMap, { namespace: ns, name: n }, { data: { n: String(i) } }, { type: 'merge' });
          await new Promise((r) => setTimeout(r, 20));
        }
      }),
    );
    openGate();
    // Level-based: each key is reconciled against its final state, in far fewer runs than events.
    await eventually(() => ['a', 'b', 'c'].every((n) => seen[n]?.at(-1) === '15') && inFlight.size === 0, { timeoutMs: 15_000, what: 'final states' });
    expect(violations).toEqual([]);
    expect(maxParallel).toBeGreaterThan(1); // different keys did run in parallel
    // The run holding the gate, then one for everything that arrived meanwhile
    // (a third if the cache delivered the last updates after that one began).
    for (const n of ['a', 'b', 'c']) expect(seen[n].length).toBeLessThanOrEqual(3);
  });

  it('serves fresh changes before the initial-list flood', async () => {
    const ns = await namespace();
    for (let i = 0; i < 150; i++) await client.create(kinds.ConfigMap, cm(ns, `old-${String(i).padStart(3, '0')}`));
    const order: string[] = [];
    class Slow implements Reconciler {
      async reconcile(req: Request): Promise<void> {
        order.push(req.name);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    manager.add(new Slow(), { for: kinds.ConfigMap, name: 'flood', predicates: [(e) => e.object.metadata?.namespace === ns] });
    await manager.start();
    await eventually(() => order.length >= 5, { what: 'the flood to start' });
    await client.create(kinds.ConfigMap, cm(ns, 'fresh'));
    const doneBefore = order.length;
    await eventually(() => order.includes('fresh'), { what: 'the fresh change' });
    const waitedBehind = order.indexOf('fresh') - doneBefore;
    await eventually(() => order.length === 151, { timeoutMs: 20_000, what: 'the whole flood' });
    // One worker, 20 ms per reconcile: the fresh change jumps the queue (waiting only for its watch
    // event to arrive) instead of waiting behind the ~140 old objects still queued.
    expect(waitedBehind).toBeLessThan(50);
  });

  it('backs off and retries a failing reconcile, and does not retry a TerminalError', async () => {
    const ns = await namespace();
    const attempts: Array<{ at: number; attempt: number }> = [];
    const terminal: number[] = [];
    class Flaky implements Reconciler {
      async reconcile(req: Request, ctx: ReconcileContext): Promise<void> {
        if (req.name === 'terminal') {
          terminal.push(Date.now());
          throw new TerminalError('bad spec');
        }
        attempts.push({ at: Date.now(), attempt: ctx.attempt });
        if (attempts.length < 5) throw new Error(`transient failure ${attempts.length}`);
      }
    }
    manager.add(new Flaky(), {
      for: kinds.ConfigMap,
      name: 'flaky',
      rateLimiter: new ItemExponentialFailureRateLimiter(100, 10_000),
      predicates: [(e) => e.object.metadata?.namespace === ns],
    });
    await manager.start();
    await client.create(kinds.ConfigMap, cm(ns, 'retry-me'));
    await client.create(kinds.ConfigMap, cm(ns, 'terminal'));
    await eventually(() => attempts.length === 5, { timeoutMs: 10_000, what: 'five attempts' });
    expect(attempts.map((a) => a.attempt)).toEqual([0, 1, 2, 3, 4]);
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i].at);
    // 100, 200, 400, 800 ms: timers are never early; above, a loaded machine adds scheduling delay
    // (the exact delays are checked with a fake clock in the work queue's unit tests).
    [100, 200, 400, 800].forEach((expected, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(expected - 5);
      expect(gaps[i]).toBeLessThan(expected + 1_000);
    });
    expect(gaps[3]).toBeGreaterThan(gaps[0]);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(attempts).toHaveLength(5); // success: no more retries
    expect(terminal).toHaveLength(1);
    const text = (await manager.metrics.render()).body;
    expect(text).toContain('controller_runtime_reconcile_errors_total{controller="flaky"} 5');
    expect(text).toContain('controller_runtime_terminal_reconcile_errors_total{controller="flaky"} 1');
    expect(text).toContain('workqueue_retries_total{name="flaky",controller="flaky"} 4');
  });

  it('enqueues the owner when an owned object changes, and its writes carry the cause', async () => {
    const ns = await namespace();
    const causes: Cause[][] = [];
    class SecretForConfigMap implements Reconciler {
      async reconcile(req: Request, ctx: ReconcileContext): Promise<void> {
        causes.push([...ctx.causes]);
        const owner = await ctx.cache.get(kinds.ConfigMap, req);
        if (!owner) return;
        const want = { copy: Buffer.from(owner.data?.value ?? '').toString('base64') };
        const existing = await ctx.cache.get(kinds.Secret, { namespace: req.namespace, name: `${req.name}-secret` });
        if (!existing) {
          const secret: Secret = { metadata: { name: `${req.name}-secret`, namespace: req.namespace }, data: want };
          setControllerReference(owner, secret);
          await ctx.client.create(kinds.Secret, secret);
        } else if (JSON.stringify(existing.data) !== JSON.stringify(want)) {
          await ctx.client.update(kinds.Secret, { ...structuredClone(existing), data: want });
        }
      }
    }
    manager.add(new SecretForConfigMap(), { for: kinds.ConfigMap, owns: [kinds.Secret], name: 'secret-for-configmap', predicates: [(e) => e.object.metadata?.namespace === ns] });
    await manager.start();
    const owner = await client.create(kinds.ConfigMap, cm(ns, 'owner', { value: 'v1' }));
    const secretData = async () => (await client.get(kinds.Secret, { namespace: ns, name: 'owner-secret' }).catch(() => undefined))?.data?.copy;
    await eventually(async () => (await secretData()) === Buffer.from('v1').toString('base64'), { what: 'the owned secret' });

    // Someone tampers with the owned object: the owner is reconciled, and the drift undone.
    const before = causes.length;
    const tampered = await client.patch(kinds.Secret, { namespace: ns, name: 'owner-secret' }, { data: { copy: 'dGFtcGVyZWQ=' } }, { type: 'merge' });
    await eventually(async () => (await secretData()) === Buffer.from('v1').toString('base64'), { what: 'the drift to be undone' });
    const ownsCause = causes.slice(before).flat().find((c) => c.source === 'owns' && c.resourceVersion === tampered.metadata!.resourceVersion);
    expect(ownsCause).toMatchObject({ type: 'UPDATED', kind: kinds.Secret });

    // The log says why each write happened.
    const history = await causeSeqsOf(server, ns, 'owner-secret');
    expect(history[0].cause).toBe(owner.metadata!.resourceVersion); // created because the ConfigMap was added
    expect(history[0].manager).toBe('secret-for-configmap');
    expect(history.at(-1)!.cause).toBe(tampered.metadata!.resourceVersion); // restored because of the tampering
  });

  it('reads its own writes from the cache within the same reconcile', async () => {
    const ns = await namespace();
    const found: Array<string | undefined> = [];
    class CreatesThenReads implements Reconciler {
      async reconcile(req: Request, ctx: ReconcileContext): Promise<void> {
        if (req.name.endsWith('-child')) return;
        const name = `${req.name}-child`;
        const created = await ctx.client.create(kinds.ConfigMap, cm(req.namespace, name, { from: req.name }));
        found.push((await ctx.cache.get(kinds.ConfigMap, { namespace: req.namespace, name }))?.metadata?.resourceVersion === created.metadata!.resourceVersion ? 'created' : 'stale');
        await ctx.client.delete(kinds.ConfigMap, { namespace: req.namespace, name });
        found.push((await ctx.cache.get(kinds.ConfigMap, { namespace: req.namespace, name })) === undefined ? 'deleted' : 'stale');
      }
    }
    manager.add(new CreatesThenReads(), { for: kinds.ConfigMap, name: 'read-your-writes', predicates: [(e) => e.type === 'ADDED' && e.object.metadata?.namespace === ns] });
    await manager.start();
    for (let i = 0; i < 5; i++) await client.create(kinds.ConfigMap, cm(ns, `parent-${i}`));
    await eventually(() => found.length === 10, { what: 'ten reads' });
    expect(found).toEqual(Array(5).fill(['created', 'deleted']).flat());
  });

  it('filters with predicates: generationChanged ignores status-only updates', async () => {
    const ns = await namespace();
    const reasons: string[] = [];
    class DeploymentWatcher implements Reconciler {
      async reconcile(_req: Request, ctx: ReconcileContext): Promise<void> {
        reasons.push(...ctx.causes.map((c) => `${c.type} gen=${c.object.metadata?.generation}`));
      }
    }
    manager.add(new DeploymentWatcher(), { for: { kind: kinds.Deployment, predicates: [generationChanged] }, name: 'generation', predicates: [(e) => e.object.metadata?.namespace === ns] });
    await manager.start();
    const d: Deployment = {
      metadata: { name: 'web', namespace: ns },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    };
    const created = await client.create(kinds.Deployment, d);
    await eventually(() => reasons.length === 1, { what: 'the create' });
    await client.updateStatus(kinds.Deployment, { ...created, status: { replicas: 1, observedGeneration: 1 } });
    await client.patch(kinds.Deployment, { namespace: ns, name: 'web' }, { metadata: { labels: { x: 'y' } } }, { type: 'merge' });
    await client.patch(kinds.Deployment, { namespace: ns, name: 'web' }, { spec: { replicas: 3 } }, { type: 'merge' });
    await eventually(() => reasons.length === 2, { what: 'the spec change' });
    expect(reasons).toEqual(['ADDED gen=1', 'UPDATED gen=2']);
  });

  it('maps other kinds to requests through watches, and requeues after a delay', async () => {
    const ns = await namespace();
    const runs: Array<{ name: string; sources: string[] }> = [];
    class Watcher implements Reconciler {
      async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
        runs.push({ name: req.name, sources: ctx.causes.map((c) => c.source) });
        return req.name === 'periodic' && runs.filter((r) => r.name === 'periodic').length < 3 ? { requeueAfter: 200 } : {};
      }
    }
    manager.add(new Watcher(), {
      for: kinds.ConfigMap,
      name: 'mapper',
      predicates: [(e) => e.object.metadata?.namespace === ns],
      watches: [{ kind: kinds.Secret, map: (s) => ({ namespace: s.metadata!.namespace!, name: s.metadata!.labels?.target ?? '' }) }],
    });
    await manager.start();
    await client.create(kinds.Secret, { metadata: { name: 's', namespace: ns, labels: { target: 'mapped' } } });
    await eventually(() => runs.some((r) => r.name === 'mapped' && r.sources.includes('watches')), { what: 'the mapped request' });
    await client.create(kinds.ConfigMap, cm(ns, 'periodic'));
    await eventually(() => runs.filter((r) => r.name === 'periodic').length === 3, { what: 'two requeues' });
    expect(runs.filter((r) => r.name === 'periodic').map((r) => r.sources)).toEqual([['for'], [], []]);
  });

  it('records events with aggregation, and runs cleanup under a finalizer before deletion', async () => {
    const ns = await namespace();
    const cleaned: string[] = [];
    class Finalizing implements Reconciler {
      async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
        const obj = await ctx.cache.get(kinds.ConfigMap, req);
        if (!obj) return {};
        return reconcileWithFinalizer(ctx.client, kinds.ConfigMap, obj, 'example.com/cleanup', {
          apply: async (o) => {
            await ctx.recorder.event(o, 'Normal', 'Synced', 'all good');
          },
          cleanup: async (o) => {
            cleaned.push(o.metadata!.name!);
          },
        });
      }
    }
    manager.add(new Finalizing(), { for: kinds.ConfigMap, name: 'finalizing', predicates: [(e) => e.object.metadata?.namespace === ns] });
    await manager.start();
    await client.create(kinds.ConfigMap, cm(ns, 'guarded'));
    await eventually(async () => (await client.get(kinds.ConfigMap, { namespace: ns, name: 'guarded' })).metadata?.finalizers?.includes('example.com/cleanup'), {
      what: 'the finalizer',
    });
    // Two more changes: identical events aggregate into one with a count.
    await client.patch(kinds.ConfigMap, { namespace: ns, name: 'guarded' }, { data: { a: '1' } }, { type: 'merge' });
    await eventually(async () => (await client.list(kinds.Event, { namespace: ns })).items.some((e) => (e.count ?? 0) >= 2), { what: 'an aggregated event' });
    const events = (await client.list(kinds.Event, { namespace: ns })).items;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ reason: 'Synced', message: 'all good', type: 'Normal', involvedObject: { kind: 'ConfigMap', name: 'guarded', namespace: ns }, source: { component: 'finalizing' } });

    await client.delete(kinds.ConfigMap, { namespace: ns, name: 'guarded' });
    await eventually(async () => (await client.get(kinds.ConfigMap, { namespace: ns, name: 'guarded' }).catch(() => 'gone')) === 'gone', { what: 'deletion' });
    expect(cleaned).toEqual(['guarded']);
  });

  it('adds and removes controllers while the manager runs', async () => {
    const ns = await namespace();
    const seen: string[] = [];
    class Late implements Reconciler {
      async reconcile(req: Request): Promise<void> {
        seen.push(req.name);
      }
    }
    await manager.start();
    const controller = manager.add(new Late(), { for: kinds.ConfigMap, name: 'late', predicates: [(e) => e.object.metadata?.namespace === ns] });
    await client.create(kinds.ConfigMap, cm(ns, 'one'));
    await eventually(() => seen.includes('one'), { what: 'the late controller to run' });
    expect(await manager.remove('late')).toBe(true);
    expect(controller.isRunning).toBe(false);
    expect(manager.controller('late')).toBeUndefined();
    // A witness watching the same objects shows when 'two' has been delivered.
    const witnessed: string[] = [];
    manager.add({ reconcile: async (req: Request) => void witnessed.push(req.name) }, { for: kinds.ConfigMap, name: 'witness', predicates: [(e) => e.object.metadata?.namespace === ns] });
    await client.create(kinds.ConfigMap, cm(ns, 'two'));
    await eventually(() => witnessed.includes('two'), { what: 'the witness' });
    expect(seen).not.toContain('two');
    expect(await manager.remove('late')).toBe(false);
  });

  it('reports readiness and controller metrics', async () => {
    class Noop implements Reconciler {
      async reconcile(): Promise<void> {}
    }
    manager.add(new Noop(), { for: kinds.Namespace, name: 'noop' });
    expect(manager.readyz().ok).toBe(false);
    await manager.start();
    expect(await manager.waitForCacheSync(10_000)).toBe(true);
    expect(manager.readyz()).toEqual({ ok: true, checks: { manager: '', 'informer:namespaces': '' } });
    await eventually(async () => /controller_runtime_reconcile_total\{controller="noop",result="success"\} [1-9]/.test((await manager.metrics.render()).body), { what: 'metrics' });
    const text = (await manager.metrics.render()).body;
    for (const name of ['workqueue_depth', 'workqueue_adds_total', 'workqueue_queue_duration_seconds_bucket', 'workqueue_work_duration_seconds_bucket', 'controller_runtime_reconcile_time_seconds_bucket']) {
      expect(text).toContain(`${name}{`);
    }
  });
});
