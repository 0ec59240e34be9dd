/**
 * Filter plugins: can this pod run on this node? Each returns the reasons
 * it cannot (empty: it fits), worded as kube-scheduler words them — those
 * words reach users in `FailedScheduling` events. They run in
 * kube-scheduler's default order and the first that fails decides, as the
 * scheduling framework's `RunFilterPlugins` does.
 */
import { TAINT_NOT_READY, TAINT_UNREACHABLE, effectiveTaints, toleratesTaint } from '@logbook/api';
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, Taint, Toleration } from '@logbook/api';
import { hostPortsOf, NodeInfo } from './node-info';
import { CPU, MEMORY, PODS, podRequests } from './resources';

export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";
export const REASON_TOO_MANY_PODS = 'Too many pods';
export const untoleratedTaintReason = (t: Taint) => `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;
export const insufficientReason = (resource: string) => `Insufficient ${resource}`;

export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

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

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      if (!/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0])) return false;
      const have = BigInt(value);
      const want = BigInt(values[0]);
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** A term matches when all its expressions (on labels) and fields (`metadata.name`) do; an empty term matches nothing. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  if (!exprs.every((r) => requirementMatches(r, Object.prototype.hasOwnProperty.call(labels, r.key) ? labels[r.key] : undefined))) return false;
  return fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.metadata?.name));
}

/** `nodeSelector` and required node affinity (its terms are ORed) both match. */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) return (required.nodeSelectorTerms ?? []).some((t) => nodeSelectorTermMatches(t, node));
  return true;
}

export const nodeAffinity: FilterPlugin = {
  name: 'NodeAffinity',
  filter: (pod, { node }) => (podMatchesNodeSelectorAndAffinity(pod, node) ? [] : [REASON_NODE_AFFINITY]),
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
