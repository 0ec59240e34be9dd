/**
 * rbac/v1 validation, as k8s.io/kubernetes pkg/apis/rbac/validation: a rule
 * names verbs and either resources (with API groups) or non-resource URLs,
 * never both, and namespaced Roles have no URLs; a binding's roleRef is an
 * rbac Role/ClusterRole that never changes; subjects are Users, Groups or
 * ServiceAccounts with the right apiGroup.
 */
import { FieldError, goQuote, invalid, notSupported, printed, required } from '../../validation/field-error';
import { nameIsDNSSubdomain, nameIsPathSegment } from '../../validation/names';
import { RBAC_GROUP } from './types';

type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const objects = (v: unknown): Obj[] => (Array.isArray(v) ? v.map((x) => (isObj(x) ? x : {})) : []);
const len = (v: unknown): number => (Array.isArray(v) ? v.length : 0);
/** A value as Go's `%#v` prints it, for this library's messages and (through the registry symbol) the apiserver's. */
const goText = (text: string) => printed(text, { [Symbol.for('logbook.goString')]: text });
/** A []string as field.Invalid prints it. */
const goStrings = (v: unknown) => goText(`[]string{${(Array.isArray(v) ? v : []).map((s) => goQuote(String(s))).join(', ')}}`);

/** ValidatePolicyRule. */
export function validatePolicyRule(rule: Obj, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (len(rule.verbs) === 0) errs.push(required(`${path}.verbs`, 'verbs must contain at least one value'));
  if (len(rule.nonResourceURLs) > 0) {
    if (namespaced) errs.push(invalid(`${path}.nonResourceURLs`, goStrings(rule.nonResourceURLs), 'namespaced rules cannot apply to non-resource URLs'));
    if (len(rule.apiGroups) > 0 || len(rule.resources) > 0 || len(rule.resourceNames) > 0) {
      errs.push(invalid(`${path}.nonResourceURLs`, goStrings(rule.nonResourceURLs), 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (len(rule.apiGroups) === 0) errs.push(required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  if (len(rule.resources) === 0) errs.push(required(`${path}.resources`, 'resource rules must supply at least one resource'));
  return errs;
}

const rules = (o: Obj, namespaced: boolean): FieldError[] => objects(o.rules).flatMap((r, i) => validatePolicyRule(r, namespaced, `rules[${i}]`));

export const validateRole = (role: Obj): FieldError[] => rules(role, true);

export function validateClusterRole(role: Obj): FieldError[] {
  const errs = rules(role, false);
  if (role.aggregationRule !== undefined && role.aggregationRule !== null) {
    if (len(role.aggregationRule?.clusterRoleSelectors) === 0) {
      errs.push(required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    }
  }
  return errs;
}

/** ValidateRoleBindingSubject. */
function validateSubject(s: Obj, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!s.name) errs.push(required(`${path}.name`, ''));
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) for (const m of nameIsDNSSubdomain(String(s.name), false)) errs.push(invalid(`${path}.name`, s.name, m));
      if (s.apiGroup) errs.push(notSupported(`${path}.apiGroup`, s.apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push(required(`${path}.namespace`, ''));
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== RBAC_GROUP) errs.push(notSupported(`${path}.apiGroup`, s.apiGroup ?? '', [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(`${path}.kind`, s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBinding(b: Obj, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = isObj(b.roleRef) ? b.roleRef : {};
  if (ref.apiGroup !== RBAC_GROUP) errs.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) errs.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) errs.push(required('roleRef.name', ''));
  else for (const m of nameIsPathSegment(String(ref.name), false)) errs.push(invalid('roleRef.name', ref.name, m));
  objects(b.subjects).forEach((s, i) => errs.push(...validateSubject(s, namespaced, `subjects[${i}]`)));
  return errs;
}

export const validateRoleBinding = (b: Obj): FieldError[] => validateBinding(b, true);
export const validateClusterRoleBinding = (b: Obj): FieldError[] => validateBinding(b, false);

/** A binding's roleRef is fixed: to change the role, delete and recreate the binding. */
export function validateBindingUpdate(b: Obj, old: Obj): FieldError[] {
  const a = b.roleRef ?? {};
  const o = old.roleRef ?? {};
  if (a.apiGroup === o.apiGroup && a.kind === o.kind && a.name === o.name) return [];
  const go = `rbac.RoleRef{APIGroup:${goQuote(a.apiGroup ?? '')}, Kind:${goQuote(a.kind ?? '')}, Name:${goQuote(a.name ?? '')}}`;
  return [invalid('roleRef', goText(go), 'cannot change roleRef')];
}
