import type { Pod } from '@logbook/api';
import {
  adoptionPatch,
  compareForDeletion,
  ControllerExpectations,
  isPodActive,
  isPodAvailable,
  podFromTemplate,
  podNamePrefix,
  podsToDelete,
  releasePatch,
  slowStartBatch,
} from '.';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

/** A pod as the scenario describes it. */
function aPod(name: string) {
  const pod: Pod = { metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: ago(3600) }, spec: { containers: [] }, status: { phase: 'Pending' } };
  const b = {
    on(node: string) {
      pod.spec!.nodeName = node;
      return b;
    },
    running() {
      pod.status!.phase = 'Running';
      return b;
    },
    readyFor(seconds: number) {
      pod.status!.conditions = [{ type: 'Ready', status: 'True', lastTransitionTime: ago(seconds) }];
      return b;
    },
    createdAgo(seconds: number) {
      pod.metadata!.creationTimestamp = ago(seconds);
      return b;
    },
    restarts(n: number) {
      pod.status!.containerStatuses = [{ name: 'c', ready: true, restartCount: n, image: '', imageID: '' }];
      return b;
    },
    deletionCost(n: number) {
      pod.metadata!.annotations = { 'controller.kubernetes.io/pod-deletion-cost': String(n) };
      return b;
    },
    terminating() {
      pod.metadata!.deletionTimestamp = ago(1);
      return b;
    },
    succeeded() {
      pod.status!.phase = 'Succeeded';
      return b;
    },
    build: () => pod,
  };
  return b;
}

const firstOf = (...pods: Pod[]) => [...pods].sort((a, b) => compareForDeletion(a, b, { now: NOW }))[0].metadata!.name;

describe('which pod to delete first (ActivePods ranking)', () => {
  it('prefers unscheduled, then pending, then not ready pods', () => {
    const ready = aPod('ready').on('n1').running().readyFor(100).build();
    const notReady = aPod('not-ready').on('n1').running().build();
    const pending = aPod('pending').on('n1').build();
    const unscheduled = aPod('unscheduled').build();
    expect(firstOf(ready, notReady, pending, unscheduled)).toBe('unscheduled');
    expect(firstOf(ready, notReady, pending)).toBe('pending');
    expect(firstOf(ready, notReady)).toBe('not-ready');
  });

  it('then the lower deletion cost, the more doubled-up node, the shorter-ready, the most restarted, the newest', () => {
    expect(firstOf(aPod('cheap').on('n1').running().readyFor(10).deletionCost(-5).build(), aPod('dear').on('n1').running().readyFor(10).build())).toBe('cheap');
    const a = aPod('a').on('n1').running().readyFor(1000).build();
    const b = aPod('b').on('n2').running().readyFor(1000).build();
    expect(compareForDeletion(a, b, { rankA: 3, rankB: 1, now: NOW })).toBeLessThan(0);
    expect(firstOf(aPod('old-ready').on('n1').running().readyFor(5000).build(), aPod('new-ready').on('n1').running().readyFor(10).build())).toBe('new-ready');
    expect(firstOf(aPod('calm').on('n1').running().readyFor(100).restarts(0).build(), aPod('crashy').on('n1').running().readyFor(100).restarts(4).build())).toBe('crashy');
    expect(firstOf(aPod('old').on('n1').createdAgo(86400).build(), aPod('young').on('n1').createdAgo(30).build())).toBe('young');
  });

  it('picks the count to delete, ranking pods on crowded nodes first', () => {
    const pods = [aPod('p1').on('n1').running().readyFor(100).build(), aPod('p2').on('n2').running().readyFor(100).build(), aPod('p3').on('n2').running().readyFor(100).build()];
    expect(podsToDelete(pods, 1, { now: NOW }).map((p) => p.spec!.nodeName)).toEqual(['n2']);
    expect(podsToDelete(pods, 5)).toHaveLength(3);
    expect(podsToDelete(pods, 0)).toEqual([]);
  });
});

describe('pod availability', () => {
  it('is readiness held for minReadySeconds', () => {
    const pod = aPod('p').on('n1').running().readyFor(5).build();
    expect(isPodAvailable(pod, 0, NOW)).toBe(true);
    expect(isPodAvailable(pod, 10, NOW)).toBe(false);
    expect(isPodAvailable(pod, 5, NOW)).toBe(true);
    expect(isPodAvailable(aPod('q').running().build(), 0, NOW)).toBe(false);
  });

  it('counts neither terminal nor terminating pods as active', () => {
    expect(isPodActive(aPod('a').running().build())).toBe(true);
    expect(isPodActive(aPod('b').succeeded().build())).toBe(false);
    expect(isPodActive(aPod('c').running().terminating().build())).toBe(false);
  });
});

describe('slowStartBatch', () => {
  it('runs 1, 2, 4, ... calls at a time', async () => {
    const batches: number[] = [];
    const res = await slowStartBatch(10, async (_i, batch) => {
      batches.push(batch);
    });
    expect(res).toEqual({ successes: 10 });
    expect(batches).toEqual([0, 1, 1, 2, 2, 2, 2, 3, 3, 3]);
  });

  it('starts no batch after one that failed', async () => {
    let calls = 0;
    const res = await slowStartBatch(20, async (i) => {
      calls++;
      if (i === 2) throw new Error('quota exceeded');
    });
    expect(calls).toBe(3); // batches of 1 and 2; the second failed
    expect(res.successes).toBe(2);
    expect((res.error as Error).message).toBe('quota exceeded');
  });
});

describe('ControllerExpectations', () => {
  it('is satisfied once every expected creation and deletion was observed', () => {
    const e = new ControllerExpectations();
    expect(e.satisfied('ns/rs')).toBe(true);
    e.expectCreations('ns/rs', 2);
    expect(e.satisfied('ns/rs')).toBe(false);
    e.creationObserved('ns/rs');
    e.creationObserved('ns/rs');
    expect(e.satisfied('ns/rs')).toBe(true);
    e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/a');
    expect(e.pending('ns/rs')).toEqual({ adds: 0, deletions: ['ns/b'] });
    e.deletionObserved('ns/rs', 'ns/b');
    expect(e.satisfied('ns/rs')).toBe(true);
  });

  it('gives up waiting after the TTL', () => {
    let now = 0;
    const e = new ControllerExpectations({ ttlMs: 1000, now: () => now });
    e.expectCreations('k', 1);
    now = 999;
    expect(e.satisfied('k')).toBe(false);
    now = 1001;
    expect(e.satisfied('k')).toBe(true);
  });
});

describe('pods from templates', () => {
  const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'kubia', uid: 'u1', controller: true, blockOwnerDeletion: true };

  it('copies labels, annotations and spec, names by generateName, and sets the controller reference', () => {
    const template = { metadata: { labels: { app: 'kubia' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'kubia', image: 'luksa/kubia' }] } };
    const pod = podFromTemplate(template, 'default', ref);
    expect(pod.metadata).toEqual({ namespace: 'default', generateName: 'kubia-', labels: { app: 'kubia' }, annotations: { a: 'b' }, ownerReferences: [ref] });
    pod.spec!.containers[0].image = 'changed';
    expect(template.spec.containers[0].image).toBe('luksa/kubia');
  });

  it('drops the dash when it would make the name invalid', () => {
    expect(podNamePrefix('kubia')).toBe('kubia-');
    expect(podNamePrefix('x'.repeat(253))).toBe('x'.repeat(253));
  });
});

describe('adoption and release patches', () => {
  const ref = { apiVersion: 'v1', kind: 'ReplicationController', name: 'kubia', uid: 'rc1', controller: true, blockOwnerDeletion: true };

  it('adopts only the pod read, with its references unchanged', () => {
    expect(adoptionPatch({ metadata: { uid: 'p1', resourceVersion: '7' } }, ref)).toEqual([
      { op: 'test', path: '/metadata/uid', value: 'p1' },
      { op: 'test', path: '/metadata/resourceVersion', value: '7' },
      { op: 'add', path: '/metadata/ownerReferences', value: [ref] },
    ]);
    const other = { apiVersion: 'v1', kind: 'ConfigMap', name: 'c', uid: 'c1' };
    expect(adoptionPatch({ metadata: { uid: 'p1', ownerReferences: [other] } }, ref)).toEqual([
      { op: 'test', path: '/metadata/uid', value: 'p1' },
      { op: 'test', path: '/metadata/ownerReferences', value: [other] },
      { op: 'add', path: '/metadata/ownerReferences/-', value: ref },
    ]);
  });

  it('releases by removing only the owner’s reference', () => {
    const other = { apiVersion: 'v1', kind: 'ConfigMap', name: 'c', uid: 'c1' };
    expect(releasePatch({ metadata: { uid: 'p1', ownerReferences: [ref, other] } }, 'rc1')[2]).toEqual({ op: 'replace', path: '/metadata/ownerReferences', value: [other] });
    expect(releasePatch({ metadata: { uid: 'p1', ownerReferences: [ref] } }, 'rc1')[2]).toEqual({ op: 'remove', path: '/metadata/ownerReferences' });
  });
});
