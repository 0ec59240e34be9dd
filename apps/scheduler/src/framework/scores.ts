/**
 * Score plugins: among the nodes that fit, which is best? Each plugin gives
 * every feasible node a score in [0, 100]; the scheduler sums them by
 * weight (kube-scheduler's default weights) and binds to the best node,
 * breaking ties at random.
 */
import { effectiveTaints, nodeSelectorTermMatches, toleratesTaint } from '@logbook/api';
import type { Pod } from '@logbook/api';
import { controllerUidOf, NodeInfo } from './node-info';
import { CPU, MEMORY, nonZeroRequests } from './resources';

export const MAX_NODE_SCORE = 100;

export interface ScorePlugin {
  readonly name: string;
  readonly weight: number;
  /** Raw scores, one per node, in the order of `nodes`; normalized to [0, 100] by the plugin. */
  score(pod: Pod, nodes: readonly NodeInfo[]): number[];
}

/** A pod's non-zero requests, parsed once per pod object rather than once per node scored. */
const requestsOf = new WeakMap<Pod, { milliCPU: number; memory: number }>();

/** CPU and memory fractions (0..1) a node would have in use with the pod on it. */
function usedFractions(pod: Pod, info: NodeInfo): { cpu: number; memory: number } {
  const allocatable = info.allocatable;
  let req = requestsOf.get(pod);
  if (!req) requestsOf.set(pod, (req = nonZeroRequests(pod)));
  const fraction = (requested: number, capacity: number) => (capacity <= 0 ? 1 : Math.min(1, requested / capacity));
  return {
    cpu: fraction(info.nonZeroRequested.milliCPU + req.milliCPU, allocatable[CPU] ?? 0),
    memory: fraction(info.nonZeroRequested.memory + req.memory, allocatable[MEMORY] ?? 0),
  };
}

/** NodeResourcesFit with the LeastAllocated strategy: the emptier the node, the higher. */
export const leastAllocated: ScorePlugin = {
  name: 'NodeResourcesLeastAllocated',
  weight: 1,
  score: (pod, nodes) =>
    nodes.map((n) => {
      const f = usedFractions(pod, n);
      return Math.floor(((1 - f.cpu) * MAX_NODE_SCORE + (1 - f.memory) * MAX_NODE_SCORE) / 2);
    }),
};

/** NodeResourcesBalancedAllocation: CPU and memory used in similar proportions scores higher. */
export const balancedAllocation: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  score: (pod, nodes) =>
    nodes.map((n) => {
      const f = usedFractions(pod, n);
      const std = Math.abs(f.cpu - f.memory) / 2;
      return Math.floor((1 - std) * MAX_NODE_SCORE);
    }),
};

/**
 * Spreading of a controller's pods across nodes (what kube-scheduler's
 * default PodTopologySpread constraint on `kubernetes.io/hostname` does for
 * ReplicaSets, StatefulSets and the like): the fewer pods of the same
 * controller a node runs, the higher it scores.
 */
export const controllerSpread: ScorePlugin = {
  name: 'PodTopologySpread',
  weight: 2,
  score(pod, nodes) {
    const owner = controllerUidOf(pod);
    if (!owner) return nodes.map(() => MAX_NODE_SCORE);
    const counts = nodes.map((n) => n.podsOf(owner));
    const most = Math.max(0, ...counts);
    if (most === 0) return nodes.map(() => MAX_NODE_SCORE);
    return counts.map((c) => Math.floor((MAX_NODE_SCORE * (most - c)) / most));
  },
};

/** Preferred node affinity: the sum of the weights of the preferred terms a node matches, normalized. */
export const preferredNodeAffinity: ScorePlugin = {
  name: 'NodeAffinity',
  weight: 2,
  score(pod, nodes) {
    const preferred = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    const raw = nodes.map((n) => preferred.reduce((sum, p) => (p.preference && nodeSelectorTermMatches(p.preference, n.node) ? sum + p.weight : sum), 0));
    const most = Math.max(0, ...raw);
    return raw.map((r) => (most === 0 ? 0 : Math.floor((MAX_NODE_SCORE * r) / most)));
  },
};

/** TaintToleration: fewer untolerated PreferNoSchedule taints score higher. */
export const preferNoScheduleTaints: ScorePlugin = {
  name: 'TaintToleration',
  weight: 3,
  score(pod, nodes) {
    const tolerations = (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    const raw = nodes.map((n) => effectiveTaints(n.node).filter((t) => t.effect === 'PreferNoSchedule' && !tolerations.some((tol) => toleratesTaint(tol, t))).length);
    const most = Math.max(0, ...raw);
    return raw.map((r) => (most === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (most - r)) / most)));
  },
};

export const DEFAULT_SCORES: readonly ScorePlugin[] = [leastAllocated, balancedAllocation, controllerSpread, preferredNodeAffinity, preferNoScheduleTaints];

/** Weighted total per node, in the order of `nodes`. */
export function scoreNodes(pod: Pod, nodes: readonly NodeInfo[], plugins: readonly ScorePlugin[] = DEFAULT_SCORES): number[] {
  const totals = nodes.map(() => 0);
  for (const p of plugins) p.score(pod, nodes).forEach((s, i) => (totals[i] += s * p.weight));
  return totals;
}

/** The index of the highest score; ties are broken uniformly at random (as kube-scheduler's selectHost). */
export function selectHost(scores: readonly number[], random: () => number = Math.random): number {
  let best = -1;
  let ties = 0;
  scores.forEach((s, i) => {
    if (best < 0 || s > scores[best]) {
      best = i;
      ties = 1;
    } else if (s === scores[best]) {
      ties++;
      if (random() * ties < 1) best = i;
    }
  });
  return best;
}
