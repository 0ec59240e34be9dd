/**
 * Rule matching, as k8s.io/component-helpers/auth/rbac/validation and
 * plugin/pkg/auth/authorizer/rbac: `*` matches any verb, group, resource or
 * URL; `*\/sub` matches that subresource of any resource; an empty
 * resourceNames list matches every name; a URL ending in `*` matches by
 * prefix.
 */
import type { PolicyRule } from '@logbook/api';
import type { Attributes } from '../authorizer/attributes';

const has = (list: readonly string[] | undefined, v: string): boolean => !!list && (list.includes('*') || list.includes(v));

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return has(rule.verbs, verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return has(rule.apiGroups, group);
}

/** `combined` is `resource` or `resource/subresource`. */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.replace(/\*+$/, ''))) return true;
  }
  return false;
}

/** RuleAllows: whether one rule allows the request. */
export function ruleAllows(a: Attributes, rule: PolicyRule): boolean {
  if (a.isResourceRequest) {
    const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    return verbMatches(rule, a.verb) && apiGroupMatches(rule, a.apiGroup) && resourceMatches(rule, combined, a.subresource) && resourceNameMatches(rule, a.name);
  }
  return verbMatches(rule, a.verb) && nonResourceURLMatches(rule, a.path);
}

/**
 * Covers: whether `owner` rules allow everything `servant` rules do — the
 * test that keeps a user from granting, through a Role or a binding, more
 * than they hold. Servant rules are broken down into one verb × group ×
 * resource × name (or URL) each, and every piece must be covered by one
 * owner rule; a `*` in the servant is only covered by a `*` in the owner.
 */
export function covers(owner: readonly PolicyRule[], servant: readonly PolicyRule[]): { covered: boolean; uncovered: PolicyRule[] } {
  const uncovered: PolicyRule[] = [];
  for (const piece of servant.flatMap(breakdown)) if (!owner.some((o) => ruleCovers(o, piece))) uncovered.push(piece);
  return { covered: uncovered.length === 0, uncovered };
}

function breakdown(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const verb of rule.verbs ?? []) {
    for (const url of rule.nonResourceURLs ?? []) out.push({ verbs: [verb], nonResourceURLs: [url] });
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        if ((rule.resourceNames ?? []).length === 0) out.push({ verbs: [verb], apiGroups: [group], resources: [resource] });
        else for (const name of rule.resourceNames!) out.push({ verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: [name] });
      }
    }
  }
  return out;
}

/** Whether one owner rule covers one broken-down servant rule. */
function ruleCovers(owner: PolicyRule, piece: PolicyRule): boolean {
  if (!has(owner.verbs, piece.verbs[0])) return false;
  if (piece.nonResourceURLs) {
    const url = piece.nonResourceURLs[0];
    return (owner.nonResourceURLs ?? []).some((u) => u === '*' || u === url || (u.endsWith('*') && url.startsWith(u.slice(0, -1))));
  }
  if (!has(owner.apiGroups, piece.apiGroups![0])) return false;
  const resource = piece.resources![0];
  const slash = resource.indexOf('/');
  const sub = slash >= 0 ? resource.slice(slash + 1) : '';
  const ownerResources = owner.resources ?? [];
  const resourceCovered = ownerResources.some((r) => r === '*' || r === resource || (sub && sub !== '*' && r === `*/${sub}`));
  if (!resourceCovered) return false;
  const ownerNames = owner.resourceNames ?? [];
  if (ownerNames.length === 0) return true;
  return !!piece.resourceNames && ownerNames.includes(piece.resourceNames[0]);
}

/** kube's compact rendering of a rule in escalation errors: `{APIGroups:[""], Resources:["pods"], Verbs:["create"]}`. */
export function describeRule(rule: PolicyRule): string {
  const q = (l: readonly string[]) => `[${l.map((s) => JSON.stringify(s)).join(' ')}]`;
  const parts: string[] = [];
  if (rule.apiGroups?.length) parts.push(`APIGroups:${q(rule.apiGroups)}`);
  if (rule.resources?.length) parts.push(`Resources:${q(rule.resources)}`);
  if (rule.resourceNames?.length) parts.push(`ResourceNames:${q(rule.resourceNames)}`);
  if (rule.nonResourceURLs?.length) parts.push(`NonResourceURLs:${q(rule.nonResourceURLs)}`);
  parts.push(`Verbs:${q(rule.verbs ?? [])}`);
  return `{${parts.join(', ')}}`;
}
