import type { Node, NodeCondition, Pod, Taint } from '@logbook/api';
import { NodeHealthTracker, unknownConditions, zoneFullyDisrupted } from './node-health';
import { effectiveTolerations, evictionDecision, toleratesTaint } from './taint-eviction';
import { TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE } from '@logbook/api';
import { noExecuteTaint, noScheduleTaints, reconcileTaints } from './taints';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const cond = (type: string, status: NodeCondition['status']): NodeCondition => ({ type, status, reason: 'r', lastHeartbeatTime: '2024-05-01T09:59:00Z', lastTransitionTime: '2024-05-01T09:00:00Z' });
const node = (ready: NodeCondition['status'] | undefined, over: { unschedulable?: boolean; taints?: Taint[]; extra?: NodeCondition[]; zone?: string } = {}): Node => ({
  metadata: { name: 'n1', creationTimestamp: '2024-05-01T08:00:00Z', labels: over.zone ? { 'topology.kubernetes.io/zone': over.zone } : {} },
  spec: { unschedulable: over.unschedulable, taints: over.taints },
  status: { conditions: [...(ready ? [cond('Ready', ready)] : []), ...(over.extra ?? [])] },
});

describe('node taints from conditions', () => {
  it('adds NoSchedule taints for not-ready, unreachable, pressure and cordon', () => {
    expect(noScheduleTaints(node('True'))).toEqual([]);
    expect(noScheduleTaints(node('False'))).toEqual([{ key: TAINT_NOT_READY, effect: 'NoSchedule' }]);
    expect(noScheduleTaints(node('Unknown'))).toEqual([{ key: TAINT_UNREACHABLE, effect: 'NoSchedule' }]);
    expect(noScheduleTaints(node('True', { unschedulable: true }))).toEqual([{ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' }]);
    expect(noScheduleTaints(node('True', { extra: [cond('MemoryPressure', 'True'), cond('DiskPressure', 'False')] }))).toEqual([
      { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' },
    ]);
  });

  it('picks the NoExecute taint from Ready, and none while eviction is suspended', () => {
    expect(noExecuteTaint(node('True'))).toBeUndefined();
    expect(noExecuteTaint(node('False'))).toEqual({ key: TAINT_NOT_READY, effect: 'NoExecute' });
    expect(noExecuteTaint(node('Unknown'))).toEqual({ key: TAINT_UNREACHABLE, effect: 'NoExecute' });
    expect(noExecuteTaint(node(undefined))).toEqual({ key: TAINT_UNREACHABLE, effect: 'NoExecute' });
    expect(noExecuteTaint(node('Unknown'), { evictionSuspended: true })).toBeUndefined();
  });

  it('adds and removes only managed taints, keeping timeAdded of those that stay', () => {
    const now = '2024-05-01T10:00:00Z';
    const user: Taint = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };
    const unreachable: Taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: '2024-05-01T09:00:00Z' };
    // Becoming unreachable: the NoExecute taint gets a timeAdded of now.
    expect(reconcileTaints([user], [{ key: TAINT_UNREACHABLE, effect: 'NoSchedule' }, { key: TAINT_UNREACHABLE, effect: 'NoExecute' }], now)).toEqual([
      user,
      { key: TAINT_UNREACHABLE, effect: 'NoSchedule' },
      { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: now },
    ]);
    // Still unreachable: nothing to change (timeAdded kept).
    expect(reconcileTaints([user, unreachable], [{ key: TAINT_UNREACHABLE, effect: 'NoExecute' }], now)).toBeUndefined();
    // Ready again: managed taints go, the user's stays.
    expect(reconcileTaints([user, unreachable, { key: TAINT_UNREACHABLE, effect: 'NoSchedule' }], [], now)).toEqual([user]);
    // A user's own NoExecute taint with a managed-looking key but another effect is left alone.
    const custom: Taint = { key: TAINT_UNSCHEDULABLE, effect: 'NoExecute' };
    expect(reconcileTaints([custom], [], now)).toBeUndefined();
  });
});

describe('node health', () => {
  it('counts a renewed lease or a new heartbeat as a sign of life, by the observer clock', () => {
    const tracker = new NodeHealthTracker();
    const lease = (renewTime: string) => ({ metadata: { name: 'n1' }, spec: { renewTime } });
    const n = node('True');
    expect(tracker.observe(n, lease('2024-05-01T09:00:00.000000Z'), T0)).toBe(T0);
    // Same lease later: still last seen at T0.
    expect(tracker.observe(n, lease('2024-05-01T09:00:00.000000Z'), T0 + 30_000)).toBe(T0);
    // Renewed (whatever the lease clock says): seen now.
    expect(tracker.observe(n, lease('2024-05-01T09:00:10.000000Z'), T0 + 35_000)).toBe(T0 + 35_000);
    // A new heartbeat on Ready counts too.
    const beat = node('True');
    beat.status!.conditions![0].lastHeartbeatTime = '2024-05-01T10:01:00Z';
    expect(tracker.observe(beat, lease('2024-05-01T09:00:10.000000Z'), T0 + 50_000)).toBe(T0 + 50_000);
    tracker.forget('n1');
    expect(tracker.observe(n, undefined, T0 + 99_000)).toBe(T0 + 99_000);
  });

  it('turns Ready and pressure conditions Unknown, adding the ones never posted', () => {
    const n = node('True', { extra: [cond('MemoryPressure', 'False'), cond('NetworkUnavailable', 'False')] });
    const out = unknownConditions(n, T0)!;
    const byType = Object.fromEntries(out.map((c) => [c.type, c]));
    expect(byType.Ready).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: '2024-05-01T10:00:00Z', lastHeartbeatTime: '2024-05-01T09:59:00Z' });
    expect(byType.MemoryPressure.status).toBe('Unknown');
    expect(byType.NetworkUnavailable.status).toBe('False');
    expect(byType.DiskPressure).toMatchObject({ status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' });
    // Already Unknown: nothing to write.
    expect(unknownConditions({ ...n, status: { conditions: out } }, T0 + 1000)).toBeUndefined();
  });

  it('calls a zone fully disrupted only when none of its nodes is Ready', () => {
    expect(zoneFullyDisrupted([node('Unknown'), node('False')])).toBe(true);
    expect(zoneFullyDisrupted([node('Unknown'), node('True')])).toBe(false);
    expect(zoneFullyDisrupted([])).toBe(false);
  });
});

describe('taint eviction', () => {
  const unreachable = (addedAt = '2024-05-01T10:00:00Z'): Taint => ({ key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: addedAt });
  const pod = (tolerations?: Pod['spec'] extends infer S ? (S extends { tolerations?: infer X } ? X : never) : never): Pod => ({
    metadata: { name: 'p', namespace: 'ns', creationTimestamp: '2024-05-01T09:00:00Z' },
    spec: { containers: [], tolerations },
  });

  it('matches tolerations as Kubernetes does', () => {
    const taint: Taint = { key: 'k', value: 'v', effect: 'NoExecute' };
    expect(toleratesTaint({ key: 'k', operator: 'Equal', value: 'v' }, taint)).toBe(true);
    expect(toleratesTaint({ key: 'k', value: 'v' }, taint)).toBe(true);
    expect(toleratesTaint({ key: 'k', operator: 'Equal', value: 'w' }, taint)).toBe(false);
    expect(toleratesTaint({ key: 'k', operator: 'Exists', effect: 'NoSchedule' }, taint)).toBe(false);
    expect(toleratesTaint({ operator: 'Exists' }, taint)).toBe(true);
    expect(toleratesTaint({ key: 'other', operator: 'Exists' }, taint)).toBe(false);
  });

  it('gives pods the default not-ready/unreachable tolerations unless they have their own', () => {
    expect(effectiveTolerations(pod(), 300)).toEqual([
      { key: TAINT_NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
    const own = [{ key: TAINT_UNREACHABLE, operator: 'Exists' as const, effect: 'NoExecute' as const, tolerationSeconds: 6000 }];
    expect(effectiveTolerations(pod(own), 300)).toEqual([...own, { key: TAINT_NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]);
    // Tolerating everything (as DaemonSet pods often do) covers both.
    expect(effectiveTolerations(pod([{ operator: 'Exists' }]), 300)).toEqual([{ operator: 'Exists' }]);
  });

  it('evicts after the default toleration counted from when the taint was added', () => {
    expect(evictionDecision(pod(), [unreachable()], { now: T0 + 1000, defaultTolerationSeconds: 300 })).toEqual({ kind: 'evict-at', at: T0 + 300_000, taint: unreachable() });
    expect(evictionDecision(pod(), [unreachable()], { now: T0 + 300_000, defaultTolerationSeconds: 300 }).kind).toBe('evict-now');
    expect(evictionDecision(pod(), [unreachable()], { now: T0 + 2000, defaultTolerationSeconds: 2 }).kind).toBe('evict-now');
  });

  it('honours the pod tolerationSeconds, forever without it, and at once for taints it does not tolerate', () => {
    const long = pod([{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 6000 }]);
    expect(evictionDecision(long, [unreachable()], { now: T0, defaultTolerationSeconds: 2 })).toMatchObject({ kind: 'evict-at', at: T0 + 6_000_000 });
    const forever = pod([{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }]);
    expect(evictionDecision(forever, [unreachable()], { now: T0 + 10_000_000 })).toEqual({ kind: 'stay' });
    const custom: Taint = { key: 'maintenance', effect: 'NoExecute' };
    expect(evictionDecision(pod(), [custom], { now: T0 })).toMatchObject({ kind: 'evict-now' });
    // The shortest toleration among the taints wins.
    expect(evictionDecision(long, [unreachable(), { key: TAINT_NOT_READY, effect: 'NoExecute', timeAdded: '2024-05-01T10:00:00Z' }], { now: T0, defaultTolerationSeconds: 60 })).toMatchObject({
      kind: 'evict-at',
      at: T0 + 60_000,
    });
    // NoSchedule taints never evict.
    expect(evictionDecision(pod(), [{ key: TAINT_UNREACHABLE, effect: 'NoSchedule' }], { now: T0 })).toEqual({ kind: 'stay' });
  });

  it('counts from the pod creation when the pod came after the taint', () => {
    const late = pod();
    late.metadata!.creationTimestamp = '2024-05-01T10:01:00Z';
    expect(evictionDecision(late, [unreachable()], { now: T0, defaultTolerationSeconds: 10 })).toMatchObject({ kind: 'evict-at', at: T0 + 70_000 });
  });
});
