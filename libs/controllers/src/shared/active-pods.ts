import type { Pod } from '@logbook/api';
import { isPodActive, isPodReady, maxContainerRestarts, podReadySince } from './pod-conditions';

/** The annotation by which users rank pods of one ReplicaSet for deletion (lower goes first). */
export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** A pod's deletion cost from its annotation; 0 when absent or not an int32. */
export function podDeletionCost(pod: Pod): number {
  const raw = pod.metadata?.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (raw === undefined || !/^-?\d+$/.test(raw)) return 0;
  const n = Number(raw);
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : 0;
}

/**
 * Puts a time on Kubernetes' logarithmic scale (LogarithmicScaleDown):
 * pods that came up at about the same time — within a power of two of
 * each other, as seen from `now` — rank the same, so that scaling down
 * does not always pick the very newest.
 */
function logarithmicBucket(time: number, now: number): number {
  const d = Math.max(0, now - time);
  return d <= 1000 ? 0 : Math.floor(Math.log2(d / 1000));
}

const creation = (p: Pod) => Date.parse(String(p.metadata?.creationTimestamp ?? '')) || 0;

/**
 * Orders two active pods by which to delete first (Kubernetes'
 * ActivePodsWithRanks.Less); negative when `a` goes before `b`:
 *
 * 1. not scheduled before scheduled;
 * 2. Pending before Unknown before Running;
 * 3. not Ready before Ready;
 * 4. lower `controller.kubernetes.io/pod-deletion-cost` first;
 * 5. higher rank first (the caller's: Kubernetes ranks a pod by how many
 *    related pods share its node, so doubled-up nodes shed pods first);
 * 6. both Ready: Ready for less time first (on a logarithmic scale);
 * 7. more container restarts first;
 * 8. created more recently first (on a logarithmic scale);
 * 9. then by uid, a stable pseudo-random order.
 */
export function compareForDeletion(a: Pod, b: Pod, opts: { rankA?: number; rankB?: number; now?: number } = {}): number {
  const now = opts.now ?? Date.now();
  const nodeA = a.spec?.nodeName ?? '';
  const nodeB = b.spec?.nodeName ?? '';
  if (nodeA !== nodeB && (!nodeA || !nodeB)) return !nodeA ? -1 : 1;
  const phaseA = PHASE_ORDINAL[a.status?.phase ?? ''] ?? 0;
  const phaseB = PHASE_ORDINAL[b.status?.phase ?? ''] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = isPodReady(a);
  const readyB = isPodReady(b);
  if (readyA !== readyB) return readyA ? 1 : -1;
  const costA = podDeletionCost(a);
  const costB = podDeletionCost(b);
  if (costA !== costB) return costA - costB;
  const rankA = opts.rankA ?? 0;
  const rankB = opts.rankB ?? 0;
  if (rankA !== rankB) return rankB - rankA;
  if (readyA && readyB) {
    const sinceA = podReadySince(a);
    const sinceB = podReadySince(b);
    if (sinceA !== undefined && sinceB !== undefined) {
      const bucketA = logarithmicBucket(sinceA, now);
      const bucketB = logarithmicBucket(sinceB, now);
      if (bucketA !== bucketB) return bucketA - bucketB; // more recently ready: smaller bucket, first
    }
  }
  const restartsA = maxContainerRestarts(a);
  const restartsB = maxContainerRestarts(b);
  if (restartsA !== restartsB) return restartsB - restartsA;
  const bornA = logarithmicBucket(creation(a), now);
  const bornB = logarithmicBucket(creation(b), now);
  if (bornA !== bornB) return bornA - bornB;
  const uidA = a.metadata?.uid ?? a.metadata?.name ?? '';
  const uidB = b.metadata?.uid ?? b.metadata?.name ?? '';
  return uidA < uidB ? -1 : uidA > uidB ? 1 : 0;
}

/**
 * The `count` pods of `pods` to delete first, ranked as a ReplicaSet does:
 * each pod's rank is the number of active pods of `related` (the owner's
 * pods, and its siblings' under one Deployment) on its node.
 */
export function podsToDelete<P extends Pod>(pods: readonly P[], count: number, opts: { related?: readonly Pod[]; now?: number } = {}): P[] {
  if (count <= 0) return [];
  if (count >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const p of opts.related ?? pods) {
    if (isPodActive(p)) onNode.set(p.spec?.nodeName ?? '', (onNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  }
  const now = opts.now ?? Date.now();
  const rank = (p: Pod) => onNode.get(p.spec?.nodeName ?? '') ?? 0;
  return [...pods].sort((a, b) => compareForDeletion(a, b, { rankA: rank(a), rankB: rank(b), now })).slice(0, count);
}
