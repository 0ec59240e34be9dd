/**
 * rbac.authorization.k8s.io/v1: Role and ClusterRole (sets of PolicyRules),
 * RoleBinding and ClusterRoleBinding (who gets a role). The apiserver's
 * RBAC authorizer reads these; kube's bootstrap policy is built from them.
 */
import { LabelSelector, ObjectMeta } from '../../meta/v1/types';
import { Nested, Str, StrList } from '../../validation/rules';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/**
 * What a rule allows: verbs on resources of API groups (optionally only the
 * named objects), or verbs on non-resource URLs (`/healthz`, `/api/*`).
 * `*` matches everything in a list.
 */
export class PolicyRule {
  @StrList()
  verbs!: string[];
  @StrList()
  apiGroups?: string[];
  @StrList()
  resources?: string[];
  @StrList()
  resourceNames?: string[];
  @StrList()
  nonResourceURLs?: string[];
}

/** Which ClusterRoles an aggregated ClusterRole gathers its rules from. */
export class AggregationRule {
  @Nested(() => LabelSelector)
  clusterRoleSelectors?: LabelSelector[];
}

export class Role {
  apiVersion?: 'rbac.authorization.k8s.io/v1';
  kind?: 'Role';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  @Nested(() => PolicyRule)
  rules?: PolicyRule[];
}

export class ClusterRole {
  apiVersion?: 'rbac.authorization.k8s.io/v1';
  kind?: 'ClusterRole';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  @Nested(() => PolicyRule)
  rules?: PolicyRule[];
  /** When set, the ClusterRole aggregation controller owns `rules`. */
  @Nested(() => AggregationRule)
  aggregationRule?: AggregationRule;
}

/** A user, a group, or a ServiceAccount (`system:serviceaccount:<ns>:<name>`). */
export class Subject {
  @Str()
  kind!: 'User' | 'Group' | 'ServiceAccount';
  /** `rbac.authorization.k8s.io` for User and Group, `""` for ServiceAccount. */
  @Str()
  apiGroup?: string;
  @Str()
  name!: string;
  /** The ServiceAccount's namespace (defaults to the RoleBinding's own). */
  @Str()
  namespace?: string;
}

export class RoleRef {
  @Str()
  apiGroup!: string;
  @Str()
  kind!: 'Role' | 'ClusterRole';
  @Str()
  name!: string;
}

export class RoleBinding {
  apiVersion?: 'rbac.authorization.k8s.io/v1';
  kind?: 'RoleBinding';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  @Nested(() => Subject)
  subjects?: Subject[];
  @Nested(() => RoleRef)
  roleRef!: RoleRef;
}

export class ClusterRoleBinding {
  apiVersion?: 'rbac.authorization.k8s.io/v1';
  kind?: 'ClusterRoleBinding';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  @Nested(() => Subject)
  subjects?: Subject[];
  @Nested(() => RoleRef)
  roleRef!: RoleRef;
}
