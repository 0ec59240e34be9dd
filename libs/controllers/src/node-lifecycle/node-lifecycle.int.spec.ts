import type { Node, Taint } from '@logbook/api';
import { ControllerManager, kinds, KubeClient } from '@logbook/sdk';
import { ReplicaSetReconciler } from '../replicaset';
import { aNode, aPod, aReplicaSet, eventually, isNodeReady, isPodReady, SimulatedCluster, startSimulatedCluster } from '../testing';
import { TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE } from '@logbook/api';
import { NodeLifecycleReconciler } from '.';

jest.setTimeout(180_000);

const GRACE_MS = 3_000;
const TOLERATION_SECONDS = 3;

const readyOf = (node: Node) => node.status?.conditions?.find((c) => c.type === 'Ready');
const taintsOf = (node: Node, key: string): Taint[] => (node.spec?.taints ?? []).filter((t) => t.key === key);

describe('node lifecycle controller on a simulated cluster', () => {
  let cluster: SimulatedCluster;
  let client: KubeClient;
  let manager: ControllerManager;

  beforeAll(async () => {
    // Leases renewed every 500 ms, so a 3 s grace period is six missed renewals.
    cluster = await startSimulatedCluster({ nodes: [aNode('n1'), aNode('n2'), aNode('n3')], kubelet: { renewIntervalMs: 500, leaseDurationSeconds: 3 } });
    client = cluster.client;
    manager = new ControllerManager({ server: cluster.url, identity: 'node-lifecycle-test' });
    manager.add(new NodeLifecycleReconciler({ gracePeriodMs: GRACE_MS, defaultTolerationSeconds: TOLERATION_SECONDS, monitorPeriodMs: 500 }));
    manager.add(new ReplicaSetReconciler(manager.informers));
    await manager.start();
  });
  afterAll(async () => {
    await manager?.stop();
    await cluster?.stop();
  });

  const getNode = (name: string) => client.get(kinds.Node, { name });
  const podsOn = async (namespace: string, node: string) => (await client.list(kinds.Pod, { namespace })).items.filter((p) => p.spec?.nodeName === node);

  it('marks a node whose lease stops Unknown and unreachable, marks its pods not ready, evicts them after their toleration, and their ReplicaSet replaces them elsewhere', async () => {
    await client.create(kinds.Namespace, { metadata: { name: 'evict' } });
    await client.create(kinds.ReplicaSet, aReplicaSet('kubia').inNamespace('evict').withReplicas(6).build());
    // A pod that tolerates unreachable for an hour stays; one tolerating it forever stays too.
    const victim = await eventually(async () => {
      const pods = (await client.list(kinds.Pod, { namespace: 'evict' })).items;
      return pods.length === 6 && pods.every(isPodReady) ? pods[0].spec!.nodeName : undefined;
    }, { timeoutMs: 30_000, what: 'six Ready pods' });
    await client.create(kinds.Pod, aPod('patient').inNamespace('evict').withNodeSelector({ 'kubernetes.io/hostname': victim! }).tolerating({ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 3600 }).build());
    await client.create(kinds.Pod, aPod('stubborn').inNamespace('evict').withNodeSelector({ 'kubernetes.io/hostname': victim! }).tolerating({ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }).build());
    await cluster.waitForPodReady({ namespace: 'evict', name: 'patient' });
    await cluster.waitForPodReady({ namespace: 'evict', name: 'stubborn' });
    const doomed = (await podsOn('evict', victim!)).filter((p) => p.metadata?.ownerReferences?.length).map((p) => p.metadata!.uid!);
    expect(doomed.length).toBeGreaterThan(0);

    const stoppedAt = Date.now();
    await cluster.stopNode(victim!);

    // NotReady: Ready Unknown, with Kubernetes' reason and message, no sooner than the grace period.
    const unknown = await eventually(async () => {
      const n = await getNode(victim!);
      return readyOf(n)?.status === 'Unknown' ? n : undefined;
    }, { timeoutMs: 20_000, what: `${victim} Ready=Unknown` });
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(GRACE_MS - 600);
    expect(readyOf(unknown)).toMatchObject({ reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    expect(unknown.status?.conditions?.find((c) => c.type === 'MemoryPressure')?.status).toBe('Unknown');

    const tainted = await eventually(async () => {
      const n = await getNode(victim!);
      return taintsOf(n, TAINT_UNREACHABLE).length === 2 ? n : undefined;
    }, { timeoutMs: 10_000, what: 'unreachable taints' });
    const noExecute = taintsOf(tainted, TAINT_UNREACHABLE).find((t) => t.effect === 'NoExecute')!;
    expect(taintsOf(tainted, TAINT_UNREACHABLE).map((t) => t.effect).sort()).toEqual(['NoExecute', 'NoSchedule']);
    expect(noExecute.timeAdded).toBeDefined();

    // Its pods are marked not ready (their kubelet cannot say so any more).
    await eventually(async () => (await podsOn('evict', victim!)).every((p) => !isPodReady(p)), { timeoutMs: 10_000, what: 'pods on the node not Ready' });

    // After the toleration (3 s from the taint), the ReplicaSet's pods are evicted; the tolerant ones stay.
    const evicted = await eventually(async () => {
      const pods = (await client.list(kinds.Pod, { namespace: 'evict' })).items.filter((p) => doomed.includes(p.metadata!.uid!));
      const all = doomed.length === pods.filter((p) => p.metadata?.deletionTimestamp).length + (doomed.length - pods.length);
      return all ? pods : undefined;
    }, { timeoutMs: 20_000, what: 'evictions' });
    for (const pod of evicted) {
      const disruption = pod.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
      expect(disruption).toMatchObject({ status: 'True', reason: 'DeletionByTaintManager' });
      expect(Date.parse(disruption!.lastTransitionTime!) - Date.parse(noExecute.timeAdded!)).toBeGreaterThanOrEqual(TOLERATION_SECONDS * 1000 - 1000);
    }
    for (const name of ['patient', 'stubborn']) {
      expect((await client.get(kinds.Pod, { namespace: 'evict', name })).metadata?.deletionTimestamp).toBeUndefined();
    }

    // The ReplicaSet makes replacements; the scheduler puts them on the nodes still running.
    await eventually(async () => {
      const pods = (await client.list(kinds.Pod, { namespace: 'evict' })).items.filter((p) => p.metadata?.ownerReferences?.length && !p.metadata.deletionTimestamp);
      return pods.length === 6 && pods.every((p) => isPodReady(p) && p.spec?.nodeName !== victim);
    }, { timeoutMs: 30_000, what: 'six Ready replicas on the other nodes' });

    // The other nodes were never touched.
    for (const other of cluster.nodes) {
      const n = await getNode(other);
      expect(readyOf(n)?.status).toBe('True');
      expect(n.spec?.taints ?? []).toEqual([]);
    }

    // The kubelet comes back: it posts Ready, the taints go.
    await cluster.addNode(aNode(victim!));
    await eventually(async () => {
      const n = await getNode(victim!);
      return isNodeReady(n) && !(n.spec?.taints ?? []).some((t) => t.key === TAINT_UNREACHABLE);
    }, { timeoutMs: 20_000, what: `${victim} Ready and untainted` });
    // It finishes the evictions it could not confirm while away.
    await eventually(async () => (await client.list(kinds.Pod, { namespace: 'evict' })).items.every((p) => !doomed.includes(p.metadata!.uid!)), {
      timeoutMs: 20_000,
      what: 'evicted pods gone',
    });
  });

  it('taints a cordoned node unschedulable and untaints it when uncordoned', async () => {
    const name = cluster.nodes[0];
    await client.patch(kinds.Node, { name }, { spec: { unschedulable: true } }, { type: 'merge' });
    await eventually(async () => taintsOf(await getNode(name), TAINT_UNSCHEDULABLE).length === 1, { what: 'unschedulable taint' });
    expect(taintsOf(await getNode(name), TAINT_UNSCHEDULABLE)[0]).toEqual({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
    await client.patch(kinds.Node, { name }, { spec: { unschedulable: false } }, { type: 'merge' });
    await eventually(async () => taintsOf(await getNode(name), TAINT_UNSCHEDULABLE).length === 0, { what: 'unschedulable taint removed' });
  });

  it('leaves taints of others alone and evicts at once pods that do not tolerate a NoExecute taint', async () => {
    await client.create(kinds.Namespace, { metadata: { name: 'noexec' } });
    const name = cluster.nodes[1];
    const pod = await client.create(kinds.Pod, aPod('intolerant').inNamespace('noexec').withNodeSelector({ 'kubernetes.io/hostname': name }).build());
    await cluster.waitForPodReady({ namespace: 'noexec', name: 'intolerant' });
    const node = await getNode(name);
    await client.patch(kinds.Node, { name }, { spec: { taints: [...(node.spec?.taints ?? []), { key: 'maintenance', value: 'disk', effect: 'NoExecute' }] } }, { type: 'merge' });
    await eventually(
      async () => {
        const p = await client.get(kinds.Pod, { namespace: 'noexec', name: 'intolerant' }).catch(() => undefined);
        return !p || p.metadata?.uid !== pod.metadata?.uid || !!p.metadata?.deletionTimestamp;
      },
      { timeoutMs: 10_000, what: 'intolerant pod evicted' },
    );
    expect(taintsOf(await getNode(name), 'maintenance')).toHaveLength(1);
    await client.patch(kinds.Node, { name }, { spec: { taints: node.spec?.taints ?? [] } }, { type: 'merge' });
  });
});
