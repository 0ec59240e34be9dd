import type { Node, Pod } from '@logbook/api';
import { NodeInfo } from './node-info';
import { FitError, schedulePod } from './schedule';
import { selectHost } from './scores';

const node = (name: string, opts: { labels?: Record<string, string>; cpu?: string; memory?: string; spec?: Node['spec'] } = {}): Node => ({
  metadata: { name, labels: opts.labels ?? {} },
  spec: opts.spec ?? {},
  status: { allocatable: { cpu: opts.cpu ?? '4', memory: opts.memory ?? '16Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
});

let uid = 0;
const pod = (spec: Partial<Pod['spec']> = {}, owner?: string, requests?: Record<string, string>): Pod => ({
  metadata: {
    name: `p${++uid}`,
    namespace: 'default',
    uid: `u${uid}`,
    ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: owner, controller: true }] } : {}),
  },
  spec: { containers: [{ name: 'c', image: 'x', ...(requests ? { resources: { requests } } : {}) }], ...spec },
});

/** Schedules pods one by one, counting each on its node, as the scheduler's cache does. */
function scheduleAll(pods: Pod[], infos: NodeInfo[]): Record<string, number> {
  const per: Record<string, number> = {};
  for (const p of pods) {
    const r = schedulePod(p, infos);
    if ('error' in r) throw new Error(r.error.message);
    infos.find((i) => i.name === r.node)!.addPod({ ...p, spec: { ...p.spec!, nodeName: r.node } });
    per[r.node] = (per[r.node] ?? 0) + 1;
  }
  return per;
}

describe('the FailedScheduling message', () => {
  it("is kube-scheduler's: a sorted histogram of the reasons", () => {
    const infos = ['a', 'b', 'c'].map((n) => new NodeInfo(node(n)));
    const r = schedulePod(pod({ nodeSelector: { gpu: 'true' } }), infos);
    expect('error' in r && r.error.message).toBe("0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.");
  });

  it('counts each node under its first failing filter, and lists every resource short', () => {
    const infos = [
      new NodeInfo(node('a', { labels: { gpu: 'true' }, cpu: '1' })),
      new NodeInfo(node('b', { labels: { gpu: 'true' }, cpu: '1', memory: '1Gi' })),
      new NodeInfo(node('c')),
      new NodeInfo(node('d', { labels: { gpu: 'true' }, spec: { taints: [{ key: 'dedicated', value: 'ml', effect: 'NoSchedule' }] } })),
    ];
    const r = schedulePod(pod({ nodeSelector: { gpu: 'true' } }, undefined, { cpu: '2', memory: '2Gi' }), infos);
    // Sorted as Go's sort.Strings sorts them (byte order: "1 I..." before "1 n...").
    expect('error' in r && r.error.message).toBe(
      "0/4 nodes are available: 1 Insufficient memory, 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: ml}, 2 Insufficient cpu.",
    );
  });

  it('says so when there are no nodes at all', () => {
    expect(new FitError(0, new Map()).message).toBe('no nodes available to schedule pods');
  });
});

describe('scoring', () => {
  it('prefers the least allocated node', () => {
    const busy = new NodeInfo(node('busy'));
    busy.addPod({ ...pod({}, undefined, { cpu: '3', memory: '8Gi' }), spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '3', memory: '8Gi' } } }], nodeName: 'busy' } });
    const idle = new NodeInfo(node('idle'));
    const r = schedulePod(pod(), [busy, idle]);
    expect('node' in r && r.node).toBe('idle');
  });

  it("spreads one controller's pods evenly across equal nodes", () => {
    const infos = ['a', 'b', 'c'].map((n) => new NodeInfo(node(n)));
    // Other pods must not skew it: give node a two unrelated pods without requests.
    expect(scheduleAll(Array.from({ length: 6 }, () => pod({}, 'rs-1')), infos)).toEqual({ a: 2, b: 2, c: 2 });
  });

  it('spreads across nodes even when the pods of another controller crowd one of them', () => {
    const infos = ['a', 'b', 'c'].map((n) => new NodeInfo(node(n)));
    scheduleAll([pod({ nodeSelector: {} }, 'other')], [infos[0]]);
    const per = scheduleAll(Array.from({ length: 3 }, () => pod({}, 'rs-2')), infos);
    expect(Object.values(per)).toEqual([1, 1, 1]);
  });

  it('honours preferred node affinity when resources are equal', () => {
    const infos = [new NodeInfo(node('plain')), new NodeInfo(node('ssd', { labels: { disk: 'ssd' } }))];
    const p = pod({ affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } } });
    const r = schedulePod(p, infos);
    expect('node' in r && r.node).toBe('ssd');
  });

  it('avoids PreferNoSchedule taints when it can', () => {
    const infos = [new NodeInfo(node('soft', { spec: { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] } })), new NodeInfo(node('clean'))];
    const r = schedulePod(pod(), infos);
    expect('node' in r && r.node).toBe('clean');
  });

  it('breaks ties at random among the best', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const wins = [0, 0, 0, 0];
    for (let i = 0; i < 300; i++) wins[selectHost([5, 9, 9, 9], random)]++;
    expect(wins[0]).toBe(0);
    for (const w of wins.slice(1)) expect(w).toBeGreaterThan(50);
    expect(selectHost([1, 2, 3])).toBe(2);
  });
});
