import type { DaemonSet, Node, Pod } from '@logbook/api';
import {
  calculateStatus,
  CONTROLLER_REVISION_HASH_LABEL,
  fitsOf,
  planNode,
  planRollingUpdate,
  podsByNode,
  podsForMissingNodes,
  surgeCount,
  unavailableCount,
} from './daemonset-plan';
import { toleratesTaint } from '@logbook/api';
import { affinityForNode, daemonTolerations, nodeShouldRunDaemonPod, targetNodeName } from './node-fit';

const NOW = Date.parse('2024-01-01T00:10:00Z');

function aNode(name: string, opts: { labels?: Record<string, string>; taints?: NonNullable<Node['spec']>['taints']; ready?: 'True' | 'False' | 'Unknown'; unschedulable?: boolean } = {}): Node {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } },
    spec: { taints: opts.taints, unschedulable: opts.unschedulable },
    status: { conditions: [{ type: 'Ready', status: opts.ready ?? 'True' }] },
  } as Node;
}

/** The seed's ssd-monitor. */
function ssdMonitor(spec: Partial<NonNullable<DaemonSet['spec']>> = {}, podSpec: Partial<NonNullable<NonNullable<DaemonSet['spec']>['template']>['spec']> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'ssd-monitor', namespace: 'default', uid: 'ds-uid', generation: 2 },
    spec: {
      selector: { matchLabels: { app: 'ssd-monitor' } },
      template: { metadata: { labels: { app: 'ssd-monitor' } }, spec: { nodeSelector: { disk: 'ssd' }, containers: [{ name: 'main', image: 'yinzige/ssd-monitor' }], ...podSpec } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      ...spec,
    },
  };
}

let n = 0;
function aPod(node: string, hash: string, opts: { ready?: boolean; phase?: string; bound?: boolean; deleting?: boolean; created?: string } = {}): Pod {
  const name = `ssd-monitor-${++n}`;
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: { app: 'ssd-monitor', [CONTROLLER_REVISION_HASH_LABEL]: hash },
      creationTimestamp: opts.created ?? `2024-01-01T00:0${n % 10}:00Z`,
      deletionTimestamp: opts.deleting ? '2024-01-01T00:09:00Z' : undefined,
    },
    spec: { nodeName: opts.bound === false ? undefined : node, affinity: affinityForNode(undefined, node), containers: [] },
    status: {
      phase: (opts.phase ?? 'Running') as 'Running',
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }],
    },
  } as Pod;
}

describe('which nodes run a daemon pod', () => {
  it('follows nodeSelector (the seed ssd-monitor)', () => {
    expect(nodeShouldRunDaemonPod(aNode('n1', { labels: { disk: 'ssd' } }), ssdMonitor())).toEqual({ shouldRun: true, shouldContinueRunning: true });
    expect(nodeShouldRunDaemonPod(aNode('n2'), ssdMonitor())).toEqual({ shouldRun: false, shouldContinueRunning: false });
    expect(nodeShouldRunDaemonPod(aNode('n3', { labels: { disk: 'hdd' } }), ssdMonitor())).toEqual({ shouldRun: false, shouldContinueRunning: false });
  });

  it('follows required node affinity (terms ORed, expressions ANDed, Gt/Lt on numbers)', () => {
    const ds = ssdMonitor({}, {
      nodeSelector: undefined,
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }, { key: 'cores', operator: 'Gt', values: ['4'] }] },
              { matchExpressions: [{ key: 'role', operator: 'Exists' }] },
            ],
          },
        },
      },
    });
    expect(nodeShouldRunDaemonPod(aNode('n1', { labels: { zone: 'a', cores: '8' } }), ds).shouldRun).toBe(true);
    expect(nodeShouldRunDaemonPod(aNode('n2', { labels: { zone: 'a', cores: '2' } }), ds).shouldRun).toBe(false);
    expect(nodeShouldRunDaemonPod(aNode('n3', { labels: { role: 'edge' } }), ds).shouldRun).toBe(true);
    expect(nodeShouldRunDaemonPod(aNode('n4', { labels: { zone: 'c', cores: '8' } }), ds).shouldRun).toBe(false);
  });

  it('honours the template nodeName', () => {
    const ds = ssdMonitor({}, { nodeSelector: undefined, nodeName: 'n2' });
    expect(nodeShouldRunDaemonPod(aNode('n1'), ds).shouldRun).toBe(false);
    expect(nodeShouldRunDaemonPod(aNode('n2'), ds).shouldRun).toBe(true);
  });

  it('needs the node taints tolerated; a NoSchedule taint keeps a running pod, NoExecute does not', () => {
    const ds = ssdMonitor({}, { nodeSelector: undefined });
    const noSchedule = aNode('n1', { taints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }] });
    const noExecute = aNode('n2', { taints: [{ key: 'dedicated', value: 'infra', effect: 'NoExecute' }] });
    const preferNo = aNode('n3', { taints: [{ key: 'dedicated', value: 'infra', effect: 'PreferNoSchedule' }] });
    expect(nodeShouldRunDaemonPod(noSchedule, ds)).toEqual({ shouldRun: false, shouldContinueRunning: true });
    expect(nodeShouldRunDaemonPod(noExecute, ds)).toEqual({ shouldRun: false, shouldContinueRunning: false });
    expect(nodeShouldRunDaemonPod(preferNo, ds)).toEqual({ shouldRun: true, shouldContinueRunning: true });
    const tolerant = ssdMonitor({}, { nodeSelector: undefined, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'infra' }] });
    expect(nodeShouldRunDaemonPod(noSchedule, tolerant).shouldRun).toBe(true);
    expect(nodeShouldRunDaemonPod(noExecute, tolerant).shouldRun).toBe(true);
  });

  it('tolerates what every daemon pod tolerates: cordoned and pressured nodes; NotReady nodes keep their pod but get no new one', () => {
    const ds = ssdMonitor({}, { nodeSelector: undefined });
    expect(nodeShouldRunDaemonPod(aNode('n1', { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }), ds).shouldRun).toBe(true);
    expect(nodeShouldRunDaemonPod(aNode('n2', { taints: [{ key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' }] }), ds).shouldRun).toBe(true);
    expect(nodeShouldRunDaemonPod(aNode('n3', { ready: 'False', taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }), ds)).toEqual({
      shouldRun: false,
      shouldContinueRunning: true,
    });
    expect(nodeShouldRunDaemonPod(aNode('n4', { ready: 'Unknown' }), ds)).toEqual({ shouldRun: false, shouldContinueRunning: true });
  });

  it('adds the daemon tolerations (network-unavailable only with hostNetwork), replacing same key and effect', () => {
    const t = daemonTolerations({ containers: [], tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }] });
    expect(t.filter((x) => x.key === 'node.kubernetes.io/not-ready')).toEqual([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }]);
    expect(t.map((x) => x.key)).not.toContain('node.kubernetes.io/network-unavailable');
    expect(daemonTolerations({ containers: [], hostNetwork: true }).map((x) => x.key)).toContain('node.kubernetes.io/network-unavailable');
    expect(toleratesTaint({ operator: 'Exists' }, { key: 'anything', effect: 'NoExecute' })).toBe(true);
    expect(toleratesTaint({ key: 'a', operator: 'Equal', value: 'x', effect: 'NoSchedule' }, { key: 'a', value: 'x', effect: 'NoExecute' })).toBe(false);
  });

  it('pins a pod to its node with node affinity, keeping preferred terms, and reads the node back', () => {
    const affinity = affinityForNode(
      {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }] },
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'x', operator: 'Exists' }] } }],
        },
      },
      'n7',
    );
    expect(affinity.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution).toEqual({ nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n7'] }] }] });
    expect(affinity.nodeAffinity!.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(targetNodeName({ spec: { affinity, containers: [] } })).toBe('n7');
    expect(targetNodeName({ spec: { nodeName: 'n8', affinity, containers: [] } })).toBe('n8');
  });
});

describe('what a node needs', () => {
  const ds = ssdMonitor();
  const fit = { shouldRun: true, shouldContinueRunning: true };

  it('a fitting node without a pod gets one; one that no longer fits loses it', () => {
    expect(planNode(ds, fit, undefined, 'h1', NOW)).toEqual({ create: true, delete: [], failed: [] });
    const pod = aPod('n1', 'h1');
    expect(planNode(ds, { shouldRun: false, shouldContinueRunning: false }, [pod], 'h1', NOW).delete).toEqual([pod]);
    expect(planNode(ds, { shouldRun: false, shouldContinueRunning: true }, [pod], 'h1', NOW).delete).toEqual([]);
  });

  it('keeps the oldest of several pods, replaces failed ones, ignores those being deleted', () => {
    const old = aPod('n1', 'h1', { created: '2024-01-01T00:00:00Z' });
    const newer = aPod('n1', 'h1', { created: '2024-01-01T00:01:00Z' });
    const failed = aPod('n1', 'h1', { phase: 'Failed' });
    const going = aPod('n1', 'h1', { deleting: true });
    const plan = planNode(ds, fit, [newer, failed, old, going], 'h1', NOW);
    expect(plan).toEqual({ create: false, delete: [newer], failed: [failed] });
    // A node whose only pod is being deleted waits for it to go before getting a new one.
    expect(planNode(ds, fit, [going], 'h1', NOW).create).toBe(false);
  });

  it('while surging keeps one old and one new pod until the new one is available', () => {
    const surging = ssdMonitor({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } });
    const oldPod = aPod('n1', 'h1', { created: '2024-01-01T00:00:00Z' });
    const newPod = aPod('n1', 'h2', { created: '2024-01-01T00:01:00Z', ready: false });
    expect(planNode(surging, fit, [oldPod, newPod], 'h2', NOW).delete).toEqual([]);
    const readyNew = aPod('n1', 'h2', { created: '2024-01-01T00:01:00Z' });
    expect(planNode(surging, fit, [oldPod, readyNew], 'h2', NOW).delete).toEqual([oldPod]);
    expect(planNode(surging, fit, [aPod('n1', 'h1', { deleting: true })], 'h2', NOW).create).toBe(true);
  });

  it('deletes unscheduled pods meant for nodes that are gone', () => {
    const stray = aPod('gone', 'h1', { bound: false });
    const bound = aPod('gone2', 'h1');
    expect(podsForMissingNodes([aNode('n1')], podsByNode([stray, bound]))).toEqual([stray]);
  });
});

describe('rolling update', () => {
  const nodes = ['n1', 'n2', 'n3'].map((name) => aNode(name, { labels: { disk: 'ssd' } }));

  it('without surge replaces at most maxUnavailable pods at a time, in node order', () => {
    const ds = ssdMonitor();
    const pods = nodes.map((node) => aPod(node.metadata!.name!, 'old'));
    const plan = planRollingUpdate(ds, nodes, podsByNode(pods), fitsOf(ds, nodes), 'new', NOW);
    expect(plan).toEqual({ deletePods: [pods[0]], createOnNodes: [] });
  });

  it('waits while a new pod is not available, then moves to the next node', () => {
    const ds = ssdMonitor();
    const pods = [aPod('n1', 'new', { ready: false }), aPod('n2', 'old'), aPod('n3', 'old')];
    expect(planRollingUpdate(ds, nodes, podsByNode(pods), fitsOf(ds, nodes), 'new', NOW).deletePods).toEqual([]);
    const next = [aPod('n1', 'new'), pods[1], pods[2]];
    expect(planRollingUpdate(ds, nodes, podsByNode(next), fitsOf(ds, nodes), 'new', NOW).deletePods).toEqual([pods[1]]);
  });

  it('replaces unavailable old pods at once, beyond maxUnavailable', () => {
    const ds = ssdMonitor();
    const pods = [aPod('n1', 'old', { ready: false }), aPod('n2', 'old', { ready: false }), aPod('n3', 'old')];
    expect(planRollingUpdate(ds, nodes, podsByNode(pods), fitsOf(ds, nodes), 'new', NOW).deletePods).toEqual([pods[0], pods[1]]);
  });

  it('with a percentage, counts against the nodes that should run the DaemonSet (rounded up)', () => {
    const ds = ssdMonitor({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%' } } });
    expect(unavailableCount(ds, 3)).toBe(2);
    const pods = nodes.map((node) => aPod(node.metadata!.name!, 'old'));
    expect(planRollingUpdate(ds, nodes, podsByNode(pods), fitsOf(ds, nodes), 'new', NOW).deletePods).toHaveLength(2);
  });

  it('with surge creates new pods beside old ones, up to maxSurge, and retires old ones once new ones are available', () => {
    const ds = ssdMonitor({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } });
    expect(surgeCount(ds, 3)).toBe(1);
    const pods = nodes.map((node) => aPod(node.metadata!.name!, 'old'));
    expect(planRollingUpdate(ds, nodes, podsByNode(pods), fitsOf(ds, nodes), 'new', NOW)).toEqual({ deletePods: [], createOnNodes: ['n1'] });
    const surged = [...pods, aPod('n1', 'new', { ready: false })];
    expect(planRollingUpdate(ds, nodes, podsByNode(surged), fitsOf(ds, nodes), 'new', NOW)).toEqual({ deletePods: [], createOnNodes: [] });
    const ready = [...pods, aPod('n1', 'new')];
    expect(planRollingUpdate(ds, nodes, podsByNode(ready), fitsOf(ds, nodes), 'new', NOW)).toEqual({ deletePods: [pods[0]], createOnNodes: ['n2'] });
  });

  it('does nothing for OnDelete', () => {
    const ds = ssdMonitor({ updateStrategy: { type: 'OnDelete' } });
    expect(surgeCount(ds, 3)).toBe(0);
    expect(unavailableCount(ds, 3)).toBe(0);
  });
});

describe('status', () => {
  it('counts desired, scheduled, misscheduled, ready, available and updated nodes', () => {
    const ds = ssdMonitor({ minReadySeconds: 60 });
    const nodes = [aNode('n1', { labels: { disk: 'ssd' } }), aNode('n2', { labels: { disk: 'ssd' } }), aNode('n3', { labels: { disk: 'ssd' } }), aNode('n4')];
    const readySince = (p: Pod, t: string) => {
      p.status!.conditions![0].lastTransitionTime = t;
      return p;
    };
    const pods = [
      readySince(aPod('n1', 'new'), '2024-01-01T00:00:00Z'), // available
      readySince(aPod('n2', 'old'), '2024-01-01T00:09:30Z'), // ready, not yet available
      aPod('n4', 'new'), // misscheduled
    ];
    expect(calculateStatus(ds, nodes, podsByNode(pods), fitsOf(ds, nodes), 'new', NOW)).toEqual({
      desiredNumberScheduled: 3,
      currentNumberScheduled: 2,
      numberMisscheduled: 1,
      numberReady: 2,
      numberAvailable: 1,
      numberUnavailable: 2,
      updatedNumberScheduled: 1,
      observedGeneration: 2,
    });
  });
});
