/**
 * The taints the node lifecycle controller keeps on a Node, derived from
 * its conditions and `spec.unschedulable` (Kubernetes' doNoScheduleTaintingPass
 * and processTaintBaseEviction). Pure functions.
 */
import type { Node, NodeCondition, Taint } from '@logbook/api';

import {
  TAINT_DISK_PRESSURE,
  TAINT_MEMORY_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
  TAINT_NOT_READY,
  TAINT_PID_PRESSURE,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
} from '@logbook/api';

/** Condition type → status → the NoSchedule taint that status calls for. */
const CONDITION_TAINTS: Record<string, Partial<Record<NodeCondition['status'], string>>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: TAINT_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_DISK_PRESSURE },
  PIDPressure: { True: TAINT_PID_PRESSURE },
  NetworkUnavailable: { True: TAINT_NETWORK_UNAVAILABLE },
};

/** Every taint key this controller manages (others on the node are left alone). */
const MANAGED_NO_SCHEDULE = new Set([...Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)), TAINT_UNSCHEDULABLE]);
const MANAGED_NO_EXECUTE = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE]);

export function readyCondition(node: Node): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready');
}

/** NoSchedule taints the node's conditions and cordon call for. */
export function noScheduleTaints(node: Node): Taint[] {
  const keys: string[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key) keys.push(key);
  }
  if (node.spec?.unschedulable) keys.push(TAINT_UNSCHEDULABLE);
  return [...new Set(keys)].map((key) => ({ key, effect: 'NoSchedule' }));
}

/**
 * The NoExecute taint the Ready condition calls for: not-ready when False,
 * unreachable when Unknown (or missing), none when True. None either when
 * eviction is suspended (the whole zone is down: more likely the control
 * plane lost the network than every node died).
 */
export function noExecuteTaint(node: Node, opts: { evictionSuspended?: boolean } = {}): Taint | undefined {
  if (opts.evictionSuspended) return undefined;
  const status = readyCondition(node)?.status ?? 'Unknown';
  if (status === 'True') return undefined;
  return { key: status === 'False' ? TAINT_NOT_READY : TAINT_UNREACHABLE, effect: 'NoExecute' };
}

const sameTaint = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect && (a.value ?? '') === (b.value ?? '');

/**
 * The node's taints with the managed ones made to match `wanted`: taints of
 * other owners stay as they are, managed taints still wanted keep their
 * timeAdded, new NoExecute taints get `now` as timeAdded (tolerationSeconds
 * count from it). Undefined when nothing changes.
 */
export function reconcileTaints(current: readonly Taint[] | undefined, wanted: readonly Taint[], now: string): Taint[] | undefined {
  const existing = current ?? [];
  const managed = (t: Taint) => (t.effect === 'NoSchedule' && MANAGED_NO_SCHEDULE.has(t.key)) || (t.effect === 'NoExecute' && MANAGED_NO_EXECUTE.has(t.key));
  const kept = existing.filter((t) => !managed(t) || wanted.some((w) => sameTaint(w, t)));
  const added = wanted.filter((w) => !existing.some((t) => sameTaint(t, w))).map((w) => (w.effect === 'NoExecute' ? { ...w, timeAdded: w.timeAdded ?? now } : { ...w }));
  if (kept.length === existing.length && !added.length) return undefined;
  return [...kept, ...added];
}
