import type { PersistentVolumeClaim, Pod, Service, StatefulSet } from '@logbook/api';
import { ControllerManager, kinds, KubeClient, WatchEvent } from '@logbook/sdk';
import { Subscription } from 'rxjs';
import { ClaimBinderReconciler, DefaultStorageClassReconciler, VolumePhaseReconciler } from '../persistentvolume';
import { HostPathProvisionerReconciler } from '../hostpath-provisioner';
import { aStatefulSet, eventually, isPodReady, SimulatedCluster, startSimulatedCluster } from '../testing';
import { controllerRevisions, POD_NAME_LABEL, REVISION_LABEL, StatefulSetReconciler } from '.';

jest.setTimeout(180_000);

/** The seed's headless Service and StatefulSet (chapter 10), verbatim. */
const seedKubiaService = (): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'kubia' },
  spec: { clusterIP: 'None', selector: { app: 'kubia' }, ports: [{ port: 80, name: 'http' }] },
});
const seedKubiaStatefulSet = (): StatefulSet => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'kubia' },
  spec: {
    serviceName: 'kubia',
    replicas: 2,
    template: {
      metadata: { labels: { app: 'kubia' } },
      spec: {
        containers: [{ name: 'kubia', image: 'yinzige/kubia-pet', ports: [{ containerPort: 8080, name: 'http' }], volumeMounts: [{ mountPath: '/var/data', name: 'data' }] }],
      },
    },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '1Mi' } }, accessModes: ['ReadWriteOnce'] } }],
    selector: { matchLabels: { app: 'kubia' } },
  },
});

interface Seen {
  type: string;
  name: string;
  rv: number;
  obj: Pod | PersistentVolumeClaim;
}

/** Every pod and claim event of a namespace, in log order (resourceVersion = position in the log). */
class EventLog {
  readonly events: Seen[] = [];
  private readonly subs: Subscription[] = [];

  static async start(client: KubeClient, namespace: string): Promise<EventLog> {
    const log = new EventLog();
    for (const kind of [kinds.Pod, kinds.PersistentVolumeClaim] as const) {
      const { resourceVersion } = await client.list(kind as typeof kinds.Pod, { namespace });
      log.subs.push(
        client.watch(kind as typeof kinds.Pod, { namespace, resourceVersion }).subscribe((e: WatchEvent<Pod>) => {
          if (e.type === 'BOOKMARK') return;
          log.events.push({ type: `${kind.kind}:${e.type}`, name: e.object.metadata!.name!, rv: Number(e.object.metadata!.resourceVersion), obj: e.object });
        }),
      );
    }
    return log;
  }

  stop(): void {
    this.subs.forEach((s) => s.unsubscribe());
  }

  /** Position of the first event matching. */
  first(pred: (e: Seen) => boolean): number | undefined {
    return this.events.filter(pred).sort((a, b) => a.rv - b.rv)[0]?.rv;
  }

  podsCreated(): string[] {
    return this.events
      .filter((e) => e.type === 'Pod:ADDED')
      .sort((a, b) => a.rv - b.rv)
      .map((e) => e.name);
  }

  /** When a pod (by uid) first had a deletionTimestamp (or vanished without one). */
  deletionStarted(name: string): number | undefined {
    return this.first((e) => e.name === name && e.type.startsWith('Pod:') && (!!e.obj.metadata?.deletionTimestamp || e.type === 'Pod:DELETED'));
  }

  readySince(name: string): number | undefined {
    return this.first((e) => e.name === name && e.type === 'Pod:MODIFIED' && isPodReady(e.obj as Pod));
  }
}

describe('StatefulSet controller on a simulated cluster', () => {
  let cluster: SimulatedCluster;
  let client: KubeClient;
  let manager: ControllerManager;
  let nsCount = 0;

  beforeAll(async () => {
    cluster = await startSimulatedCluster({ nodes: 2 });
    client = cluster.client;
    manager = new ControllerManager({ server: cluster.url, identity: 'statefulset-test' });
    manager.add(new StatefulSetReconciler());
    manager.add(new ClaimBinderReconciler());
    manager.add(new VolumePhaseReconciler());
    manager.add(new DefaultStorageClassReconciler());
    manager.add(new HostPathProvisionerReconciler());
    await manager.start();
  });
  afterAll(async () => {
    await manager?.stop();
    await cluster?.stop();
  });

  const freshNamespace = async (): Promise<string> => {
    const name = `sts-${++nsCount}`;
    await client.create(kinds.Namespace, { metadata: { name } });
    return name;
  };
  const getSet = (namespace: string, name: string) => client.get(kinds.StatefulSet, { namespace, name });
  const pods = async (namespace: string) => (await client.list(kinds.Pod, { namespace })).items;
  const readyPods = async (namespace: string) => (await pods(namespace)).filter((p) => isPodReady(p) && !p.metadata?.deletionTimestamp);
  const scale = (namespace: string, name: string, replicas: number) => client.patch(kinds.StatefulSet, { namespace, name }, { spec: { replicas } }, { type: 'merge' });

  it('runs the seed kubia StatefulSet: pods created one at a time in order, each after its predecessor is Ready, with stable identity and bound claims', async () => {
    const ns = await freshNamespace();
    const log = await EventLog.start(client, ns);
    try {
      await client.create(kinds.Service, { ...seedKubiaService(), metadata: { name: 'kubia', namespace: ns } });
      await client.create(kinds.StatefulSet, { ...seedKubiaStatefulSet(), metadata: { name: 'kubia', namespace: ns } });
      await eventually(async () => (await readyPods(ns)).length === 2, { timeoutMs: 30_000, what: 'kubia-0 and kubia-1 Ready' });
      await scale(ns, 'kubia', 3);
      await eventually(async () => (await readyPods(ns)).length === 3, { timeoutMs: 30_000, what: 'three Ready pods' });

      expect(log.podsCreated()).toEqual(['kubia-0', 'kubia-1', 'kubia-2']);
      // Each pod appears in the log only after its predecessor was Running and Ready.
      expect(log.first((e) => e.type === 'Pod:ADDED' && e.name === 'kubia-1')!).toBeGreaterThan(log.readySince('kubia-0')!);
      expect(log.first((e) => e.type === 'Pod:ADDED' && e.name === 'kubia-2')!).toBeGreaterThan(log.readySince('kubia-1')!);
      // Each claim is created before its pod.
      for (const i of [0, 1, 2]) {
        expect(log.first((e) => e.type === 'PersistentVolumeClaim:ADDED' && e.name === `data-kubia-${i}`)!).toBeLessThan(
          log.first((e) => e.type === 'Pod:ADDED' && e.name === `kubia-${i}`)!,
        );
      }

      const pod1 = await client.get(kinds.Pod, { namespace: ns, name: 'kubia-1' });
      expect(pod1.spec?.hostname).toBe('kubia-1');
      expect(pod1.spec?.subdomain).toBe('kubia');
      expect(pod1.metadata?.labels).toMatchObject({ app: 'kubia', [POD_NAME_LABEL]: 'kubia-1', 'apps.kubernetes.io/pod-index': '1' });
      expect(pod1.spec?.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim?.claimName).toBe('data-kubia-1');
      expect(pod1.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'StatefulSet', name: 'kubia', controller: true });

      // The claims bind, through the default StorageClass made at start and its hostPath provisioner.
      await eventually(
        async () => (await client.list(kinds.PersistentVolumeClaim, { namespace: ns })).items.filter((c) => c.status?.phase === 'Bound').length === 3,
        { timeoutMs: 20_000, what: 'three Bound claims' },
      );
      const claim = await client.get(kinds.PersistentVolumeClaim, { namespace: ns, name: 'data-kubia-0' });
      expect(claim.metadata?.labels).toEqual({ app: 'kubia' });
      const pv = await client.get(kinds.PersistentVolume, { name: claim.spec!.volumeName! });
      expect(pv.spec).toMatchObject({ storageClassName: 'standard', capacity: { storage: '1Mi' }, claimRef: { name: 'data-kubia-0', namespace: ns, uid: claim.metadata?.uid } });
      expect(pv.status?.phase).toBe('Bound');

      const set = await eventually(async () => {
        const s = await getSet(ns, 'kubia');
        return s.status?.readyReplicas === 3 && s.status.observedGeneration === s.metadata?.generation ? s : undefined;
      });
      expect(set.status).toMatchObject({ replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3, collisionCount: 0 });
      expect(set.status?.currentRevision).toBe(set.status?.updateRevision);
      expect((await pods(ns)).every((p) => p.metadata?.labels?.[REVISION_LABEL] === set.status?.updateRevision)).toBe(true);
      const revision = await client.get(controllerRevisions, { namespace: ns, name: set.status!.updateRevision! });
      expect(revision.revision).toBe(1);
    } finally {
      log.stop();
    }
  });

  it('scales down in reverse ordinal order, one pod at a time, keeping the claims', async () => {
    const ns = await freshNamespace();
    await client.create(kinds.StatefulSet, aStatefulSet('web').inNamespace(ns).withReplicas(4).withVolumeClaim('data', '1Mi', '/data').build());
    await eventually(async () => (await readyPods(ns)).length === 4, { timeoutMs: 40_000, what: 'four Ready pods' });
    const log = await EventLog.start(client, ns);
    try {
      await scale(ns, 'web', 1);
      await eventually(async () => (await pods(ns)).map((p) => p.metadata?.name).join() === 'web-0', { timeoutMs: 30_000, what: 'only web-0 left' });
      const started = [3, 2, 1].map((i) => log.deletionStarted(`web-${i}`)!);
      const gone = [3, 2, 1].map((i) => log.first((e) => e.type === 'Pod:DELETED' && e.name === `web-${i}`)!);
      // web-3 goes first; web-2's deletion starts only once web-3 is gone, then web-1 after web-2.
      expect(started[0]).toBeLessThan(started[1]);
      expect(started[1]).toBeGreaterThan(gone[0]);
      expect(started[2]).toBeGreaterThan(gone[1]);
      expect(log.deletionStarted('web-0')).toBeUndefined();
      // Claims are retained (persistentVolumeClaimRetentionPolicy Retain).
      const claims = (await client.list(kinds.PersistentVolumeClaim, { namespace: ns })).items.map((c) => c.metadata?.name).sort();
      expect(claims).toEqual(['data-web-0', 'data-web-1', 'data-web-2', 'data-web-3']);
      await eventually(async () => (await getSet(ns, 'web')).status?.replicas === 1, { what: 'status.replicas 1' });
    } finally {
      log.stop();
    }
  });

  it('brings a deleted pod back with the same name, identity and claim', async () => {
    const ns = await freshNamespace();
    await client.create(kinds.StatefulSet, aStatefulSet('db').inNamespace(ns).withReplicas(2).withVolumeClaim('data', '1Mi', '/data').build());
    await eventually(async () => (await readyPods(ns)).length === 2, { timeoutMs: 30_000, what: 'two Ready pods' });
    const before = await client.get(kinds.Pod, { namespace: ns, name: 'db-0' });
    const claimBefore = await client.get(kinds.PersistentVolumeClaim, { namespace: ns, name: 'data-db-0' });
    await eventually(async () => (await client.get(kinds.PersistentVolumeClaim, { namespace: ns, name: 'data-db-0' })).status?.phase === 'Bound', { what: 'data-db-0 Bound' });

    await client.delete(kinds.Pod, { namespace: ns, name: 'db-0' });
    const after = await cluster.waitForPod({ namespace: ns, name: 'db-0' }, (p) => p.metadata?.uid !== before.metadata?.uid && isPodReady(p), { timeoutMs: 30_000 });
    expect(after.spec?.hostname).toBe('db-0');
    expect(after.spec?.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim?.claimName).toBe('data-db-0');
    const claimAfter = await client.get(kinds.PersistentVolumeClaim, { namespace: ns, name: 'data-db-0' });
    expect(claimAfter.metadata?.uid).toBe(claimBefore.metadata?.uid);
    expect(claimAfter.status?.phase).toBe('Bound');
    expect(claimAfter.spec?.volumeName).toBe((await client.get(kinds.PersistentVolumeClaim, { namespace: ns, name: 'data-db-0' })).spec?.volumeName);
  });

  it('rolls out a new template in reverse ordinal order, stopping at the partition', async () => {
    const ns = await freshNamespace();
    const sts = aStatefulSet('app').inNamespace(ns).withReplicas(3).withImage('luksa/kubia:v1').build();
    sts.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 1 } };
    await client.create(kinds.StatefulSet, sts);
    await eventually(async () => (await readyPods(ns)).length === 3, { timeoutMs: 30_000, what: 'three Ready pods' });
    const v1 = (await eventually(async () => (await getSet(ns, 'app')).status?.currentRevision))!;
    const log = await EventLog.start(client, ns);
    try {
      await client.patch(kinds.StatefulSet, { namespace: ns, name: 'app' }, { spec: { template: { spec: { containers: [{ name: 'app', image: 'luksa/kubia:v2' }] } } } }, { type: 'strategic' });
      const partial = await eventually(
        async () => {
          const s = await getSet(ns, 'app');
          return s.status?.updatedReplicas === 2 && s.status.readyReplicas === 3 ? s : undefined;
        },
        { timeoutMs: 40_000, what: 'two pods updated' },
      );
      const v2 = partial.status!.updateRevision!;
      expect(v2).not.toBe(v1);
      expect(partial.status?.currentRevision).toBe(v1);
      const byName = Object.fromEntries((await pods(ns)).map((p) => [p.metadata!.name!, p]));
      expect(byName['app-0'].metadata?.labels?.[REVISION_LABEL]).toBe(v1);
      expect(byName['app-0'].spec?.containers[0].image).toBe('luksa/kubia:v1');
      expect(byName['app-1'].metadata?.labels?.[REVISION_LABEL]).toBe(v2);
      expect(byName['app-2'].spec?.containers[0].image).toBe('luksa/kubia:v2');
      // app-2 went first; app-1 only after the new app-2 was Ready.
      expect(log.deletionStarted('app-2')!).toBeLessThan(log.deletionStarted('app-1')!);
      const newApp2Ready = log.first((e) => e.name === 'app-2' && e.type === 'Pod:MODIFIED' && isPodReady(e.obj as Pod) && e.obj.metadata?.labels?.[REVISION_LABEL] === v2)!;
      expect(log.deletionStarted('app-1')!).toBeGreaterThan(newApp2Ready);
      expect(log.deletionStarted('app-0')).toBeUndefined();

      // Partition 0: app-0 follows, and the update revision becomes the current one.
      await client.patch(kinds.StatefulSet, { namespace: ns, name: 'app' }, { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } }, { type: 'merge' });
      const done = await eventually(
        async () => {
          const s = await getSet(ns, 'app');
          return s.status?.currentRevision === v2 && s.status.updatedReplicas === 3 && s.status.readyReplicas === 3 ? s : undefined;
        },
        { timeoutMs: 40_000, what: 'rollout complete' },
      );
      expect(done.status).toMatchObject({ currentReplicas: 3, updateRevision: v2 });
      expect(log.deletionStarted('app-0')!).toBeGreaterThan(log.deletionStarted('app-1')!);
      // Both revisions are kept as history, numbered in order.
      const revisions = (await client.list(controllerRevisions, { namespace: ns })).items.sort((a, b) => a.revision - b.revision);
      expect(revisions.map((r) => r.metadata?.name)).toEqual([v1, v2]);
      expect(revisions.map((r) => r.revision)).toEqual([1, 2]);
    } finally {
      log.stop();
    }
  });

  it('rolls back to an earlier template by renumbering its revision, and OnDelete waits for pods to be deleted', async () => {
    const ns = await freshNamespace();
    const sts = aStatefulSet('od').inNamespace(ns).withReplicas(2).withImage('luksa/kubia:v1').build();
    sts.spec!.updateStrategy = { type: 'OnDelete' };
    await client.create(kinds.StatefulSet, sts);
    await eventually(async () => (await readyPods(ns)).length === 2, { timeoutMs: 30_000, what: 'two Ready pods' });
    const v1 = (await eventually(async () => (await getSet(ns, 'od')).status?.currentRevision))!;
    const setImage = (image: string) =>
      client.patch(kinds.StatefulSet, { namespace: ns, name: 'od' }, { spec: { template: { spec: { containers: [{ name: 'od', image }] } } } }, { type: 'strategic' });

    await setImage('luksa/kubia:v2');
    const v2 = (await eventually(async () => {
      const s = await getSet(ns, 'od');
      return s.status?.updateRevision !== v1 && s.status?.observedGeneration === s.metadata?.generation ? s.status?.updateRevision : undefined;
    }))!;
    // Nothing is replaced until a pod is deleted by hand.
    expect((await pods(ns)).every((p) => p.metadata?.labels?.[REVISION_LABEL] === v1)).toBe(true);
    const old1 = await client.get(kinds.Pod, { namespace: ns, name: 'od-1' });
    await client.delete(kinds.Pod, { namespace: ns, name: 'od-1' });
    const new1 = await cluster.waitForPod({ namespace: ns, name: 'od-1' }, (p) => p.metadata?.uid !== old1.metadata?.uid && isPodReady(p), { timeoutMs: 30_000 });
    expect(new1.metadata?.labels?.[REVISION_LABEL]).toBe(v2);
    expect(new1.spec?.containers[0].image).toBe('luksa/kubia:v2');
    expect((await client.get(kinds.Pod, { namespace: ns, name: 'od-0' })).metadata?.labels?.[REVISION_LABEL]).toBe(v1);

    // Back to v1: the v1 revision is reused as revision 3, no new revision is made.
    await setImage('luksa/kubia:v1');
    await eventually(async () => (await getSet(ns, 'od')).status?.updateRevision === v1, { what: 'update revision back to v1' });
    const revisions = (await client.list(controllerRevisions, { namespace: ns })).items;
    expect(revisions.map((r) => [r.metadata?.name, r.revision]).sort()).toEqual(
      [
        [v1, 3],
        [v2, 2],
      ].sort(),
    );
  });

  it('creates all pods at once with podManagementPolicy Parallel, even when none becomes Ready', async () => {
    const ns = await freshNamespace();
    await client.create(kinds.StatefulSet, aStatefulSet('par').inNamespace(ns).withReplicas(3).parallel().neverReady().build());
    await eventually(async () => (await pods(ns)).filter((p) => p.status?.phase === 'Running').length === 3, { timeoutMs: 30_000, what: 'three Running pods' });
    expect((await readyPods(ns)).length).toBe(0);
    expect((await pods(ns)).map((p) => p.metadata?.name).sort()).toEqual(['par-0', 'par-1', 'par-2']);
  });

  it('with OrderedReady, does not create pod 1 while pod 0 is not Ready', async () => {
    const ns = await freshNamespace();
    await client.create(kinds.StatefulSet, aStatefulSet('slow').inNamespace(ns).withReplicas(2).neverReady().build());
    await cluster.waitForPod({ namespace: ns, name: 'slow-0' }, (p) => p.status?.phase === 'Running', { timeoutMs: 30_000 });
    // The controller has seen slow-0 Running (status is written after each pass) and still holds back.
    await eventually(async () => {
      const s = await getSet(ns, 'slow');
      return s.status?.replicas === 1 && s.status.readyReplicas === 0 && s.status.observedGeneration === s.metadata?.generation;
    });
    const set = await getSet(ns, 'slow');
    await client.patch(kinds.StatefulSet, { namespace: ns, name: 'slow' }, { metadata: { annotations: { poke: '1' } } }, { type: 'merge' });
    await eventually(async () => Number((await getSet(ns, 'slow')).metadata?.resourceVersion) > Number(set.metadata?.resourceVersion));
    expect((await pods(ns)).map((p) => p.metadata?.name)).toEqual(['slow-0']);
    // Once slow-0 is marked ready (as a kubelet would), slow-1 follows.
    const pod0 = await client.get(kinds.Pod, { namespace: ns, name: 'slow-0' });
    await client.patchStatus(
      kinds.Pod,
      { namespace: ns, name: 'slow-0' },
      { status: { conditions: (pod0.status?.conditions ?? []).map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'True' } : c)) } },
      { type: 'merge' },
    );
    await cluster.waitForPod({ namespace: ns, name: 'slow-1' }, (p) => p.status?.phase === 'Running', { timeoutMs: 30_000 });
  });

  it('keeps claims of scaled-down pods only as the retention policy says (whenScaled Delete puts the pod as their owner)', async () => {
    const ns = await freshNamespace();
    const sts = aStatefulSet('ret').inNamespace(ns).withReplicas(2).withVolumeClaim('data', '1Mi', '/data').build();
    sts.spec!.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Delete' };
    const created = await client.create(kinds.StatefulSet, sts);
    await eventually(async () => (await readyPods(ns)).length === 2, { timeoutMs: 30_000, what: 'two Ready pods' });
    const claim0 = await client.get(kinds.PersistentVolumeClaim, { namespace: ns, name: 'data-ret-0' });
    expect(claim0.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'StatefulSet', name: 'ret', uid: created.metadata?.uid })]);
    const pod1 = await client.get(kinds.Pod, { namespace: ns, name: 'ret-1' });
    // Scaling down: before ret-1 goes, its claim is handed to the pod (so the garbage collector deletes it with the pod).
    await scale(ns, 'ret', 1);
    await eventually(async () => {
      const c = await client.get(kinds.PersistentVolumeClaim, { namespace: ns, name: 'data-ret-1' }).catch(() => undefined);
      // Either still there, owned by the pod, or already collected.
      return !c || (c.metadata?.ownerReferences?.length === 1 && c.metadata.ownerReferences[0].uid === pod1.metadata?.uid);
    }, { what: 'data-ret-1 owned by ret-1' });
  });
});

