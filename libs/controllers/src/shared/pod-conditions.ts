import type { Pod, PodCondition } from '@logbook/api';

/**
 * What controllers ask of a pod's status (Kubernetes' pkg/api/v1/pod and
 * pkg/controller helpers). Pure functions of the pod and, where time
 * matters, of `now` (milliseconds since the epoch).
 */

/** The pod's `Ready` condition, if it reports one. */
export function podReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** The `Ready` condition is True. */
export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/** When the pod last became Ready (ms), if it is Ready and says when. */
export function podReadySince(pod: Pod): number | undefined {
  const c = podReadyCondition(pod);
  if (c?.status !== 'True' || !c.lastTransitionTime) return undefined;
  const t = Date.parse(String(c.lastTransitionTime));
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Ready for at least `minReadySeconds` (Kubernetes' IsPodAvailable): with
 * 0, available as soon as Ready. A Ready pod that does not say since when
 * counts as available only with minReadySeconds 0.
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = podReadySince(pod);
  return since !== undefined && since + minReadySeconds * 1000 <= now;
}

/**
 * Milliseconds until a Ready pod becomes available (0 if it is, undefined
 * if it is not Ready): when to look again.
 */
export function msUntilAvailable(pod: Pod, minReadySeconds: number, now: number): number | undefined {
  if (!isPodReady(pod)) return undefined;
  const since = podReadySince(pod);
  if (!minReadySeconds) return 0;
  if (since === undefined) return undefined;
  return Math.max(0, since + minReadySeconds * 1000 - now);
}

/** Succeeded or Failed: its containers will not run again. */
export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Has a deletionTimestamp: on its way out (graceful termination, finalizers). */
export function isPodTerminating(pod: Pod): boolean {
  return !!pod.metadata?.deletionTimestamp;
}

/**
 * Counts toward a controller's replicas (Kubernetes' IsPodActive): not
 * terminal and not being deleted.
 */
export function isPodActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && !isPodTerminating(pod);
}

/** The pods among `pods` that are active (FilterActivePods). */
export function filterActivePods<P extends Pod>(pods: readonly P[]): P[] {
  return pods.filter(isPodActive);
}

/** The highest restart count of the pod's containers (0 if none reported). */
export function maxContainerRestarts(pod: Pod): number {
  let max = 0;
  for (const c of pod.status?.containerStatuses ?? []) max = Math.max(max, c.restartCount ?? 0);
  return max;
}
