import type { Node, Pod } from '@logbook/api';
import { SchedulerCache } from './scheduler-cache';

const node = (name: string): Node => ({ metadata: { name }, status: { allocatable: { cpu: '4', memory: '16Gi', pods: '110' } } });
const pod = (name: string, nodeName?: string, phase = 'Pending'): Pod => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}` },
  spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '1' } } }], ...(nodeName ? { nodeName } : {}) },
  status: { phase: phase as 'Pending' },
});

describe('SchedulerCache', () => {
  let now = 0;
  let cache: SchedulerCache;
  beforeEach(() => {
    now = 0;
    cache = new SchedulerCache(() => now);
    cache.onNodeEvent({ type: 'ADDED', object: node('n1'), initialList: false });
    cache.onNodeEvent({ type: 'ADDED', object: node('n2'), initialList: false });
  });
  const cpuOn = (n: string) => cache.node(n)?.requested.cpu ?? 0;

  it('counts bound pods on their node, and frees them when deleted or finished', () => {
    cache.onPodEvent({ type: 'ADDED', object: pod('a', 'n1'), initialList: false });
    expect(cpuOn('n1')).toBe(1000);
    cache.onPodEvent({ type: 'UPDATED', oldObject: pod('a', 'n1'), object: pod('a', 'n1', 'Succeeded'), resync: false });
    expect(cpuOn('n1')).toBe(0);
    cache.onPodEvent({ type: 'ADDED', object: pod('b', 'n2'), initialList: false });
    cache.onPodEvent({ type: 'DELETED', object: pod('b', 'n2'), finalStateUnknown: false });
    expect(cpuOn('n2')).toBe(0);
  });

  it('counts an assumed pod until the informer shows it bound, and not twice after', () => {
    const p = pod('c');
    cache.assume(p, 'n1');
    expect(cache.isAssumed(p)).toBe(true);
    expect(cpuOn('n1')).toBe(1000);
    // A status change that still shows it unbound keeps the assumption.
    cache.onPodEvent({ type: 'UPDATED', oldObject: p, object: p, resync: false });
    expect(cpuOn('n1')).toBe(1000);
    cache.onPodEvent({ type: 'UPDATED', oldObject: p, object: pod('c', 'n1'), resync: false });
    expect(cache.isAssumed(p)).toBe(false);
    expect(cpuOn('n1')).toBe(1000);
  });

  it('drops an assumption when the binding fails, or after its TTL', () => {
    const p = pod('d');
    cache.assume(p, 'n2');
    cache.forget(p);
    expect(cpuOn('n2')).toBe(0);
    cache.assume(p, 'n2');
    now += 31_000;
    expect(cache.isAssumed(p)).toBe(false);
    expect(cpuOn('n2')).toBe(0);
  });

  it('lists only nodes that exist, and keeps pods of a node seen before it', () => {
    cache.onPodEvent({ type: 'ADDED', object: pod('e', 'n3'), initialList: false });
    expect(cache.nodes().map((n) => n.name).sort()).toEqual(['n1', 'n2']);
    cache.onNodeEvent({ type: 'ADDED', object: node('n3'), initialList: false });
    expect(cpuOn('n3')).toBe(1000);
    cache.onNodeEvent({ type: 'DELETED', object: node('n1'), finalStateUnknown: false });
    expect(cache.nodes().map((n) => n.name).sort()).toEqual(['n2', 'n3']);
  });
});
