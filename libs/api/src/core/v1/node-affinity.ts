import type { Node } from './cluster.types';
import type { PodSpec } from './pod.types';
import type { NodeSelectorRequirement, NodeSelectorTerm } from './scheduling.types';

/** The one field a node selector term's `matchFields` may name. */
export const NODE_NAME_FIELD = 'metadata.name';

/** One requirement against a label's (or field's) value, undefined when absent (Kubernetes' nodeaffinity helpers). */
export function nodeSelectorRequirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
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
      if (value === undefined || values.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0])) return false;
      return r.operator === 'Gt' ? BigInt(value) > BigInt(values[0]) : BigInt(value) < BigInt(values[0]);
    }
    default:
      return false;
  }
}

/** A term matches when all its label expressions and field requirements (`metadata.name` only) do; an empty term matches nothing. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  if (!exprs.every((r) => nodeSelectorRequirementMatches(r, Object.prototype.hasOwnProperty.call(labels, r.key) ? labels[r.key] : undefined))) return false;
  return fields.every((r) => r.key === NODE_NAME_FIELD && nodeSelectorRequirementMatches(r, node.metadata?.name));
}

/** The pod's `nodeSelector` matches the node and, if it has required node affinity, one of its terms (ORed) does. */
export function matchesNodeSelectorAndAffinity(spec: PodSpec | undefined, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return required ? (required.nodeSelectorTerms ?? []).some((t) => nodeSelectorTermMatches(t, node)) : true;
}
