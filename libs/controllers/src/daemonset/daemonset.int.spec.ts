import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ControllerRevision, DaemonSet, Pod } from '@logbook/api';
import { ControllerManager, kinds } from '@logbook/sdk';
import { Subscription } from 'rxjs';
import { aNode, eventually, isPodReady, SimulatedCluster, startSimulatedCluster } from '../testing';
import { controllerRevisions } from './daemonset-history';
import { CONTROLLER_REVISION_HASH_LABEL } from './daemonset-plan';
import { DaemonSetReconciler } from './daemonset.reconciler';

jest.setTimeout(120_000);

/**
 * The DaemonSet controller on a simulated cluster of three nodes: the
 * scheduler binds daemon pods to the node their affinity names, simulated
 * kubelets run them.
 */
describe('DaemonSet controller', () => {
  let cluster: SimulatedCluster;
  let manager: ControllerManager;
  let nsCount = 0;

  beforeAll(async () => {
    cluster = await startSimulatedCluster({ nodes: 3 });
    manager = new ControllerManager({ server: cluster.url });
    manager.add(new DaemonSetReconciler(manager.informers, { failedPodBackoffMs: 50 }));
    await manager.start();
  });

  afterAll(async () => {
    await manager?.stop();
    await cluster?.stop();
  });

  async function namespace(): Promise<string> {
    const name = `ds-${++nsCount}`;
    await cluster.client.create(kinds.Namespace, { metadata: { name } });
    return name;
  }

  function daemonSet(ns: string, name: string, spec: Partial<NonNullable<DaemonSet['spec']>> = {}, podSpec: Record<string, unknown> = {}): DaemonSet {
    return {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name, namespace: ns },
      spec: {
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: `example/${name}:v1` }], ...podSpec } },
        ...spec,
      },
    };
  }

  const labelNode = (node: string, labels: Record<string, string | null>) => cluster.client.patch(kinds.Node, { name: node }, { metadata: { labels } }, { type: 'merge' });
  const podsIn = async (ns: string) => (await cluster.client.list(kinds.Pod, { namespace: ns })).items;
  const livePods = async (ns: string) => (await podsIn(ns)).filter((p) => !p.metadata?.deletionTimestamp);
  const getDs = (ns: string, name: string) => cluster.client.get(kinds.DaemonSet, { namespace: ns, name });
  const nodeOf = (p: Pod) => p.spec?.nodeName;
  const statusIs = (ns: string, name: string, want: Partial<NonNullable<DaemonSet['status']>>) =>
    eventually(async () => {
      const ds = await getDs(ns, name);
      const s = (ds.status ?? {}) as unknown as Record<string, unknown>;
      return Object.entries(want).every(([k, v]) => (s[k] ?? 0) === v) ? ds : undefined;
    }, { timeoutMs: 30_000, what: `status ${JSON.stringify(want)}` });

  /**
   * Follows pods from a list and then by watch: after every change, how many
   * nodes have a Ready pod that is not going away, and the most live pods
   * one node had.
   */
  async function sampleAvailableNodes(ns: string): Promise<{ min: () => number; maxPodsOnANode: () => number; stop: () => void }> {
    const listed = await cluster.client.list(kinds.Pod, { namespace: ns });
    const pods = new Map<string, Pod>(listed.items.map((p) => [p.metadata!.uid!, p]));
    let min = Infinity;
    let maxOnNode = 0;
    const sample = () => {
      const live = [...pods.values()].filter((p) => !p.metadata?.deletionTimestamp);
      min = Math.min(min, new Set(live.filter(isPodReady).map(nodeOf)).size);
      const perNode = new Map<string, number>();
      for (const p of live) perNode.set(nodeOf(p) ?? '', (perNode.get(nodeOf(p) ?? '') ?? 0) + 1);
      maxOnNode = Math.max(maxOnNode, ...perNode.values());
    };
    sample();
    const sub: Subscription = cluster.client.watch(kinds.Pod, { namespace: ns, resourceVersion: listed.resourceVersion }).subscribe((e) => {
      if (e.type === 'BOOKMARK') return;
      const pod = e.object as Pod;
      if (e.type === 'DELETED') pods.delete(pod.metadata!.uid!);
      else pods.set(pod.metadata!.uid!, pod);
      sample();
    });
    return { min: () => min, maxPodsOnANode: () => maxOnNode, stop: () => sub.unsubscribe() };
  }

  it('the seed ssd-monitor follows node labels both ways', async () => {
    const ns = await namespace();
    const ds = daemonSet(ns, 'ssd-monitor', {}, { nodeSelector: { disk: 'ssd' } });
    ds.spec!.template!.spec!.containers[0].image = 'yinzige/ssd-monitor';
    await cluster.client.create(kinds.DaemonSet, ds);
    await statusIs(ns, 'ssd-monitor', { desiredNumberScheduled: 0, currentNumberScheduled: 0, observedGeneration: 1 });
    expect(await podsIn(ns)).toEqual([]);

    await labelNode('node-2', { disk: 'ssd' });
    const pod = await eventually(async () => (await livePods(ns)).find((p) => isPodReady(p)), { timeoutMs: 30_000, what: 'a Ready pod' });
    expect(pod.spec!.nodeName).toBe('node-2'); // bound by the scheduler, to the node its affinity names
    expect(pod.metadata!.name).toMatch(/^ssd-monitor-[a-z0-9]{5}$/);
    expect(pod.spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution).toEqual({
      nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-2'] }] }],
    });
    expect(pod.spec!.tolerations).toEqual(expect.arrayContaining([{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }]));
    expect(pod.metadata!.labels![CONTROLLER_REVISION_HASH_LABEL]).toMatch(/^[a-z0-9]+$/);
    await statusIs(ns, 'ssd-monitor', { desiredNumberScheduled: 1, currentNumberScheduled: 1, numberReady: 1, numberAvailable: 1, updatedNumberScheduled: 1, numberMisscheduled: 0 });

    await labelNode('node-3', { disk: 'ssd' });
    await eventually(async () => (await livePods(ns)).filter(isPodReady).map(nodeOf).sort().join() === 'node-2,node-3', { timeoutMs: 30_000, what: 'pods on node-2 and node-3' });

    await labelNode('node-2', { disk: null });
    await eventually(async () => (await podsIn(ns)).map(nodeOf).join() === 'node-3', { timeoutMs: 30_000, what: 'the pod on node-2 gone' });
    await statusIs(ns, 'ssd-monitor', { desiredNumberScheduled: 1, currentNumberScheduled: 1, numberReady: 1 });

    await labelNode('node-3', { disk: null });
    await eventually(async () => (await podsIn(ns)).length === 0, { timeoutMs: 30_000, what: 'no pods left' });
    await statusIs(ns, 'ssd-monitor', { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberReady: 0 });
    await cluster.client.delete(kinds.DaemonSet, { namespace: ns, name: 'ssd-monitor' });
  });

  it('rolls out a template change one node at a time (maxUnavailable 1), recording ControllerRevisions', async () => {
    const ns = await namespace();
    await cluster.client.create(kinds.DaemonSet, daemonSet(ns, 'agent'));
    await statusIs(ns, 'agent', { desiredNumberScheduled: 3, numberReady: 3, numberAvailable: 3, updatedNumberScheduled: 3 });
    const before = await livePods(ns);
    const oldHash = before[0].metadata!.labels![CONTROLLER_REVISION_HASH_LABEL];

    const sampler = await sampleAvailableNodes(ns);
    try {
      await cluster.client.patch(kinds.DaemonSet, { namespace: ns, name: 'agent' }, { spec: { template: { spec: { containers: [{ name: 'main', image: 'example/agent:v2' }] } } } }, { type: 'strategic' });
      await statusIs(ns, 'agent', { observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3, numberReady: 3 });
      await eventually(async () => {
        const pods = await podsIn(ns);
        return pods.length === 3 && pods.every((p) => p.spec!.containers[0].image === 'example/agent:v2' && isPodReady(p));
      }, { timeoutMs: 30_000, what: 'three new pods, Ready' });
      expect(sampler.min()).toBeGreaterThanOrEqual(2); // never more than one node without its daemon
      expect(sampler.maxPodsOnANode()).toBe(1); // no surge
    } finally {
      sampler.stop();
    }
    const pods = await podsIn(ns);
    expect(new Set(pods.map(nodeOf))).toEqual(new Set(['node-1', 'node-2', 'node-3']));
    const revisions = (await cluster.client.list(controllerRevisions, { namespace: ns })).items.sort((a: ControllerRevision, b: ControllerRevision) => a.revision - b.revision);
    expect(revisions.map((r) => r.revision)).toEqual([1, 2]);
    expect(revisions[0].metadata!.labels![CONTROLLER_REVISION_HASH_LABEL]).toBe(oldHash);
    expect(revisions[0].metadata!.name).toBe(`agent-${oldHash}`);
    const newHash = revisions[1].metadata!.labels![CONTROLLER_REVISION_HASH_LABEL];
    expect(pods.every((p) => p.metadata!.labels![CONTROLLER_REVISION_HASH_LABEL] === newHash)).toBe(true);
    expect(revisions[1].metadata!.ownerReferences![0]).toMatchObject({ kind: 'DaemonSet', name: 'agent', controller: true });
    await cluster.client.delete(kinds.DaemonSet, { namespace: ns, name: 'agent' });
  });

  it('with maxSurge 1 and maxUnavailable 0, starts each new pod beside the old one: every node keeps a Ready pod', async () => {
    const ns = await namespace();
    await cluster.client.create(kinds.DaemonSet, daemonSet(ns, 'surge', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
    await statusIs(ns, 'surge', { desiredNumberScheduled: 3, numberAvailable: 3 });
    const sampler = await sampleAvailableNodes(ns);
    try {
      await cluster.client.patch(kinds.DaemonSet, { namespace: ns, name: 'surge' }, { spec: { template: { spec: { containers: [{ name: 'main', image: 'example/surge:v2' }] } } } }, { type: 'strategic' });
      await eventually(async () => {
        const pods = await podsIn(ns);
        return pods.length === 3 && pods.every((p) => p.spec!.containers[0].image === 'example/surge:v2' && isPodReady(p));
      }, { timeoutMs: 30_000, what: 'three new pods, Ready' });
      await statusIs(ns, 'surge', { observedGeneration: 2, updatedNumberScheduled: 3, numberAvailable: 3 });
      expect(sampler.min()).toBe(3);
      expect(sampler.maxPodsOnANode()).toBe(2);
    } finally {
      sampler.stop();
    }
    await cluster.client.delete(kinds.DaemonSet, { namespace: ns, name: 'surge' });
  });

  it('OnDelete: a template change replaces a pod only when it is deleted', async () => {
    const ns = await namespace();
    await cluster.client.create(kinds.DaemonSet, daemonSet(ns, 'manual', { updateStrategy: { type: 'OnDelete' } }));
    await statusIs(ns, 'manual', { desiredNumberScheduled: 3, numberAvailable: 3, updatedNumberScheduled: 3 });
    await cluster.client.patch(kinds.DaemonSet, { namespace: ns, name: 'manual' }, { spec: { template: { spec: { containers: [{ name: 'main', image: 'example/manual:v2' }] } } } }, { type: 'strategic' });
    await statusIs(ns, 'manual', { observedGeneration: 2, updatedNumberScheduled: 0, numberAvailable: 3 });
    expect((await podsIn(ns)).every((p) => p.spec!.containers[0].image === 'example/manual:v1')).toBe(true);

    const victim = (await podsIn(ns)).find((p) => nodeOf(p) === 'node-1')!;
    await cluster.client.delete(kinds.Pod, { namespace: ns, name: victim.metadata!.name! });
    const replacement = await eventually(async () => (await livePods(ns)).find((p) => nodeOf(p) === 'node-1' && p.metadata!.uid !== victim.metadata!.uid && isPodReady(p)), {
      timeoutMs: 30_000,
      what: 'a new pod on node-1',
    });
    expect(replacement.spec!.containers[0].image).toBe('example/manual:v2');
    await statusIs(ns, 'manual', { updatedNumberScheduled: 1, numberAvailable: 3 });
    await cluster.client.delete(kinds.DaemonSet, { namespace: ns, name: 'manual' });
  });

  it('taints: a NoExecute taint the pods do not tolerate removes them; tolerated, they stay; lifted, they come back', async () => {
    const ns = await namespace();
    await cluster.client.create(kinds.DaemonSet, daemonSet(ns, 'plain'));
    await cluster.client.create(kinds.DaemonSet, daemonSet(ns, 'tolerant', {}, { tolerations: [{ key: 'dedicated', operator: 'Exists' }] }));
    await statusIs(ns, 'plain', { desiredNumberScheduled: 3, numberAvailable: 3 });
    await statusIs(ns, 'tolerant', { desiredNumberScheduled: 3, numberAvailable: 3 });
    const onNode1 = async (app: string) => (await livePods(ns)).filter((p) => p.metadata!.labels!.app === app && nodeOf(p) === 'node-1');
    try {
      await cluster.client.patch(kinds.Node, { name: 'node-1' }, { spec: { taints: [{ key: 'dedicated', value: 'infra', effect: 'NoExecute' }] } }, { type: 'merge' });
      await eventually(async () => (await onNode1('plain')).length === 0, { timeoutMs: 30_000, what: 'the plain pod gone from node-1' });
      await statusIs(ns, 'plain', { desiredNumberScheduled: 2, numberAvailable: 2, numberMisscheduled: 0 });
      expect(await onNode1('tolerant')).toHaveLength(1);
      await statusIs(ns, 'tolerant', { desiredNumberScheduled: 3 });
    } finally {
      await cluster.client.patch(kinds.Node, { name: 'node-1' }, { spec: { taints: null } }, { type: 'merge' });
    }
    await eventually(async () => (await onNode1('plain')).some(isPodReady), { timeoutMs: 30_000, what: 'the plain pod back on node-1' });
    await statusIs(ns, 'plain', { desiredNumberScheduled: 3, numberAvailable: 3 });
    await cluster.client.delete(kinds.DaemonSet, { namespace: ns, name: 'plain' });
    await cluster.client.delete(kinds.DaemonSet, { namespace: ns, name: 'tolerant' });
  });

  it('a failed daemon pod is replaced', async () => {
    const ns = await namespace();
    await cluster.client.create(kinds.DaemonSet, daemonSet(ns, 'flaky', {}, { nodeSelector: { 'kubernetes.io/hostname': 'node-2' } }));
    const first = await eventually(async () => (await livePods(ns)).find(isPodReady), { timeoutMs: 30_000, what: 'a Ready pod' });
    await cluster.client.patchStatus(kinds.Pod, { namespace: ns, name: first.metadata!.name! }, { status: { phase: 'Failed', conditions: [{ type: 'Ready', status: 'False' }] } }, { type: 'merge' });
    const second = await eventually(async () => (await livePods(ns)).find((p) => p.metadata!.uid !== first.metadata!.uid && isPodReady(p)), { timeoutMs: 30_000, what: 'a replacement' });
    expect(nodeOf(second)).toBe('node-2');
    const events = (await cluster.client.list(kinds.Event, { namespace: ns })).items.map((e) => e.reason);
    expect(events).toContain('FailedDaemonPod');
    await cluster.client.delete(kinds.DaemonSet, { namespace: ns, name: 'flaky' });
  });

  it('kubectl rollout status, history and undo work on a DaemonSet', async () => {
    const ns = await namespace();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-ds-'));
    const kubectl = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          'kubectl',
          ['--server', cluster.url, '--cache-dir', path.join(home, 'cache'), '-n', ns, ...args],
          { env: { PATH: process.env.PATH, HOME: home, KUBECONFIG: path.join(home, 'none') }, timeout: 60_000 },
          (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
    await cluster.client.create(kinds.DaemonSet, daemonSet(ns, 'logger'));
    expect(await kubectl('rollout', 'status', 'daemonset/logger', '--timeout=60s')).toMatchObject({ code: 0, stdout: expect.stringContaining('daemon set "logger" successfully rolled out') });

    await cluster.client.patch(kinds.DaemonSet, { namespace: ns, name: 'logger' }, { spec: { template: { spec: { containers: [{ name: 'main', image: 'example/logger:v2' }] } } } }, { type: 'strategic' });
    expect(await kubectl('rollout', 'status', 'daemonset/logger', '--timeout=60s')).toMatchObject({ code: 0, stdout: expect.stringContaining('daemon set "logger" successfully rolled out') });
    const history = await kubectl('rollout', 'history', 'daemonset/logger');
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);

    expect(await kubectl('rollout', 'undo', 'daemonset/logger')).toMatchObject({ code: 0, stdout: 'daemonset.apps/logger rolled back\n' });
    expect(await kubectl('rollout', 'status', 'daemonset/logger', '--timeout=60s')).toMatchObject({ code: 0 });
    await eventually(async () => {
      const pods = await podsIn(ns);
      return pods.length === 3 && pods.every((p) => p.spec!.containers[0].image === 'example/logger:v1' && isPodReady(p));
    }, { timeoutMs: 30_000, what: 'the v1 pods back' });
    // Undo made revision 1's template current again: it is renumbered 3.
    const revisions = (await cluster.client.list(controllerRevisions, { namespace: ns })).items.map((r) => r.revision).sort();
    expect(revisions).toEqual([2, 3]);
    await cluster.client.delete(kinds.DaemonSet, { namespace: ns, name: 'logger' });
  });

  it('a node that joins gets a daemon pod', async () => {
    const ns = await namespace();
    await cluster.client.create(kinds.DaemonSet, daemonSet(ns, 'everywhere'));
    await statusIs(ns, 'everywhere', { desiredNumberScheduled: 3, numberAvailable: 3 });
    await cluster.addNode(aNode('node-4'));
    await eventually(async () => (await livePods(ns)).some((p) => nodeOf(p) === 'node-4' && isPodReady(p)), { timeoutMs: 30_000, what: 'a pod on node-4' });
    await statusIs(ns, 'everywhere', { desiredNumberScheduled: 4, currentNumberScheduled: 4, numberAvailable: 4 });
  });
});
