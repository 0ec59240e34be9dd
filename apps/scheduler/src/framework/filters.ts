/**
 * Filter plugins: can this pod run on this node? Each returns the reasons
 * it cannot (empty: it fits), worded as kube-scheduler words them — those
 * words reach users in `FailedScheduling` events. They run in
 * kube-scheduler's default order and the first that fails decides, as the
 * scheduling framework's `RunFilterPlugins` does.
 */
import { TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE, effectiveTaints, matchesNodeSelectorAndAffinity, toleratesTaint } from '@logbook/api';
import type { Node, Pod, Taint, Toleration } from '@logbook/api';
import { hostPortsOf, NodeInfo } from './node-info';
import { CPU, MEMORY, PODS, podRequests } from './resources';

export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";
export const REASON_TOO_MANY_PODS = 'Too many pods';
export const untoleratedTaintReason = (t: Taint) => `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;
export const insufficientReason = (resource: string) => `Insufficient ${resource}`;


export interface FilterPlugin {
  readonly name: string;
  filter(pod: Pod, node: NodeInfo): string[];
}

// --- NodeUnschedulable ---------------------------------------------------------

export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  filter(pod, { node }) {
    if (!node.spec?.unschedulable) return [];
    const taint: Taint = { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' };
    return (pod.spec?.tolerations ?? []).some((t) => toleratesTaint(t, taint)) ? [] : [REASON_UNSCHEDULABLE];
  },
};

// --- TaintToleration -----------------------------------------------------------

export const taintToleration: FilterPlugin = {
  name: 'TaintToleration',
  filter(pod, { node }) {
    const tolerations = pod.spec?.tolerations ?? [];
    const untolerated = effectiveTaints(node).find(
      (taint) => (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !tolerations.some((t) => toleratesTaint(t, taint)),
    );
    return untolerated ? [untoleratedTaintReason(untolerated)] : [];
  },
};

// --- NodeAffinity --------------------------------------------------------------

export const nodeAffinity: FilterPlugin = {
  name: 'NodeAffinity',
  filter: (pod, { node }) => (matchesNodeSelectorAndAffinity(pod.spec, node) ? [] : [REASON_NODE_AFFINITY]),
};

// --- NodePorts -----------------------------------------------------------------

function portsConflict(a: string, b: string): boolean {
  const [pa, ipa, porta] = a.split('/');
  const [pb, ipb, portb] = b.split('/');
  return pa === pb && porta === portb && (ipa === ipb || ipa === '0.0.0.0' || ipb === '0.0.0.0');
}

export const nodePorts: FilterPlugin = {
  name: 'NodePorts',
  filter(pod, info) {
    const wanted = hostPortsOf(pod);
    if (wanted.length === 0) return [];
    const used = info.usedPorts;
    return wanted.some((w) => used.some((u) => portsConflict(w, u))) ? [REASON_NODE_PORTS] : [];
  },
};

// --- NodeResourcesFit ----------------------------------------------------------

const RESOURCE_ORDER = [CPU, MEMORY, 'ephemeral-storage'];

/** A pod's requests, parsed once per pod object rather than once per node filtered. */
const requestsOf = new WeakMap<Pod, ReturnType<typeof podRequests>>();

export const nodeResourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  filter(pod, info) {
    const reasons: string[] = [];
    const allocatable = info.allocatable;
    if (info.podCount + 1 > (allocatable[PODS] ?? 0)) reasons.push(REASON_TOO_MANY_PODS);
    let request = requestsOf.get(pod);
    if (!request) requestsOf.set(pod, (request = podRequests(pod)));
    const names = Object.keys(request).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    for (const name of names) {
      if (name === PODS || request[name] <= 0) continue;
      if (request[name] > (allocatable[name] ?? 0) - (info.requested[name] ?? 0)) reasons.push(insufficientReason(name));
    }
    return reasons;
  },
};

function rank(resource: string): number {
  const i = RESOURCE_ORDER.indexOf(resource);
  return i < 0 ? RESOURCE_ORDER.length : i;
}

/** kube-scheduler's default filter plugins, in its order. */
export const DEFAULT_FILTERS: readonly FilterPlugin[] = [nodeUnschedulable, taintToleration, nodeAffinity, nodePorts, nodeResourcesFit];

/** The reasons `pod` cannot run on `node`, from the first filter that rejects it (empty: it fits). */
export function runFilters(pod: Pod, node: NodeInfo, filters: readonly FilterPlugin[] = DEFAULT_FILTERS): string[] {
  for (const f of filters) {
    const reasons = f.filter(pod, node);
    if (reasons.length) return reasons;
  }
  return [];
}

export { TAINT_NOT_READY, TAINT_UNREACHABLE, effectiveTaints, toleratesTaint };
