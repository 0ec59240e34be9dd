import * as fs from 'fs';
import * as path from 'path';
import { TestCluster } from './cluster';
import { tempDir } from './processes';

/**
 * RBAC with a real kubectl against the all-in-one (whose controller manager
 * aggregates admin/edit/view): a user bound to `view`, kubectl's Forbidden
 * errors, `kubectl auth can-i` (with --list), and the RBAC kinds' printers.
 *
 * kubectl sends no bearer token over plain HTTP, so it acts as jane
 * through impersonation (`--as=jane`, allowed to the local admin, which is
 * in system:masters); the token path is covered by
 * apps/apiserver/src/auth/rbac.int.spec.ts.
 */
describe('RBAC with kubectl', () => {
  let c: TestCluster;
  const dir = tempDir('rbac-tokens');
  const tokenFile = path.join(dir, 'tokens.csv');
  fs.writeFileSync(tokenFile, 'jane-token,jane,u-jane\n');
  const jane = (args: string[]) => c.kubectl(['--as=jane', ...args]);

  beforeAll(async () => {
    c = await TestCluster.start({ LOGBOOK_TOKEN_FILE: tokenFile, LOGBOOK_RUNTIME: 'simulated' }, { allInOne: true });
    await c.ok(['create', 'rolebinding', 'jane-view', '--clusterrole=view', '--user=jane', '-n', 'default']);
    // The aggregation controller fills `view` in; then jane can list.
    await c.until(['auth', 'can-i', 'list', 'pods', '--as=jane', '-n', 'default'], /^yes$/m);
  });
  afterAll(async () => {
    await c?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lets a view user list pods but not create them or read secrets', async () => {
    const list = await jane(['get', 'pods', '-n', 'default']);
    expect(list.code).toBe(0);
    const run = await jane(['run', 'web', '--image=nginx', '-n', 'default']);
    expect(run.code).not.toBe(0);
    expect(run.stderr.trim()).toBe('Error from server (Forbidden): pods is forbidden: User "jane" cannot create resource "pods" in API group "" in the namespace "default"');
    await c.ok(['create', 'secret', 'generic', 'db', '--from-literal=password=s3cret', '-n', 'default']);
    const secret = await jane(['get', 'secret', 'db', '-n', 'default']);
    expect(secret.stderr.trim()).toBe('Error from server (Forbidden): secrets "db" is forbidden: User "jane" cannot get resource "secrets" in API group "" in the namespace "default"');
  });

  it('answers kubectl auth can-i for the user, and --list', async () => {
    for (const [args, answer] of [
      [['list', 'pods'], 'yes'],
      [['watch', 'deployments.apps'], 'yes'],
      [['create', 'pods'], 'no'],
      [['get', 'secrets'], 'no'],
      [['delete', 'deployments'], 'no'],
    ] as const) {
      const self = await jane(['auth', 'can-i', ...args, '-n', 'default']);
      expect(`${args.join(' ')}: ${self.stdout.trim()}`).toBe(`${args.join(' ')}: ${answer}`);
      expect(self.code).toBe(answer === 'yes' ? 0 : 1);
    }
    // The admin itself may do anything.
    expect((await c.kubectl(['auth', 'can-i', 'create', 'pods', '-n', 'default'])).stdout.trim()).toBe('yes');
    expect((await jane(['auth', 'can-i', 'list', 'pods', '-n', 'kube-system'])).stdout.trim()).toBe('no');
    const list = await jane(['auth', 'can-i', '--list', '-n', 'default']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs/);
    expect(list.stdout).toMatch(/^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    expect(list.stdout).toMatch(/^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
    expect(list.stdout).not.toMatch(/^secrets\s/m);
  });

  it('prints roles and bindings as kubectl expects', async () => {
    await c.ok(['create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods', '-n', 'default']);
    const roles = await c.ok(['get', 'roles', '-n', 'default']);
    expect(roles).toMatch(/^NAME\s+CREATED AT\npod-reader\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
    const wide = await c.ok(['get', 'rolebinding', 'jane-view', '-n', 'default', '-o', 'wide']);
    expect(wide).toMatch(/^NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS\njane-view\s+ClusterRole\/view\s+\S+\s+jane\s*\n$/);
    const view = JSON.parse(await c.ok(['get', 'clusterrole', 'view', '-o', 'json']));
    expect(view.aggregationRule.clusterRoleSelectors).toEqual([{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }]);
    expect(view.rules.some((r: { resources?: string[] }) => r.resources?.includes('secrets'))).toBe(false);
    const describe = await c.ok(['describe', 'clusterrole', 'view']);
    expect(describe).toMatch(/^\s+pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
  });
});
