import type { Node, Taint } from './cluster.types';
import type { Toleration } from './scheduling.types';

/** Taints the node lifecycle controller puts on a node that is not Ready. */
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
/** The well-known taints of the other node conditions and of `spec.unschedulable` (k8s.io/api/core/v1 well_known_taints.go). */
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/** Kubernetes' `Toleration.ToleratesTaint`; an empty key with Equal (which validation refuses) matches nothing. */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return !!toleration.key && (toleration.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

/**
 * The node's taints, plus the NoSchedule one its Ready condition implies
 * (`not-ready` for False, `unreachable` for Unknown or missing) when the
 * node lifecycle controller has not added it yet: a NotReady node takes no
 * new pods unless they tolerate it — what the scheduler and the DaemonSet
 * controller both need to know.
 */
export function effectiveTaints(node: Node): Taint[] {
  const taints = [...(node.spec?.taints ?? [])];
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') {
    const key = ready?.status === 'False' ? TAINT_NOT_READY : TAINT_UNREACHABLE;
    if (!taints.some((t) => t.key === key && t.effect === 'NoSchedule')) taints.push({ key, effect: 'NoSchedule' });
  }
  return taints;
}
