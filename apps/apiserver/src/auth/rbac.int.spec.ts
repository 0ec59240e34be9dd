/**
 * Authorization through a real apiserver process: token-file users, RBAC
 * bindings written through the API, the ClusterRole aggregation controller
 * running beside it (as the controller manager runs it).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ControllerManager, kinds, KubeClient } from '@logbook/sdk';
import { eventually, startTestApiServer, TestApiServer } from '@logbook/sdk/testing';
import { ClusterRoleAggregationReconciler } from '@logbook/controllers';
import { tokenCall } from './testing/token-call';

jest.setTimeout(120_000);

const TOKENS = [
  'jane-token,jane,u1',
  'bob-token,bob,u2,"devs"',
  'builder-token,system:serviceaccount:default:builder,u3,"system:serviceaccounts,system:serviceaccounts:default"',
].join('\n');

describe('RBAC through the API server', () => {
  let server: TestApiServer;
  let admin: KubeClient;
  let manager: ControllerManager;
  let dir: string;

  /** A raw request as a token-file user. */
  const call = (token: string | undefined, method: string, p: string, body?: unknown, headers: Record<string, string> = {}) =>
    tokenCall(server.url, token, method, p, body, headers);
  const can = async (token: string, verb: string, resource: string, namespace = 'default', extra: Record<string, string> = {}) => {
    const r = await call(token, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb, resource, namespace, ...extra } },
    });
    expect(r.status).toBe(201);
    return r.body.status.allowed as boolean;
  };
  const bind = (name: string, namespace: string, role: string, subject: Record<string, string>, roleKind = 'ClusterRole') =>
    call(undefined, 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`, {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: role },
      subjects: [subject],
    });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbac-int-'));
    fs.writeFileSync(path.join(dir, 'tokens.csv'), TOKENS);
    server = await startTestApiServer({ env: { LOGBOOK_TOKEN_FILE: path.join(dir, 'tokens.csv') } });
    admin = server.client;
    manager = new ControllerManager({ client: admin });
    manager.add(new ClusterRoleAggregationReconciler());
    await manager.start();
    expect((await bind('jane-view', 'default', 'view', { kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' })).status).toBe(201);
    // view gets its rules from the aggregation controller.
    await eventually(() => can('jane-token', 'list', 'pods'), { what: 'view aggregated and bound' });
  });
  afterAll(async () => {
    await manager?.stop();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the RBAC kinds with defaults and Kubernetes validation', async () => {
    const rb = await call(undefined, 'GET', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings/jane-view');
    expect(rb.body.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' });
    const bad = await call(undefined, 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', {
      metadata: { name: 'bad' },
      rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }, { verbs: [], apiGroups: [''] }],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toBe(
      'Role.rbac.authorization.k8s.io "bad" is invalid: [rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs, rules[1].verbs: Required value: verbs must contain at least one value, rules[1].resources: Required value: resource rules must supply at least one resource]',
    );
    const changed = await call(undefined, 'PUT', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings/jane-view', {
      ...rb.body,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
    });
    expect(changed.status).toBe(422);
    expect(changed.body.message).toContain('roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef');
    const view = await admin.get(kinds.Namespace, { name: 'default' });
    expect(view.metadata?.name).toBe('default');
  });

  it('lets a view user list pods, but not create them nor read secrets, with kube-apiserver\'s 403', async () => {
    expect((await call('jane-token', 'GET', '/api/v1/namespaces/default/pods')).status).toBe(200);
    const create = await call('jane-token', 'POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    expect(create.status).toBe(403);
    expect(create.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Forbidden',
      code: 403,
      details: { kind: 'pods' },
      message: 'pods is forbidden: User "jane" cannot create resource "pods" in API group "" in the namespace "default"',
    });
    await admin.create(kinds.Secret, { metadata: { name: 'db', namespace: 'default' }, stringData: { password: 's3cret' } });
    const secret = await call('jane-token', 'GET', '/api/v1/namespaces/default/secrets/db');
    expect(secret.status).toBe(403);
    expect(secret.body.message).toBe('secrets "db" is forbidden: User "jane" cannot get resource "secrets" in API group "" in the namespace "default"');
    expect((await call('jane-token', 'GET', '/api/v1/namespaces/kube-system/pods')).status).toBe(403);
    expect((await call('jane-token', 'GET', '/api/v1/nodes')).body.message).toBe('nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope');
    // Discovery is everyone's.
    expect((await call('jane-token', 'GET', '/apis')).status).toBe(200);
    expect((await call('nobody', 'GET', '/apis')).status).toBe(401);
  });

  it('answers access reviews and rules reviews', async () => {
    expect(await can('jane-token', 'list', 'pods')).toBe(true);
    expect(await can('jane-token', 'create', 'pods')).toBe(false);
    expect(await can('jane-token', 'get', 'secrets')).toBe(false);
    expect(await can('jane-token', 'create', 'deployments', 'default', { group: 'apps' })).toBe(false);
    const review = await call('jane-token', 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      spec: { resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'default' } },
    });
    expect(review.body.status).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "jane-view/default" of ClusterRole "view" to User "jane"' });
    const rules = await call('jane-token', 'POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { spec: { namespace: 'default' } });
    expect(rules.status).toBe(201);
    expect(rules.body.status.incomplete).toBe(false);
    expect(rules.body.status.resourceRules).toContainEqual(expect.objectContaining({ apiGroups: [''], resources: expect.arrayContaining(['pods']), verbs: ['get', 'list', 'watch'] }));
    expect(rules.body.status.nonResourceRules).toContainEqual({ verbs: ['get'], nonResourceURLs: expect.arrayContaining(['/api', '/version']) });
    // SubjectAccessReview asks about someone else: jane may not, the admin may.
    const sar = { spec: { user: 'jane', resourceAttributes: { verb: 'list', resource: 'pods', namespace: 'default' } } };
    expect((await call('jane-token', 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', sar)).status).toBe(403);
    const answered = await call(undefined, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', sar);
    expect(answered.body.status.allowed).toBe(true);
    const invalid = await call(undefined, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { spec: { user: 'jane' } });
    expect(invalid.status).toBe(422);
  });

  it('impersonates only with the impersonate verb', async () => {
    const asJane = await call(undefined, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'x' } }, { 'Impersonate-User': 'jane' });
    expect(asJane.status).toBe(403);
    expect(asJane.body.message).toBe('configmaps is forbidden: User "jane" cannot create resource "configmaps" in API group "" in the namespace "default"');
    expect((await call(undefined, 'GET', '/api/v1/namespaces/default/pods', undefined, { 'Impersonate-User': 'jane' })).status).toBe(200);
    const bob = await call('bob-token', 'GET', '/api/v1/namespaces/default/pods', undefined, { 'Impersonate-User': 'jane' });
    expect(bob.status).toBe(403);
    expect(bob.body.message).toBe('users "jane" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope');
    expect((await call(undefined, 'GET', '/api', undefined, { 'Impersonate-Group': 'devs' })).status).toBe(400);
    const whoami = await call(undefined, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {}, { 'Impersonate-User': 'jane', 'Impersonate-Group': 'devs' });
    expect(whoami.body.status.userInfo).toEqual({ username: 'jane', groups: ['devs', 'system:authenticated'] });
  });

  it('keeps users from granting what they do not hold (escalate, bind)', async () => {
    await admin.create(kinds.Namespace, { metadata: { name: 'team' } });
    expect((await bind('bob-admin', 'team', 'admin', { kind: 'User', name: 'bob', apiGroup: 'rbac.authorization.k8s.io' })).status).toBe(201);
    await eventually(() => can('bob-token', 'create', 'roles', 'team', { group: 'rbac.authorization.k8s.io' }), { what: 'bob is admin of team' });
    const role = (rules: unknown[]) => ({ metadata: { name: `r${Math.random().toString(36).slice(2, 7)}` }, rules });
    const held = await call('bob-token', 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/team/roles', role([{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]));
    expect(held.status).toBe(201);
    const more = await call('bob-token', 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/team/roles', role([{ verbs: ['get', 'delete'], apiGroups: [''], resources: ['nodes'] }]));
    expect(more.status).toBe(403);
    expect(more.body.message).toMatch(
      /^roles\.rbac\.authorization\.k8s\.io "r\w+" is forbidden: user "bob" \(groups=\["devs" "system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["nodes"\], Verbs:\["get" "delete"\]\}$/,
    );
    const toAdmin = await call('bob-token', 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings', {
      metadata: { name: 'sneaky' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'User', name: 'bob', apiGroup: 'rbac.authorization.k8s.io' }],
    });
    expect(toAdmin.status).toBe(403);
    // Binding a role bob holds everything of (view, within team) is fine.
    const toView = await call('bob-token', 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings', {
      metadata: { name: 'jane-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' }],
    });
    expect(toView.status).toBe(201);
    // With `bind` on cluster-admin, binding it is allowed.
    await call(undefined, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      metadata: { name: 'bind-cluster-admin' },
      rules: [{ verbs: ['bind'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: ['cluster-admin'] }],
    });
    await bind('bob-binder', 'team', 'bind-cluster-admin', { kind: 'User', name: 'bob', apiGroup: 'rbac.authorization.k8s.io' });
    await eventually(async () => (await call('bob-token', 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings', {
      metadata: { name: 'allowed-admin' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'User', name: 'bob', apiGroup: 'rbac.authorization.k8s.io' }],
    })).status === 201, { what: 'bind allowed' });
  });

  it('lets a ServiceAccount do what its role allows and nothing else', async () => {
    await call(undefined, 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', {
      metadata: { name: 'settings-reader' },
      rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'] }],
    });
    await bind('builder', 'default', 'settings-reader', { kind: 'ServiceAccount', name: 'builder' }, 'Role');
    await admin.create(kinds.ConfigMap, { metadata: { name: 'settings', namespace: 'default' }, data: { a: '1' } });
    await admin.create(kinds.ConfigMap, { metadata: { name: 'other', namespace: 'default' }, data: { a: '1' } });
    await eventually(async () => (await call('builder-token', 'GET', '/api/v1/namespaces/default/configmaps/settings')).status === 200, { what: 'the binding in effect' });
    expect((await call('builder-token', 'GET', '/api/v1/namespaces/default/configmaps/other')).status).toBe(403);
    // A list is about one object only when its field selector says so (kube's RequestInfo).
    expect((await call('builder-token', 'GET', '/api/v1/namespaces/default/configmaps')).status).toBe(403);
    expect((await call('builder-token', 'GET', '/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dsettings')).status).toBe(200);
    expect((await call('builder-token', 'DELETE', '/api/v1/namespaces/default/configmaps/settings')).status).toBe(403);
  });

  it('admits nothing into a missing or terminating namespace, and keeps the system namespaces', async () => {
    const missing = await call(undefined, 'POST', '/api/v1/namespaces/nowhere/configmaps', { metadata: { name: 'x' } });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('namespaces "nowhere" not found');
    for (const ns of ['default', 'kube-system', 'kube-public']) {
      const del = await call(undefined, 'DELETE', `/api/v1/namespaces/${ns}`);
      expect(del.status).toBe(403);
      expect(del.body.message).toBe(`namespaces "${ns}" is forbidden: this namespace may not be deleted`);
    }
    await admin.create(kinds.Namespace, { metadata: { name: 'leaving' } });
    await call(undefined, 'DELETE', '/api/v1/namespaces/leaving');
    const late = await call(undefined, 'POST', '/api/v1/namespaces/leaving/configmaps', { metadata: { name: 'x' } });
    expect(late.status).toBe(403);
    expect(late.body.message).toBe('configmaps is forbidden: unable to create new content in namespace leaving because it is being terminated');
  });

  it('shows a view user a Secret\'s history without its data, and records denied requests in the audit export', async () => {
    await admin.create(kinds.Secret, { metadata: { name: 'api-key', namespace: 'default' }, stringData: { key: 'first-value' } });
    const s = await admin.get(kinds.Secret, { namespace: 'default', name: 'api-key' });
    await admin.update(kinds.Secret, { ...s, data: { key: Buffer.from('second-value').toString('base64') } });
    const historyPath = '/apis/logbook.io/v1/namespaces/default/history?kind=Secret&name=api-key&withObject=true';
    const asJane = await call('jane-token', 'GET', historyPath);
    expect(asJane.status).toBe(200);
    expect(asJane.body.items).toHaveLength(2);
    const janeText = JSON.stringify(asJane.body);
    expect(janeText).not.toContain(Buffer.from('first-value').toString('base64'));
    expect(janeText).not.toContain(Buffer.from('second-value').toString('base64'));
    expect(asJane.body.items[1].change.summary.join(' ')).toContain('data');
    expect(asJane.body.items[1].object.data).toEqual({ key: '' });
    // The admin may get the Secret, so sees the values.
    const asAdmin = await call(undefined, 'GET', historyPath);
    expect(JSON.stringify(asAdmin.body)).toContain(Buffer.from('second-value').toString('base64'));
    // jane may not read the audit export; the admin sees jane's denials there.
    expect((await call('jane-token', 'GET', '/apis/logbook.io/v1/audit')).status).toBe(403);
    expect((await call('wrong-token', 'GET', '/api/v1/pods')).status).toBe(401);
    await eventually(async () => {
      const audit = await call(undefined, 'GET', '/apis/logbook.io/v1/audit');
      const lines = String(audit.body).trim().split('\n').map((l) => JSON.parse(l));
      const denied = lines.filter((e) => e.responseStatus?.code === 403 && e.user.username === 'jane');
      const unauthenticated = lines.filter((e) => e.responseStatus?.code === 401);
      if (!denied.length || !unauthenticated.length) return false;
      const audit403 = denied.find((e) => e.verb === 'create' && e.objectRef?.resource === 'pods');
      expect(audit403).toMatchObject({
        kind: 'Event',
        apiVersion: 'audit.k8s.io/v1',
        stage: 'ResponseComplete',
        requestURI: '/api/v1/namespaces/default/pods',
        user: { username: 'jane', groups: ['system:authenticated'] },
        objectRef: { resource: 'pods', namespace: 'default', apiVersion: 'v1' },
        responseStatus: { code: 403, reason: 'Forbidden' },
      });
      expect(unauthenticated[0].user.username).toBe('system:anonymous');
      return true;
    }, { what: 'denials in the audit export' });
  });
});
