import { ApiError, forbidden } from '@logbook/machinery';
import type { Attributes } from './attributes';

/** The group whose members may do anything (kube's system:masters, checked before RBAC). */
export const SYSTEM_MASTERS = 'system:masters';

export interface Decision {
  allowed: boolean;
  /** Why, for SubjectAccessReview's status.reason and the 403's message. */
  reason: string;
}

export interface Authorizer {
  authorize(a: Attributes): Decision;
}

/**
 * kube's forbiddenMessage: `User "jane" cannot create resource "pods" in
 * API group "" in the namespace "default"` (or `at the cluster scope`, or
 * `cannot get path "/version"`).
 */
export function forbiddenMessage(a: Attributes): string {
  const user = a.user.username;
  if (!a.isResourceRequest) return `User ${JSON.stringify(user)} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const head = `User ${JSON.stringify(user)} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)}`;
  return a.namespace ? `${head} in the namespace ${JSON.stringify(a.namespace)}` : `${head} at the cluster scope`;
}

/** The 403 kube-apiserver answers a denied request with (responsewriters.Forbidden). */
export function forbiddenError(a: Attributes, reason: string): ApiError {
  const msg = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  return forbidden(a.isResourceRequest ? { group: a.apiGroup, resource: a.resource } : undefined, a.name, msg);
}
