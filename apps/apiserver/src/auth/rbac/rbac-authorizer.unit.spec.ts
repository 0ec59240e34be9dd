import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from '@logbook/api';
import { Attributes } from '../authorizer/attributes';
import { forbiddenError } from '../authorizer/authorizer';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap-policy';
import { PolicyCache } from './policy-cache';
import { RbacAuthorizer } from './rbac-authorizer';
import { covers, nonResourceURLMatches, resourceMatches } from './rules';

const jane = { username: 'jane', groups: ['system:authenticated'] };
const res = (verb: string, resource: string, namespace = '', extra: Partial<Attributes> = {}): Attributes => ({
  user: jane,
  verb,
  isResourceRequest: true,
  path: '',
  apiGroup: '',
  apiVersion: 'v1',
  resource,
  subresource: '',
  namespace,
  name: '',
  ...extra,
});
const url = (verb: string, path: string, user = jane): Attributes => ({ ...res(verb, ''), user, isResourceRequest: false, path, apiVersion: '' });

function cluster(): { policy: PolicyCache; authz: RbacAuthorizer } {
  const policy = new PolicyCache();
  for (const r of bootstrapClusterRoles()) policy.apply('ClusterRole', r, false);
  for (const b of bootstrapClusterRoleBindings()) policy.apply('ClusterRoleBinding', b, false);
  return { policy, authz: new RbacAuthorizer(policy) };
}

const binding = (name: string, namespace: string, roleKind: 'Role' | 'ClusterRole', role: string, subjects: RoleBinding['subjects']): RoleBinding => ({
  metadata: { name, namespace },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: role },
  subjects,
});

describe('rule matching', () => {
  it('matches resources exactly, by *, and subresources by */sub', () => {
    expect(resourceMatches({ verbs: ['get'], resources: ['pods'] }, 'pods', '')).toBe(true);
    expect(resourceMatches({ verbs: ['get'], resources: ['pods'] }, 'pods/log', 'log')).toBe(false);
    expect(resourceMatches({ verbs: ['get'], resources: ['*/log'] }, 'pods/log', 'log')).toBe(true);
    expect(resourceMatches({ verbs: ['get'], resources: ['*'] }, 'pods/log', 'log')).toBe(true);
  });

  it('matches non-resource URLs exactly or by a trailing *', () => {
    const r = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] };
    expect(nonResourceURLMatches(r, '/healthz')).toBe(true);
    expect(nonResourceURLMatches(r, '/healthz/etcd')).toBe(false);
    expect(nonResourceURLMatches(r, '/apis/apps/v1')).toBe(true);
    expect(nonResourceURLMatches(r, '/api')).toBe(false);
  });

  it('covers: an owner rule must hold every verb, resource and name the servant grants', () => {
    const owner = [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'configmaps'] }];
    expect(covers(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }]).covered).toBe(true);
    const missing = covers(owner, [{ verbs: ['get', 'create'], apiGroups: [''], resources: ['pods'] }]);
    expect(missing.covered).toBe(false);
    expect(missing.uncovered).toEqual([{ verbs: ['create'], apiGroups: [''], resources: ['pods'] }]);
    expect(covers(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['*'] }]).covered).toBe(false);
    expect(covers([{ verbs: ['get'], nonResourceURLs: ['/logs/*'] }], [{ verbs: ['get'], nonResourceURLs: ['/logs/a'] }]).covered).toBe(true);
  });
});

describe('RbacAuthorizer', () => {
  it('allows system:masters everything and no one else anything unbound', () => {
    const { authz } = cluster();
    expect(authz.authorize({ ...res('delete', 'nodes'), user: { username: 'x', groups: ['system:masters'] } }).allowed).toBe(true);
    expect(authz.authorize(res('list', 'pods', 'default'))).toEqual({ allowed: false, reason: '' });
  });

  it('gives every authenticated user discovery, self reviews and public info', () => {
    const { authz } = cluster();
    expect(authz.authorize(url('get', '/apis/apps/v1')).allowed).toBe(true);
    expect(authz.authorize(url('get', '/openapi/v3')).allowed).toBe(true);
    expect(authz.authorize(url('post', '/apis')).allowed).toBe(false);
    expect(authz.authorize({ ...res('create', 'selfsubjectaccessreviews'), apiGroup: 'authorization.k8s.io' }).allowed).toBe(true);
    const anonymous = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
    expect(authz.authorize(url('get', '/healthz', anonymous)).allowed).toBe(true);
    expect(authz.authorize(url('get', '/api', anonymous)).allowed).toBe(false);
  });

  it('grants a RoleBinding only in its namespace, and says which binding allowed', () => {
    const { policy, authz } = cluster();
    const role: Role = { metadata: { name: 'pod-reader', namespace: 'dev' }, rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }] };
    policy.apply('Role', role, false);
    policy.apply('RoleBinding', binding('read-pods', 'dev', 'Role', 'pod-reader', [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'jane' }]), false);
    expect(authz.authorize(res('list', 'pods', 'dev'))).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "read-pods/dev" of Role "pod-reader" to User "jane"' });
    expect(authz.authorize(res('list', 'pods', 'prod')).allowed).toBe(false);
    expect(authz.authorize(res('list', 'pods')).allowed).toBe(false);
    expect(authz.authorize(res('delete', 'pods', 'dev')).allowed).toBe(false);
    policy.apply('RoleBinding', binding('read-pods', 'dev', 'Role', 'pod-reader', []), true);
    expect(authz.authorize(res('list', 'pods', 'dev')).allowed).toBe(false);
  });

  it('matches ServiceAccount subjects by user name, defaulting to the binding namespace', () => {
    const { policy, authz } = cluster();
    const reader: ClusterRole = { metadata: { name: 'cm-reader' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'] }] };
    policy.apply('ClusterRole', reader, false);
    policy.apply('RoleBinding', binding('sa', 'dev', 'ClusterRole', 'cm-reader', [{ kind: 'ServiceAccount', name: 'builder' }]), false);
    const sa = { username: 'system:serviceaccount:dev:builder', groups: ['system:serviceaccounts', 'system:serviceaccounts:dev', 'system:authenticated'] };
    expect(authz.authorize({ ...res('get', 'configmaps', 'dev', { name: 'settings' }), user: sa }).allowed).toBe(true);
    expect(authz.authorize({ ...res('get', 'configmaps', 'dev', { name: 'other' }), user: sa }).allowed).toBe(false);
    expect(authz.authorize({ ...res('list', 'configmaps', 'dev'), user: sa }).allowed).toBe(false);
    expect(authz.authorize({ ...res('get', 'configmaps', 'dev', { name: 'settings' }), user: { ...sa, username: 'system:serviceaccount:prod:builder' } }).allowed).toBe(false);
  });

  it('binds groups, and reports a binding to a missing role as the reason', () => {
    const { policy, authz } = cluster();
    const crb: ClusterRoleBinding = {
      metadata: { name: 'devs' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'not-there' },
      subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:authenticated' }],
    };
    policy.apply('ClusterRoleBinding', crb, false);
    const d = authz.authorize(res('create', 'pods', 'default'));
    expect(d).toEqual({ allowed: false, reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "not-there" not found' });
  });

  it('denies with kube-apiserver\'s message', () => {
    expect(forbiddenError(res('create', 'pods', 'default'), '').message).toBe(
      'pods is forbidden: User "jane" cannot create resource "pods" in API group "" in the namespace "default"',
    );
    expect(forbiddenError(res('get', 'nodes', '', { name: 'n1' }), '').message).toBe(
      'nodes "n1" is forbidden: User "jane" cannot get resource "nodes" in API group "" at the cluster scope',
    );
    expect(forbiddenError(res('get', 'deployments', 'x', { apiGroup: 'apps', subresource: 'scale', name: 'web' }), '').message).toBe(
      'deployments.apps "web" is forbidden: User "jane" cannot get resource "deployments/scale" in API group "apps" in the namespace "x"',
    );
    expect(forbiddenError(url('get', '/metrics'), '').message).toBe('forbidden: User "jane" cannot get path "/metrics"');
  });

  it('view reads pods but not secrets; edit reads secrets (once aggregated)', () => {
    const { policy, authz } = cluster();
    const roles = bootstrapClusterRoles();
    const agg = (name: string, label: string) => ({
      ...roles.find((r) => r.metadata!.name === name)!,
      rules: roles.filter((r) => r.metadata!.labels?.[label] === 'true' && r.metadata!.name !== name).flatMap((r) => r.rules ?? []),
    });
    policy.apply('ClusterRole', agg('view', 'rbac.authorization.k8s.io/aggregate-to-view'), false);
    policy.apply('RoleBinding', binding('v', 'default', 'ClusterRole', 'view', [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'jane' }]), false);
    expect(authz.authorize(res('list', 'pods', 'default')).allowed).toBe(true);
    expect(authz.authorize(res('get', 'pods', 'default', { subresource: 'log', name: 'p' })).allowed).toBe(true);
    expect(authz.authorize(res('create', 'pods', 'default')).allowed).toBe(false);
    expect(authz.authorize(res('get', 'secrets', 'default', { name: 's' })).allowed).toBe(false);
    expect(authz.authorize(res('list', 'rolebindings', 'default', { apiGroup: 'rbac.authorization.k8s.io' })).allowed).toBe(false);
  });
});
