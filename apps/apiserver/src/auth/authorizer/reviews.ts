import { ApiError } from '@logbook/machinery';
import type { NonResourceAttributes, PolicyRule, ResourceAttributes } from '@logbook/api';
import type { UserInfo } from '../../storage/context';
import type { RbacAuthorizer } from '../rbac/rbac-authorizer';
import type { Attributes } from './attributes';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

export const REVIEW_KINDS: Readonly<Record<string, string>> = {
  selfsubjectaccessreviews: 'SelfSubjectAccessReview',
  subjectaccessreviews: 'SubjectAccessReview',
  localsubjectaccessreviews: 'LocalSubjectAccessReview',
  selfsubjectrulesreviews: 'SelfSubjectRulesReview',
};

/**
 * authorization.k8s.io/v1's virtual resources: the request body is a
 * question, the response the same object with the authorizer's answer in
 * `status`; nothing is stored. `requester` is who asks (for the self
 * reviews, who the question is about).
 */
export function answerReview(resource: string, namespace: string, body: Obj, requester: UserInfo, authz: RbacAuthorizer): Obj {
  const kind = REVIEW_KINDS[resource];
  if (body.kind !== undefined && body.kind !== kind) throw new ApiError(400, 'BadRequest', `the kind in the data (${body.kind}) does not match the expected kind (${kind})`);
  const spec = (body.spec ?? {}) as Obj;
  const out: Obj = { kind, apiVersion: 'authorization.k8s.io/v1', metadata: { ...(body.metadata ?? {}), creationTimestamp: null }, spec };
  if (resource === 'selfsubjectrulesreviews') {
    const ns = String(spec.namespace ?? '');
    const { rules, errors } = authz.rulesFor(requester, ns);
    out.status = { ...splitRules(rules), incomplete: errors.length > 0 };
    if (errors.length) out.status.evaluationError = errors.join(', ');
    return out;
  }
  const errs: string[] = [];
  const ra = spec.resourceAttributes as ResourceAttributes | undefined;
  const nra = spec.nonResourceAttributes as NonResourceAttributes | undefined;
  if (!ra && !nra) errs.push('spec.resourceAttributes: Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified');
  if (ra && nra) errs.push(`spec.nonResourceAttributes: Invalid value: ${JSON.stringify(nra)}: cannot be specified in combination with resourceAttributes`);
  let user = requester;
  if (resource === 'subjectaccessreviews' || resource === 'localsubjectaccessreviews') {
    if (!spec.user && !(Array.isArray(spec.groups) && spec.groups.length)) errs.push('spec.user: Invalid value: "": at least one of user or group must be specified');
    user = { username: String(spec.user ?? ''), groups: Array.isArray(spec.groups) ? spec.groups.map(String) : [], uid: spec.uid, extra: spec.extra };
  }
  if (resource === 'localsubjectaccessreviews') {
    out.metadata.namespace = namespace;
    if (nra) errs.push('spec.nonResourceAttributes: Invalid value: ...: disallowed on this kind of request');
    if (ra && (ra.namespace ?? '') !== namespace) errs.push(`spec.resourceAttributes.namespace: Invalid value: ${JSON.stringify(ra.namespace ?? '')}: must match metadata.namespace`);
  }
  if (errs.length) {
    const name = body.metadata?.name ?? '';
    throw new ApiError(422, 'Invalid', `${kind}.authorization.k8s.io ${JSON.stringify(name)} is invalid: ${errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`}`, {
      name,
      group: 'authorization.k8s.io',
      kind,
    });
  }
  const attrs: Attributes = ra
    ? {
        user,
        verb: ra.verb ?? '',
        isResourceRequest: true,
        path: '',
        apiGroup: ra.group ?? '',
        apiVersion: ra.version ?? '',
        resource: ra.resource ?? '',
        subresource: ra.subresource ?? '',
        namespace: ra.namespace ?? '',
        name: ra.name ?? '',
      }
    : { user, verb: nra!.verb ?? '', isResourceRequest: false, path: nra!.path ?? '', apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
  const d = authz.authorize(attrs);
  out.status = d.reason ? { allowed: d.allowed, reason: d.reason } : { allowed: d.allowed };
  return out;
}

/** A rules review lists resource and non-resource rules apart, as kube's ResourceRule and NonResourceRule. */
function splitRules(rules: PolicyRule[]): { resourceRules: Obj[]; nonResourceRules: Obj[] } {
  const resourceRules: Obj[] = [];
  const nonResourceRules: Obj[] = [];
  for (const r of rules) {
    if (r.nonResourceURLs?.length) {
      nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs });
      continue;
    }
    const rr: Obj = { verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [] };
    if (r.resourceNames?.length) rr.resourceNames = r.resourceNames;
    resourceRules.push(rr);
  }
  return { resourceRules, nonResourceRules };
}
