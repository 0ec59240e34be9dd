import type { Event, Pod } from '@logbook/api';
import { kinds } from '@logbook/sdk';
import { aNode, aPod, aReplicaSet, eventually, SimulatedCluster, startSimulatedCluster } from './index';

const scheduledCondition = (pod: Pod) => pod.status?.conditions?.find((c) => c.type === 'PodScheduled');

async function eventsFor(cluster: SimulatedCluster, pod: string): Promise<Event[]> {
  const { items } = await cluster.client.list(kinds.Event, { namespace: 'default', fieldSelector: `involvedObject.name=${pod}` });
  return items;
}

describe('startSimulatedCluster: scheduler and simulated nodes on a real apiserver', () => {
  let cluster: SimulatedCluster;

  beforeAll(async () => {
    cluster = await startSimulatedCluster({ nodes: [aNode('node-1'), aNode('node-2').withLabels({ gpu: 'true' }), aNode('node-3')] });
  });
  afterAll(() => cluster?.stop());

  it('registers the nodes Ready', async () => {
    const { items } = await cluster.client.list(kinds.Node);
    expect(items.map((n) => n.metadata?.name).sort()).toEqual(['node-1', 'node-2', 'node-3']);
    expect(cluster.nodes.sort()).toEqual(['node-1', 'node-2', 'node-3']);
  });

  it('puts a pod with nodeSelector gpu: "true" on the gpu node, where it runs and becomes Ready with an IP', async () => {
    await cluster.client.create(kinds.Pod, aPod('kubia-gpu').withNodeSelector({ gpu: 'true' }).build());
    const pod = await cluster.waitForPodReady('kubia-gpu');
    expect(pod.spec?.nodeName).toBe('node-2');
    expect(pod.status?.podIP).toMatch(/^10\.244\.2\.\d+$/);
    expect(pod.status?.hostIP).toBe('172.18.0.3');
    expect(scheduledCondition(pod)?.status).toBe('True');
    const events = await eventually(async () => (await eventsFor(cluster, 'kubia-gpu')).find((e) => e.reason === 'Scheduled'));
    expect(events.message).toBe('Successfully assigned default/kubia-gpu to node-2');
  });

  it('leaves a pod asking for 100 CPUs Pending, Unschedulable, with a FailedScheduling event', async () => {
    await cluster.client.create(kinds.Pod, aPod('greedy').requesting({ cpu: '100' }).build());
    const pod = await cluster.waitForPod('greedy', (p) => scheduledCondition(p)?.reason === 'Unschedulable');
    expect(pod.status?.phase).toBe('Pending');
    expect(pod.spec?.nodeName).toBeUndefined();
    expect(scheduledCondition(pod)).toMatchObject({ status: 'False', message: '0/3 nodes are available: 3 Insufficient cpu.' });
    const event = await eventually(async () => (await eventsFor(cluster, 'greedy')).find((e) => e.reason === 'FailedScheduling'));
    expect(event).toMatchObject({ type: 'Warning', message: '0/3 nodes are available: 3 Insufficient cpu.' });
  });

  it('schedules a pod that fit nowhere once a node it fits on appears', async () => {
    await cluster.client.create(kinds.Pod, aPod('needs-ssd').withNodeSelector({ disk: 'ssd' }).build());
    const pending = await cluster.waitForPod('needs-ssd', (p) => scheduledCondition(p)?.reason === 'Unschedulable');
    expect(scheduledCondition(pending)?.message).toBe("0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.");
    await cluster.addNode(aNode('node-ssd').withLabels({ disk: 'ssd' }));
    const pod = await cluster.waitForPodReady('needs-ssd');
    expect(pod.spec?.nodeName).toBe('node-ssd');
    await cluster.client.delete(kinds.Pod, { namespace: 'default', name: 'needs-ssd' });
    await cluster.stopNode('node-ssd');
    await cluster.client.delete(kinds.Node, { name: 'node-ssd' });
  });

  it('holds a pod with scheduling gates (SchedulingGated) and schedules it once they are removed', async () => {
    const gated = aPod('gated').build();
    gated.spec!.schedulingGates = [{ name: 'example.com/quota' }];
    await cluster.client.create(kinds.Pod, gated);
    const held = await cluster.waitForPod('gated', (p) => scheduledCondition(p)?.reason === 'SchedulingGated');
    expect(scheduledCondition(held)).toMatchObject({ status: 'False', message: 'Scheduling is blocked due to non-empty scheduling gates' });
    await cluster.client.patch(kinds.Pod, { namespace: 'default', name: 'gated' }, [{ op: 'remove', path: '/spec/schedulingGates' }], { type: 'json' });
    const pod = await cluster.waitForPodReady('gated');
    expect(scheduledCondition(pod)?.status).toBe('True');
  });

  it('spreads six pods of one ReplicaSet two per node', async () => {
    // The ReplicaSet is only an owner here (no controller runs in this test).
    const rs = await cluster.client.create(kinds.ReplicaSet, aReplicaSet('spread').withReplicas(0).build());
    for (let i = 0; i < 6; i++) await cluster.client.create(kinds.Pod, aPod(`spread-${i}`).withLabels({ app: 'spread' }).ownedBy(rs).build());
    const pods = await eventually(
      async () => {
        const { items } = await cluster.client.list(kinds.Pod, { namespace: 'default', labelSelector: 'app=spread' });
        return items.length === 6 && items.every((p) => p.spec?.nodeName) ? items : undefined;
      },
      { what: 'six pods bound' },
    );
    const perNode: Record<string, number> = {};
    for (const p of pods) perNode[p.spec!.nodeName!] = (perNode[p.spec!.nodeName!] ?? 0) + 1;
    expect(perNode).toEqual({ 'node-1': 2, 'node-2': 2, 'node-3': 2 });
  });

  it('finishes a graceful deletion: the node stops the pod and deletes it with grace 0', async () => {
    await cluster.client.create(kinds.Pod, aPod('short-lived').build());
    await cluster.waitForPodReady('short-lived');
    await cluster.client.delete(kinds.Pod, { namespace: 'default', name: 'short-lived' });
    await eventually(async () => !(await cluster.client.list(kinds.Pod, { namespace: 'default', fieldSelector: 'metadata.name=short-lived' })).items.length, {
      what: 'the pod gone',
    });
  });
});
