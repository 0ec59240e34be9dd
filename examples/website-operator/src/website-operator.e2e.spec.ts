import { execFileSync } from 'child_process';
import * as path from 'path';
import { createTestDatabase, TestDatabase } from '@logbook/sdk/testing';
import { RunningProcess, devPortEnv, freePort, startCompiled, tempDir, waitForHttp } from '../../../test/e2e/processes';

/**
 * As a user runs it: the all-in-one Logbook process, the operator as its
 * own process, and real kubectl applying the YAML in deploy/.
 */
describe('website operator against the all-in-one', () => {
  let db: TestDatabase;
  let logbook: RunningProcess;
  let operator: RunningProcess;
  let server: string;
  const home = tempDir('kubectl-ws');
  const kubectl = (...args: string[]) =>
    execFileSync('kubectl', ['--server', server, '--cache-dir', path.join(home, 'cache'), ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: home, KUBECONFIG: path.join(home, 'none') },
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    server = `http://127.0.0.1:${port}`;
    logbook = startCompiled('apps/logbook/src/main.js', { DATABASE_URL: db.url, LOGBOOK_DATA_DIR: home, ...devPortEnv(port, path.join(home, 'pki'), await freePort()) });
    await waitForHttp(`${server}/readyz`, 90_000, logbook);
    operator = startCompiled('examples/website-operator/src/main.js', { LOGBOOK_SERVER: server, METRICS_PORT: String(await freePort()) });
  });
  afterAll(async () => {
    for (const p of [operator, logbook]) {
      if (p && p.child.exitCode === null) {
        p.child.kill('SIGTERM');
        await p.exited;
      }
    }
    await db.drop();
  });

  it('turns a Website applied with kubectl into its objects, and shows its columns', async () => {
    expect(kubectl('apply', '-f', path.join(__dirname, '../deploy/website-crd.yaml'))).toContain('customresourcedefinition.apiextensions.k8s.io/websites.extensions.example.com created');
    expect(kubectl('apply', '-f', path.join(__dirname, '../deploy/kubia-website.yaml'))).toBe('website.extensions.example.com/kubia created\n');
    const deadline = Date.now() + 60_000;
    let table = '';
    while (Date.now() < deadline) {
      table = kubectl('get', 'websites');
      if (/^kubia\s+2\s+\S+\s+(True|False)\s+\S+$/m.test(table)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(table).toMatch(/^NAME\s+REPLICAS\s+AVAILABLE\s+READY\s+AGE\n/);
    expect(table).toMatch(/^kubia\s+2\s+\S+\s+(True|False)\s+\S+$/m);
    const owned = kubectl('get', 'deploy,cm,svc', '-l', 'app.kubernetes.io/instance=kubia', '-o', 'name');
    expect(owned.split('\n').filter(Boolean).sort()).toEqual(['configmap/kubia-content', 'deployment.apps/kubia', 'service/kubia']);
  });
});
