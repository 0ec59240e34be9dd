import { ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { TestCluster } from './cluster';
import { REPO_ROOT, tempDir } from './processes';

/** The `logbook` CLI (and `kubectl logbook`) against a real API server. */
describe('logbook CLI', () => {
  let c: TestCluster;
  const dir = tempDir('logbook-cli');
  const tokenFile = path.join(dir, 'tokens.csv');
  fs.writeFileSync(
    tokenFile,
    ['alice-token,alice,u-alice,"dev"', 'dc-token,system:serviceaccount:kube-system:deployment-controller,u-dc,"system:serviceaccounts"', 'rsc-token,system:serviceaccount:kube-system:replicaset-controller,u-rsc,"system:serviceaccounts"'].join('\n') + '\n',
  );
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  const cli = path.join(REPO_ROOT, pkg.bin.logbook);

  beforeAll(async () => {
    c = await TestCluster.start({ LOGBOOK_TOKEN_FILE: tokenFile });
    // RBAC: these token-file users act as cluster admins here.
    await c.grantClusterAdmin('test-admins', ['alice', 'system:serviceaccount:kube-system:deployment-controller', 'system:serviceaccount:kube-system:replicaset-controller']);
  });
  afterAll(async () => {
    await c.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  interface Run {
    code: number;
    stdout: string;
    stderr: string;
  }
  const env = (extra: NodeJS.ProcessEnv = {}) => ({ PATH: process.env.PATH, HOME: dir, KUBECONFIG: path.join(dir, 'no-such-config'), ...extra });
  const logbook = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<Run> =>
    new Promise((resolve) =>
      execFile(process.execPath, [cli, ...args], { env: env(extra), timeout: 30_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
  const ok = async (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const r = await logbook(['--server', c.url, ...args], extra);
    if (r.code !== 0) throw new Error(`logbook ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
    return r.stdout;
  };

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Json = any;
  const write = async (method: string, p: string, body: unknown, token?: string, cause?: number, contentType = 'application/json'): Promise<Json> => {
    const headers: Record<string, string> = { 'Content-Type': contentType };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (cause !== undefined) headers['x-logbook-cause-seq'] = String(cause);
    const res = await fetch(`${c.url}${p}`, { method, headers, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const rv = (o: Json) => Number(o.metadata.resourceVersion);
  const ref = (o: Json) => [{ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid, controller: true }];
  const podSpec = { containers: [{ name: 'web', image: 'nginx:1.24' }] };
  const s: Record<string, Json> = {};

  beforeAll(async () => {
    s.d1 = await write('POST', '/apis/apps/v1/namespaces/default/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: podSpec } } }, 'alice-token');
    s.rs = await write('POST', '/apis/apps/v1/namespaces/default/replicasets', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', ownerReferences: ref(s.d1) }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: podSpec } } }, 'dc-token', rv(s.d1));
    s.d2 = await write('PATCH', '/apis/apps/v1/namespaces/default/deployments/web', { spec: { replicas: 2 } }, 'alice-token', undefined, 'application/merge-patch+json');
    s.rs2 = await write('PATCH', '/apis/apps/v1/namespaces/default/replicasets/web-1', { spec: { replicas: 2 } }, 'dc-token', rv(s.d2), 'application/merge-patch+json');
    s.pod = await write('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1-x', labels: { app: 'web' }, ownerReferences: ref(s.rs2) }, spec: podSpec }, 'rsc-token', rv(s.rs2));
  });

  it('is packaged as logbook and kubectl-logbook, an executable node script', () => {
    expect(pkg.bin['kubectl-logbook']).toBe(pkg.bin.logbook);
    expect(fs.readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('prints the history of an object with its changes', async () => {
    const out = await ok(['history', 'deploy/web']);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^RV\s+TIME\s+TYPE\s+KIND\s+NAME\s+ACTOR\s+VERB\s+CHANGE$/);
    expect(lines[1]).toMatch(new RegExp(`^${rv(s.d1)}\\s+\\S+Z\\s+ADDED\\s+Deployment\\s+web\\s+alice\\s+create\\s+created$`));
    expect(lines[2]).toMatch(new RegExp(`^${rv(s.d2)}\\s+\\S+Z\\s+MODIFIED\\s+Deployment\\s+web\\s+alice\\s+patch\\s+spec\\.replicas: 1 → 2$`));
    const diff = await ok(['history', 'replicasets', 'web-1', '--diff']);
    expect(diff).toContain('\n    spec.replicas: 1 → 2\n');
    const json = JSON.parse(await ok(['history', '-A', '--actor', 'alice', '-o', 'json']));
    expect(json.items.map((i: Json) => i.seq)).toEqual([rv(s.d1), rv(s.d2)]);
    const limited = await ok(['history', '--limit', '2', '-o', 'yaml']);
    expect(limited.match(/^ *- kind: HistoryEvent$/gm)).toHaveLength(2);
  });

  it('works as a kubectl plugin, finding the server and token in the kubeconfig', async () => {
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.chmodSync(cli, 0o755);
    fs.symlinkSync(cli, path.join(bin, 'kubectl-logbook'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\ncurrent-context: test\ncontexts:\n- name: test\n  context: {cluster: test, user: alice}\nclusters:\n- name: test\n  cluster: {server: '${c.url}'}\nusers:\n- name: alice\n  user: {token: alice-token}\n`,
    );
    const r = await new Promise<Run>((resolve) =>
      execFile('kubectl', ['logbook', 'history', 'deployment/web'], { env: { ...env({ KUBECONFIG: kubeconfig }), PATH: `${bin}${path.delimiter}${process.env.PATH}` }, timeout: 30_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? 1 : 0, stdout, stderr }),
      ),
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/MODIFIED\s+Deployment\s+web\s+alice\s+patch\s+spec\.replicas: 1 → 2/);
    const help = await new Promise<string>((resolve) => execFile('kubectl', ['logbook'], { env: { ...env(), PATH: `${bin}${path.delimiter}${process.env.PATH}` } }, (_e, stdout) => resolve(stdout)));
    expect(help).toContain('kubectl logbook COMMAND');
  });

  it('explains a pod back to alice', async () => {
    const out = await ok(['explain', 'pod/web-1-x']);
    expect(out).toMatch(new RegExp(`^Event ${rv(s.pod)}  \\S+Z  ADDED Pod default/web-1-x by system:serviceaccount:kube-system:replicaset-controller \\(create\\)`));
    expect(out).toMatch(new RegExp(`← ${rv(s.rs2)}  \\S+  MODIFIED ReplicaSet default/web-1 by system:serviceaccount:kube-system:deployment-controller \\(patch\\)`));
    expect(out).toMatch(/Root cause: alice patched Deployment default\/web at \S+Z \(rv \d+\): spec\.replicas: 1 → 2/);
    const forward = await ok(['explain', String(rv(s.d2))]);
    expect(forward).toMatch(/Consequences \(2\):\n  → \d+ .* MODIFIED ReplicaSet default\/web-1 .*\n    → \d+ .* ADDED Pod default\/web-1-x/);
    const json = JSON.parse(await ok(['explain', String(rv(s.pod)), '-o', 'json']));
    expect(json.rootCause.seq).toBe(rv(s.d2));
  });

  it('replays the deployment and what it owns', async () => {
    const out = await ok(['replay', 'deployment/web']);
    expect(out).toMatch(/^Timeline of Deployment default\/web: 5 events, 3 objects\n/);
    expect(out).toMatch(/MODIFIED\s+alice\s+patch\s+replicas 2, updated 0/);
    expect(out).toMatch(/  ReplicaSet\/web-1\s+MODIFIED\s+system:serviceaccount:kube-system:deployment-controller\s+patch\s+replicas 2, current 0/);
    expect(out).toMatch(/    Pod\/web-1-x\s+ADDED/);
    expect(out).toContain('\n      spec.replicas: 1 → 2\n');
    const from = await ok(['replay', 'deployment/web', '--from-rv', String(rv(s.d2))]);
    expect(from).toMatch(new RegExp(`Before the window:\\n  OBJECT\\s+AS OF\\s+STATE\\n  Deployment/web\\s+rv ${rv(s.d1)}\\s+replicas 1, .*\\n    ReplicaSet/web-1\\s+rv ${rv(s.rs)}\\s+replicas 1, `));
    const window = JSON.parse(await ok(['replay', 'deployment/web', '--from-rv', String(rv(s.d2)), '-o', 'json']));
    expect(window.items.map((i: Json) => i.seq)).toEqual([rv(s.d2), rv(s.rs2), rv(s.pod)]);
  });

  it('diffs an object between two points', async () => {
    expect(await ok(['diff', 'deploy/web', String(rv(s.d1))])).toBe(`Deployment default/web: rv ${rv(s.d1)} (as of ${rv(s.d1)}) → rv ${rv(s.d2)} (as of ${rv(s.pod)})\n  spec.replicas: 1 → 2\n`);
    expect(JSON.parse(await ok(['diff', 'rs/web-1', String(rv(s.d1)), String(rv(s.rs2)), '-o', 'json'])).summary).toEqual(['created']);
  });

  it('exports audit events as JSON lines', async () => {
    const out = await ok(['audit', 'export', '--from-rv', String(rv(s.d1))]);
    const events = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => [e.apiVersion, e.kind, e.user.username, e.verb])).toEqual([
      ['audit.k8s.io/v1', 'Event', 'alice', 'create'],
      ['audit.k8s.io/v1', 'Event', 'system:serviceaccount:kube-system:deployment-controller', 'create'],
      ['audit.k8s.io/v1', 'Event', 'alice', 'patch'],
      ['audit.k8s.io/v1', 'Event', 'system:serviceaccount:kube-system:deployment-controller', 'patch'],
      ['audit.k8s.io/v1', 'Event', 'system:serviceaccount:kube-system:replicaset-controller', 'create'],
    ]);
    const table = await ok(['audit', '--actor', 'alice', '-o', 'table']);
    expect(table).toMatch(/^TIME\s+USER\s+VERB\s+URI\s+CODE\n\S+\s+alice\s+create\s+\/apis\/apps\/v1\/namespaces\/default\/deployments\s+201\n/);
  });

  it('gets objects as of a resourceVersion', async () => {
    const then = JSON.parse(await ok(['get', 'deploy/web', '--as-of', String(rv(s.d1)), '-o', 'json']));
    expect(then.spec.replicas).toBe(1);
    const table = await ok(['get', 'replicasets', '--as-of', String(rv(s.rs))]);
    expect(table).toMatch(new RegExp(`^# as of resourceVersion ${rv(s.rs)}\\nNAME\\s+DESIRED\\s+CURRENT\\s+READY\\s+AGE\\nweb-1\\s+1\\s+`));
    const none = await logbook(['--server', c.url, 'get', 'pods', '--as-of', String(rv(s.d1))]);
    expect(none.stderr).toBe(`No resources found in default namespace as of resourceVersion ${rv(s.d1)}.\n`);
  });

  it('lists, then follows new history with -w', async () => {
    await write('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'listed' }, data: { a: '1' } }, 'alice-token');
    const child: ChildProcess = spawn(process.execPath, [cli, '--server', c.url, 'history', 'configmaps', '-w'], { env: env() });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    const until = async (text: string) => {
      const deadline = Date.now() + 10_000;
      while (!out.includes(text) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    };
    try {
      await until('listed');
      await write('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'followed' }, data: { a: '1' } }, 'alice-token');
      await write('PATCH', '/api/v1/namespaces/default/configmaps/followed', { data: { a: '2' } }, undefined, undefined, 'application/merge-patch+json');
      await until('data.a');
      expect(out).toMatch(
        /^RV\s+TIME\s+TYPE\s+KIND\s+NAME\s+ACTOR\s+VERB\s+CHANGE\n\d+\s+\S+Z\s+ADDED\s+ConfigMap\s+listed\s+alice\s+create\s+created\n\d+\s+\S+Z\s+ADDED\s+ConfigMap\s+followed\s+alice\s+create\s+created\n\d+\s+\S+Z\s+MODIFIED\s+ConfigMap\s+followed\s+admin\s+patch\s+data\.a: 1 → 2\n$/,
      );
    } finally {
      child.kill();
    }
  });

  it('reports errors as kubectl does, with a non-zero exit', async () => {
    const unknown = await logbook(['--server', c.url, 'history', 'frobs/x']);
    expect([unknown.code, unknown.stderr]).toEqual([1, 'error: the server doesn\'t have a resource type "frobs"\n']);
    const bad = await logbook(['--server', c.url, 'history', '--since', 'last tuesday']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^Error from server \(BadRequest\): since: invalid time "last tuesday"/);
    const down = await logbook(['--server', 'http://127.0.0.1:1', 'history']);
    expect(down.stderr).toMatch(/cannot reach the Logbook API server at http:\/\/127\.0\.0\.1:1 \(from --server\)/);
    const unauthorized = await logbook(['--server', c.url, '--token', 'wrong', 'history']);
    expect(unauthorized.stderr).toMatch(/^Error from server \(Unauthorized\)/);
  });
});
