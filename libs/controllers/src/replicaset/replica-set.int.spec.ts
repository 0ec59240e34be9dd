import type { Event, Pod, ReplicaSet, ReplicationController } from '@logbook/api';
import { ControllerManager, kinds, KubeClient } from '@logbook/sdk';
import { eventually, startTestApiServer, TestApiServer } from '@logbook/sdk/testing';
import { Subscription } from 'rxjs';
import { ReplicaSetReconciler, ReplicationControllerReconciler } from '.';
import { ApiProxy } from './testing/api-proxy';

jest.setTimeout(120_000);

const rsNamed = (name: string, namespace: string, replicas: number, extra: Partial<ReplicaSet['spec']> = {}): ReplicaSet => ({
  metadata: { name, namespace },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'luksa/kubia' }] } },
    ...extra,
  },
});

/** The seed's ReplicationController (chapter 4), verbatim. */
const seedKubiaRc = (): ReplicationController => ({
  apiVersion: 'v1',
  kind: 'ReplicationController',
  metadata: { name: 'kubia' },
  spec: {
    replicas: 3,
    selector: { app: 'kubia' },
    template: { metadata: { labels: { app: 'kubia' } }, spec: { containers: [{ name: 'kubia', image: 'wuyinio/kubia', ports: [{ containerPort: 8080 }] }] } },
  },
});

describe('ReplicaSet and ReplicationController controllers', () => {
  let server: TestApiServer;
  let proxy: ApiProxy;
  let manager: ControllerManager;
  let client: KubeClient;
  let nsCount = 0;

  beforeAll(async () => {
    server = await startTestApiServer();
    client = server.client;
    proxy = await ApiProxy.start(server.url);
    manager = new ControllerManager({ client: new KubeClient({ server: proxy.url }) });
    manager.add(new ReplicaSetReconciler(manager.informers));
    manager.add(new ReplicationControllerReconciler(manager.informers));
    await manager.start();
  });
  afterAll(async () => {
    await manager?.stop();
    await proxy?.close();
    await server?.stop();
  });
  afterEach(() => {
    proxy.rules = {};
  });

  async function freshNamespace(): Promise<string> {
    const name = `rs-test-${++nsCount}`;
    await client.create(kinds.Namespace, { metadata: { name } });
    return name;
  }

  const podsOf = async (namespace: string, app: string) => (await client.list(kinds.Pod, { namespace, labelSelector: `app=${app}` })).items;
  const livePods = async (namespace: string, app: string) => (await podsOf(namespace, app)).filter((p) => !p.metadata?.deletionTimestamp);
  const waitForPods = (namespace: string, app: string, n: number) =>
    eventually(async () => {
      const pods = await livePods(namespace, app);
      return pods.length === n ? pods : undefined;
    }, { what: `${n} pods app=${app} in ${namespace}`, timeoutMs: 20_000 });
  const rsStatus = async (namespace: string, name: string) => (await client.get(kinds.ReplicaSet, { namespace, name })).status;
  const events = async (namespace: string) => (await client.list(kinds.Event, { namespace })).items as Event[];

  async function makeReady(pod: Pod, at = new Date()): Promise<void> {
    const fresh = await client.get(kinds.Pod, { namespace: pod.metadata!.namespace, name: pod.metadata!.name! });
    await client.updateStatus(kinds.Pod, {
      ...fresh,
      status: { ...fresh.status, phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at.toISOString().replace(/\.\d{3}Z$/, 'Z') }] },
    });
  }

  it('creates replicas pods named <rs>-<5 chars>, controlled by the ReplicaSet, with SuccessfulCreate events and status', async () => {
    const ns = await freshNamespace();
    const rs = await client.create(kinds.ReplicaSet, rsNamed('kubia', ns, 3));
    const pods = await waitForPods(ns, 'kubia', 3);
    for (const p of pods) {
      expect(p.metadata!.name).toMatch(/^kubia-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(p.metadata!.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'kubia', uid: rs.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
    }
    await eventually(async () => {
      const s = await rsStatus(ns, 'kubia');
      return s?.replicas === 3 && s.fullyLabeledReplicas === 3 && s.readyReplicas === 0 && s.observedGeneration === 1;
    }, { what: 'status replicas 3, observedGeneration 1' });
    const created = await eventually(async () => {
      const e = (await events(ns)).filter((x) => x.reason === 'SuccessfulCreate');
      return e.length === 3 ? e : undefined;
    }, { what: 'three SuccessfulCreate events' });
    expect(created.map((e) => e.message).sort()).toEqual(pods.map((p) => `Created pod: ${p.metadata!.name}`).sort());
    expect(created[0].involvedObject).toMatchObject({ kind: 'ReplicaSet', name: 'kubia', uid: rs.metadata!.uid });
    expect(created[0].source?.component).toBe('replicaset-controller');
  });

  it('scales up and down; scaling down deletes not-ready pods before ready ones', async () => {
    const ns = await freshNamespace();
    await client.create(kinds.ReplicaSet, rsNamed('web', ns, 2));
    const first = await waitForPods(ns, 'web', 2);
    for (const p of first) await makeReady(p);
    await eventually(async () => (await rsStatus(ns, 'web'))?.readyReplicas === 2, { what: 'readyReplicas 2' });

    await client.updateScale(kinds.ReplicaSet, { namespace: ns, name: 'web' }, { spec: { replicas: 5 } });
    await waitForPods(ns, 'web', 5);
    await client.updateScale(kinds.ReplicaSet, { namespace: ns, name: 'web' }, { spec: { replicas: 2 } });
    const kept = await waitForPods(ns, 'web', 2);
    expect(kept.map((p) => p.metadata!.name).sort()).toEqual(first.map((p) => p.metadata!.name).sort());
    await eventually(async () => {
      const s = await rsStatus(ns, 'web');
      return s?.replicas === 2 && s.readyReplicas === 2 && s.availableReplicas === 2 && s.observedGeneration === 3;
    }, { what: 'status after scaling down' });
    // Events are recorded beside the work, not before the status: wait for them.
    const deleted = await eventually(async () => {
      const e = (await events(ns)).filter((x) => x.reason === 'SuccessfulDelete');
      return e.length >= 3 ? e : undefined;
    }, { what: 'three SuccessfulDelete events' });
    expect(deleted).toHaveLength(3);
    expect(deleted[0].message).toMatch(/^Deleted pod: web-/);
  });

  it('replaces a pod deleted by hand', async () => {
    const ns = await freshNamespace();
    await client.create(kinds.ReplicaSet, rsNamed('kubia', ns, 3));
    const pods = await waitForPods(ns, 'kubia', 3);
    const victim = pods[0].metadata!.name!;
    await client.delete(kinds.Pod, { namespace: ns, name: victim });
    const after = await eventually(async () => {
      const now = await livePods(ns, 'kubia');
      return now.length === 3 && !now.some((p) => p.metadata!.name === victim) ? now : undefined;
    }, { what: 'a replacement pod' });
    expect(after.filter((p) => !pods.some((q) => q.metadata!.uid === p.metadata!.uid))).toHaveLength(1);
  });

  it('releases a pod whose labels stop matching, and creates another', async () => {
    const ns = await freshNamespace();
    await client.create(kinds.ReplicaSet, rsNamed('kubia', ns, 3));
    const pods = await waitForPods(ns, 'kubia', 3);
    const moved = pods[0].metadata!.name!;
    await client.patch(kinds.Pod, { namespace: ns, name: moved }, { metadata: { labels: { app: 'foo' } } }, { type: 'merge' });
    await eventually(async () => !(await client.get(kinds.Pod, { namespace: ns, name: moved })).metadata?.ownerReferences, { what: 'the ownerReference removed' });
    const now = await waitForPods(ns, 'kubia', 3);
    expect(now.some((p) => p.metadata!.name === moved)).toBe(false);
    expect((await client.get(kinds.Pod, { namespace: ns, name: moved })).metadata?.labels).toEqual({ app: 'foo' });
  });

  it('adopts matching orphans, before creating and after', async () => {
    const ns = await freshNamespace();
    const orphan = (name: string): Pod => ({ metadata: { name, namespace: ns, labels: { app: 'kubia', env: 'prod' } }, spec: { containers: [{ name: 'c', image: 'luksa/kubia' }] } });
    await client.create(kinds.Pod, orphan('early-1'));
    await client.create(kinds.Pod, orphan('early-2'));
    const rs = await client.create(
      kinds.ReplicaSet,
      rsNamed('kubia', ns, 3, {
        selector: { matchLabels: { app: 'kubia' }, matchExpressions: [{ key: 'env', operator: 'Exists' }, { key: 'ENV', operator: 'DoesNotExist' }] },
        template: { metadata: { labels: { app: 'kubia', env: 'prod' } }, spec: { containers: [{ name: 'c', image: 'luksa/kubia' }] } },
      }),
    );
    const pods = await waitForPods(ns, 'kubia', 3);
    expect(pods.map((p) => p.metadata!.name)).toEqual(expect.arrayContaining(['early-1', 'early-2']));
    for (const p of pods) expect(p.metadata!.ownerReferences?.[0]?.uid).toBe(rs.metadata!.uid);

    // A late orphan is adopted too, and one pod goes, to keep three.
    await client.create(kinds.Pod, orphan('late'));
    await eventually(async () => (await client.get(kinds.Pod, { namespace: ns, name: 'late' }).catch(() => undefined))?.metadata?.ownerReferences?.[0]?.uid === rs.metadata!.uid || !(await client.get(kinds.Pod, { namespace: ns, name: 'late' }).catch(() => undefined)), {
      what: 'the late orphan adopted (or adopted and then deleted as the newest)',
    });
    await waitForPods(ns, 'kubia', 3);
    // A pod that does not match the expressions is left alone.
    await client.create(kinds.Pod, { metadata: { name: 'no-env', namespace: ns, labels: { app: 'kubia' } }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    await waitForPods(ns, 'kubia', 4);
    expect((await client.get(kinds.Pod, { namespace: ns, name: 'no-env' })).metadata?.ownerReferences).toBeUndefined();
  });

  it('creates in slow-start batches of 1, 2, 4, 8', async () => {
    const ns = await freshNamespace();
    // Each pod create takes 300 ms, so batches show as groups of requests 300 ms apart.
    proxy.rules = { delay: { match: (m, p) => m === 'POST' && p.startsWith(`/api/v1/namespaces/${ns}/pods`), delayMs: 300 } };
    await client.create(kinds.ReplicaSet, rsNamed('batch', ns, 15));
    await waitForPods(ns, 'batch', 15);
    const starts = proxy.matching('POST', new RegExp(`^/api/v1/namespaces/${ns}/pods`)).map((r) => r.at);
    expect(starts).toHaveLength(15);
    // A batch starts only when the previous one has been answered (>= 300 ms after its last request).
    const groups: number[][] = [];
    for (const t of starts) {
      const g = groups[groups.length - 1];
      if (g && t - g[g.length - 1] < 200) g.push(t);
      else groups.push([t]);
    }
    expect(groups.map((g) => g.length)).toEqual([1, 2, 4, 8]);
  });

  it('does not create twice while its pod cache lags behind its own creates (expectations)', async () => {
    const ns = await freshNamespace();
    // The pod watch runs 1.5 s late; the ReplicaSet's own status update comes back at once and queues another sync.
    proxy.rules = { delay: { match: (m, p) => m === 'GET' && p.startsWith('/api/v1/pods') && p.includes('watch=true'), delayMs: 1500 } };
    const seen = new Set<string>();
    const sub: Subscription = client.watch(kinds.Pod, { namespace: ns }).subscribe((e) => {
      if (e.type === 'ADDED') seen.add(e.object.metadata!.name!);
    });
    try {
      await client.create(kinds.ReplicaSet, rsNamed('steady', ns, 4));
      await waitForPods(ns, 'steady', 4);
      await eventually(async () => (await rsStatus(ns, 'steady'))?.replicas === 4, { what: 'status replicas 4', timeoutMs: 20_000 });
      await new Promise((r) => setTimeout(r, 2000)); // let any second round of creates happen, if it would
      expect(seen.size).toBe(4);
      expect(await livePods(ns, 'steady')).toHaveLength(4);
    } finally {
      sub.unsubscribe();
    }
  });

  it('reports FailedCreate and the ReplicaFailure condition when creates fail, after one attempt, and recovers', async () => {
    const ns = await freshNamespace();
    proxy.rules = {
      reject: { match: (m, p) => m === 'POST' && p.startsWith(`/api/v1/namespaces/${ns}/pods`), code: 403, reason: 'Forbidden', message: 'pods "x" is forbidden: exceeded quota: compute' },
    };
    await client.create(kinds.ReplicaSet, rsNamed('quota', ns, 10));
    const cond = await eventually(async () => (await rsStatus(ns, 'quota'))?.conditions?.find((c) => c.type === 'ReplicaFailure'), { what: 'ReplicaFailure' });
    expect(cond).toMatchObject({ status: 'True', reason: 'FailedCreate', message: expect.stringContaining('exceeded quota') });
    const failed = await eventually(async () => {
      const e = (await events(ns)).filter((x) => x.reason === 'FailedCreate');
      return e.length ? e : undefined;
    }, { what: 'a FailedCreate event' });
    expect(failed[0].type).toBe('Warning');
    expect(failed[0].message).toMatch(/^Error creating: .*exceeded quota/);
    // The first sync sent one create, not ten (slow start).
    const attempts = proxy.matching('POST', new RegExp(`^/api/v1/namespaces/${ns}/pods`));
    expect(attempts.length).toBeLessThan(10);
    proxy.rules = {};
    await waitForPods(ns, 'quota', 10);
    await eventually(async () => !(await rsStatus(ns, 'quota'))?.conditions?.some((c) => c.type === 'ReplicaFailure'), { what: 'ReplicaFailure removed', timeoutMs: 30_000 });
  });

  it('counts available replicas only after minReadySeconds', async () => {
    const ns = await freshNamespace();
    await client.create(kinds.ReplicaSet, rsNamed('slow', ns, 2, { minReadySeconds: 2 }));
    const pods = await waitForPods(ns, 'slow', 2);
    const readyAt = new Date(Math.floor(Date.now() / 1000) * 1000); // conditions keep whole seconds
    for (const p of pods) await makeReady(p, readyAt);
    await eventually(async () => {
      const s = await rsStatus(ns, 'slow');
      return s?.readyReplicas === 2 && s.availableReplicas === 0;
    }, { what: 'ready but not yet available' });
    await eventually(async () => (await rsStatus(ns, 'slow'))?.availableReplicas === 2, { what: 'available after minReadySeconds', timeoutMs: 10_000 });
    expect(Date.now() - readyAt.getTime()).toBeGreaterThanOrEqual(1900);
  });

  it('applies a changed template to new pods only', async () => {
    const ns = await freshNamespace();
    await client.create(kinds.ReplicaSet, rsNamed('tpl', ns, 2));
    const before = await waitForPods(ns, 'tpl', 2);
    await client.patch(kinds.ReplicaSet, { namespace: ns, name: 'tpl' }, { spec: { template: { spec: { containers: [{ name: 'main', image: 'luksa/kubia:v2' }] } } } }, { type: 'merge' });
    await eventually(async () => (await rsStatus(ns, 'tpl'))?.observedGeneration === 2, { what: 'generation 2 observed' });
    for (const p of await livePods(ns, 'tpl')) expect(p.spec!.containers[0].image).toBe('luksa/kubia');
    await client.delete(kinds.Pod, { namespace: ns, name: before[0].metadata!.name! });
    const after = await eventually(async () => {
      const pods = await livePods(ns, 'tpl');
      return pods.length === 2 && pods.some((p) => p.spec!.containers[0].image === 'luksa/kubia:v2') ? pods : undefined;
    }, { what: 'a new pod from the new template' });
    expect(after.map((p) => p.spec!.containers[0].image).sort()).toEqual(['luksa/kubia', 'luksa/kubia:v2']);
  });

  it("runs the seed's kubia ReplicationController: 3 pods, scaled to 5, a hand-deleted pod replaced", async () => {
    const ns = await freshNamespace();
    const rc = await client.create(kinds.ReplicationController, { ...seedKubiaRc(), metadata: { name: 'kubia', namespace: ns } });
    const pods = await waitForPods(ns, 'kubia', 3);
    for (const p of pods) {
      expect(p.metadata!.name).toMatch(/^kubia-[a-z0-9]{5}$/);
      expect(p.metadata!.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'ReplicationController', name: 'kubia', uid: rc.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
      expect(p.spec!.containers[0]).toMatchObject({ name: 'kubia', image: 'wuyinio/kubia' });
    }
    await client.updateScale(kinds.ReplicationController, { namespace: ns, name: 'kubia' }, { spec: { replicas: 5 } });
    await waitForPods(ns, 'kubia', 5);
    await client.delete(kinds.Pod, { namespace: ns, name: pods[1].metadata!.name! });
    await eventually(async () => {
      const now = await livePods(ns, 'kubia');
      return now.length === 5 && !now.some((p) => p.metadata!.name === pods[1].metadata!.name);
    }, { what: 'five pods again' });
    await eventually(async () => {
      const s = (await client.get(kinds.ReplicationController, { namespace: ns, name: 'kubia' })).status;
      return s?.replicas === 5 && s.fullyLabeledReplicas === 5 && s.observedGeneration === 2;
    }, { what: 'RC status' });
    const e = await eventually(async () => (await events(ns)).find((x) => x.reason === 'SuccessfulCreate'), { what: 'a SuccessfulCreate event' });
    expect(e.source?.component).toBe('replication-controller');
  });
});
