import type { Pod } from '@logbook/api';
import { DEFAULT_FILTERS, FilterPlugin, runFilters } from './filters';
import { NodeInfo } from './node-info';
import { DEFAULT_SCORES, ScorePlugin, scoreNodes, selectHost } from './scores';

/**
 * Why a pod fits nowhere: per node, the reasons its first failing filter
 * gave. `message` is kube-scheduler's `FitError.Error()`: a histogram of
 * reasons, sorted, e.g. `0/3 nodes are available: 1 Insufficient cpu, 2
 * node(s) didn't match Pod's node affinity/selector.`
 */
export class FitError {
  constructor(
    readonly numAllNodes: number,
    readonly reasonsByNode: ReadonlyMap<string, readonly string[]>,
  ) {}

  get message(): string {
    if (this.numAllNodes === 0) return 'no nodes available to schedule pods';
    const histogram = new Map<string, number>();
    for (const reasons of this.reasonsByNode.values()) for (const r of reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1);
    const parts = [...histogram].map(([reason, n]) => `${n} ${reason}`).sort();
    return `0/${this.numAllNodes} nodes are available: ${parts.join(', ')}.`;
  }
}

export type ScheduleResult = { node: string; feasible: number; scores: ReadonlyMap<string, number> } | { error: FitError };

export interface Profile {
  filters?: readonly FilterPlugin[];
  scores?: readonly ScorePlugin[];
  random?: () => number;
}

/** One scheduling cycle for one pod: filter every node, score the feasible ones, pick the best. */
export function schedulePod(pod: Pod, nodes: readonly NodeInfo[], profile: Profile = {}): ScheduleResult {
  const feasible: NodeInfo[] = [];
  const reasons = new Map<string, readonly string[]>();
  for (const n of nodes) {
    const r = runFilters(pod, n, profile.filters ?? DEFAULT_FILTERS);
    if (r.length) reasons.set(n.name, r);
    else feasible.push(n);
  }
  if (feasible.length === 0) return { error: new FitError(nodes.length, reasons) };
  const scores = scoreNodes(pod, feasible, profile.scores ?? DEFAULT_SCORES);
  const best = selectHost(scores, profile.random);
  return { node: feasible[best].name, feasible: feasible.length, scores: new Map(feasible.map((n, i) => [n.name, scores[i]])) };
}
