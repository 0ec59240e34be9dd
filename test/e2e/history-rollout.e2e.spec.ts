import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { TestCluster } from './cluster';
import { freePort, REPO_ROOT, RunningProcess, startCompiled, tempDir } from './processes';

/**
 * The seed's rollout story on a control plane of separate processes — API
 * server, controller-manager, scheduler, simulated nodes, each with its own
 * identity — as named users: alice deploys kubia v1 and rolls out v2, bob
 * sets the bad v3 (never ready) and the rollout stalls, alice undoes it.
 * Then the log answers: who changed what, why a v3 pod exists, what the
 * cluster looked like at the stall, what the Deployment controller did
 * there (replayed, dry), and the audit trail.
 *
 * The users write over HTTP with their tokens, as kubectl would (kubectl
 * sends no bearer token to a plain-HTTP server): `kubectl set image` is a
 * strategic merge patch of the container's image, `rollout undo` the
 * previous revision's template patched back.
 */
describe('the rollout story, told by the log', () => {
  let c: TestCluster;
  const procs: RunningProcess[] = [];
  const dir = tempDir('history-rollout');
  const tokenFile = path.join(dir, 'tokens.csv');
  fs.writeFileSync(
    tokenFile,
    [
      'alice-token,alice,u-alice,"dev"',
      'bob-token,bob,u-bob,"dev"',
      'kcm-token,system:kube-controller-manager,u-kcm,"system:authenticated"',
      'sched-token,system:kube-scheduler,u-sched,"system:authenticated"',
      'node-1-token,system:node:node-1,u-node-1,"system:nodes"',
      'node-2-token,system:node:node-2,u-node-2,"system:nodes"',
    ].join('\n') + '\n',
  );
  const cli = path.join(REPO_ROOT, JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).bin.logbook);

  const kubia = (image: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'kubia', namespace: 'default' },
    spec: {
      replicas: 3,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      selector: { matchLabels: { app: 'kubia' } },
      template: {
        metadata: { labels: { app: 'kubia' } },
        spec: { containers: [{ name: 'nodejs', image, readinessProbe: { periodSeconds: 1, httpGet: { path: '/', port: 8080 } } }] },
      },
    },
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Json = any;
  const logbook = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) =>
      execFile(process.execPath, [cli, '--server', c.url, ...args], { env: { PATH: process.env.PATH, HOME: dir, KUBECONFIG: path.join(dir, 'none') }, timeout: 60_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
  const ok = async (args: string[]) => {
    const r = await logbook(args);
    if (r.code !== 0) throw new Error(`logbook ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const getJson = async (p: string): Promise<Json> => (await fetch(`${c.url}${p}`)).json();
  const head = async () => Number((await getJson('/api/v1/namespaces?limit=1')).metadata.resourceVersion);
  const as = async (token: string, method: string, p: string, body: unknown, contentType = 'application/json') => {
    const res = await fetch(`${c.url}${p}`, { method, body: JSON.stringify(body), headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType, 'User-Agent': 'kubectl/v1.32.4 (linux/amd64) kubernetes/59526cd' } });
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const setImage = (token: string, image: string) =>
    as(token, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/kubia?fieldManager=kubectl-set', { spec: { template: { spec: { containers: [{ name: 'nodejs', image }] } } } }, 'application/strategic-merge-patch+json');
  const rolledOut = async () => expect(await c.ok(['rollout', 'status', 'deployment', 'kubia', '--timeout=120s'])).toMatch(/successfully rolled out/);

  /**
   * Waits for the stall and returns a resourceVersion at which it holds: the
   * Deployment with one updated replica, unavailable, three ready, and its
   * v3 pod running but not ready — read as one snapshot (the pods listed at
   * exactly the Deployment list's resourceVersion).
   */
  const stalled = async (): Promise<number> => {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const list = await getJson('/apis/apps/v1/namespaces/default/deployments');
      const rv = list.metadata.resourceVersion;
      const st = list.items[0]?.status ?? {};
      const pods = (await getJson(`/api/v1/namespaces/default/pods?labelSelector=app%3Dkubia&resourceVersion=${rv}&resourceVersionMatch=Exact`)).items;
      const v3 = pods.filter((p: Json) => p.spec.containers[0].image === 'luksa/kubia:v3');
      const ready = (p: Json) => p.status?.conditions?.some((c: Json) => c.type === 'Ready' && c.status === 'True');
      if (st.updatedReplicas === 1 && st.unavailableReplicas === 1 && st.readyReplicas === 3 && v3.length === 1 && v3[0].status?.phase === 'Running' && !ready(v3[0])) return Number(rv);
      if (Date.now() > deadline) throw new Error(`no stall; last status ${JSON.stringify(st)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };

  let stallRv: number;
  let undoRv: number;

  beforeAll(async () => {
    c = await TestCluster.start({ LOGBOOK_TOKEN_FILE: tokenFile });
    const common = { LOGBOOK_SERVER: c.url, LOGBOOK_LEADER_ELECT: 'false' };
    procs.push(startCompiled('apps/controller-manager/src/main.js', { ...common, LOGBOOK_TOKEN: 'kcm-token', LOGBOOK_CONTROLLER_MANAGER_PORT: String(await freePort()) }));
    procs.push(startCompiled('apps/scheduler/src/main.js', { ...common, LOGBOOK_TOKEN: 'sched-token' }));
    // One node agent per node, each as its own node (the Node authorizer and NodeRestriction hold a node to itself).
    for (const i of [1, 2]) {
      const node = { LOGBOOK_TOKEN: `node-${i}-token`, LOGBOOK_NODE_NAME: `node-${i}`, LOGBOOK_NODE_INDEX: String(i) };
      procs.push(startCompiled('apps/node-agent/src/main.js', { ...common, ...node, LOGBOOK_RUNTIME: 'simulated', LOGBOOK_SIMULATED_NODES: '1', LOGBOOK_KUBELET_EVENTS: 'false' }));
    }
    await c.until(['get', 'nodes'], (out) => /node-1\s+Ready/.test(out) && /node-2\s+Ready/.test(out), 90_000);
    // alice and bob (group dev) may edit workloads in default: the built-in `edit` role, bound by the admin.
    const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'dev-edit', namespace: 'default' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'dev' }] };
    const bound = await fetch(`${c.url}/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings`, { method: 'POST', body: JSON.stringify(binding), headers: { 'Content-Type': 'application/json' } });
    expect(bound.status).toBe(201);
    // The authorizer follows RBAC objects from the log (as kube's informers do): wait until it has the binding.
    const review = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: 'default', verb: 'create', group: 'apps', resource: 'deployments' } } };
    for (const token of ['alice-token', 'bob-token']) {
      const deadline = Date.now() + 30_000;
      while (!(await as(token, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', review)).status.allowed) {
        if (Date.now() > deadline) throw new Error(`${token}: the edit binding never took effect`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    await as('alice-token', 'POST', '/apis/apps/v1/namespaces/default/deployments?fieldManager=kubectl-create', kubia('luksa/kubia:v1'));
    await rolledOut();
    await setImage('alice-token', 'luksa/kubia:v2');
    await rolledOut();
    await setImage('bob-token', 'luksa/kubia:v3');
    // The stall: one v3 pod running, never ready; the three v2 pods stay.
    stallRv = await stalled();
    // `kubectl rollout undo`: the previous revision's template, back.
    await setImage('alice-token', 'luksa/kubia:v2');
    undoRv = await head();
    await rolledOut();
  }, 300_000);
  afterAll(async () => {
    for (const p of procs) {
      if (p.child.exitCode === null) {
        p.child.kill('SIGTERM');
        await p.exited;
      }
    }
    await c?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('`logbook history deployment/kubia` lists each change with its user', async () => {
    const out = await ok(['history', 'deployment/kubia']);
    const mine = out.split('\n').filter((l) => /\s(alice|bob)\s/.test(l));
    expect(mine.map((l) => l.split(/\s{2,}/).slice(2, 7))).toEqual([
      ['ADDED', 'Deployment', 'kubia', 'alice', 'create'],
      ['MODIFIED', 'Deployment', 'kubia', 'alice', 'patch'],
      ['MODIFIED', 'Deployment', 'kubia', 'bob', 'patch'],
      ['MODIFIED', 'Deployment', 'kubia', 'alice', 'patch'],
    ]);
    const full = await ok(['history', 'deployment/kubia', '--diff']);
    const images = full.split('\n').filter((l) => l.includes('containers[nodejs].image'));
    expect(images.map((l) => l.trim())).toEqual([
      'spec.template.spec.containers[nodejs].image: luksa/kubia:v1 → luksa/kubia:v2',
      'spec.template.spec.containers[nodejs].image: luksa/kubia:v2 → luksa/kubia:v3',
      'spec.template.spec.containers[nodejs].image: luksa/kubia:v3 → luksa/kubia:v2',
    ]);
  });

  it('`logbook explain` on a v3 pod names the user who set the image', async () => {
    const pods: Json = JSON.parse(await ok(['history', 'pods', '--type', 'ADDED', '-o', 'json']));
    const v3 = pods.items.find((h: Json) => h.change.patch[0].value.spec.containers[0].image === 'luksa/kubia:v3');
    expect(v3).toBeDefined();
    const out = await ok(['explain', String(v3.seq)]);
    expect(out).toMatch(/Root cause: bob patched Deployment default\/kubia at \S+ \(rv \d+\): spec\.template\.spec\.containers\[nodejs\]\.image: luksa\/kubia:v2 → luksa\/kubia:v3/);
  });

  it('`logbook get --as-of` before the undo shows the stalled state', async () => {
    const rs = await ok(['get', 'rs', '--as-of', String(stallRv)]);
    const rows = rs.split('\n').filter((l) => l.startsWith('kubia-')).map((l) => l.split(/\s+/).slice(1, 4).join(' '));
    expect(rows.sort()).toEqual(['0 0 0', '1 1 0', '3 3 3']);
    const deploy = await ok(['get', 'deployment/kubia', '--as-of', String(stallRv)]);
    expect(deploy).toMatch(/kubia\s+3\/3\s+1\s+3\s/);
  });

  it('replay of the Deployment controller at the stall shows it waiting on the unavailable pod', async () => {
    const out = await ok(['replay', 'deployment/kubia', '--reconcile', 'deployment', '--at', String(stallRv)]);
    expect(out).toMatch(new RegExp(`^Replay of deployment for Deployment default/kubia at resourceVersion ${stallRv} \\(\\S+\\), dry: nothing was sent\\.`));
    expect(out).toMatch(/It saw Deployment default\/kubia:\n  .*replicas 4, updatedReplicas 1, readyReplicas 3, availableReplicas 3, unavailableReplicas 1/);
    expect(out).toMatch(/Progressing=True ReplicaSetUpdated: ReplicaSet "kubia-\w+" is progressing\./);
    // The unavailable pod it waits on, by name: the v3 ReplicaSet's one pod, running, not ready.
    const owned = out.slice(out.indexOf('What it owned then:\n'), out.indexOf('\nIt read:'));
    expect(owned).toMatch(/\n  ReplicaSet\/kubia-\w+: replicas 1, current 1, ready 0, available 0, image luksa\/kubia:v3\n/);
    expect(owned.match(/^    Pod\/kubia-\w+-\w+: phase Running, ready 0\/1, node node-\d, image luksa\/kubia:v3$/gm)).toHaveLength(1);
    expect(owned.match(/^    Pod\/kubia-\w+-\w+: phase Running, ready 1\/1, node node-\d, image luksa\/kubia:v2$/gm)).toHaveLength(3);
    expect(out).toMatch(/  list ReplicaSet in default: 3\n/);
    expect(out).toContain('It would write nothing');
    expect(out).toContain(': it is waiting.');
    // And at the undo, it would make v2's ReplicaSet the newest revision again and drop the v3 pod.
    const undo = JSON.parse(await ok(['replay', 'deployment/kubia', '--reconcile', 'deployment', '--at', String(undoRv), '-o', 'json']));
    const rsWrite = (image: string) => undo.writes.find((w: Json) => w.changed && w.kind === 'ReplicaSet' && w.after?.spec.template.spec.containers[0].image === image);
    expect(rsWrite('luksa/kubia:v2').diff.summary).toContain('metadata.annotations["deployment.kubernetes.io/revision"]: 2 → 4');
    expect(rsWrite('luksa/kubia:v3').diff.summary).toContain('spec.replicas: 1 → 0');
    // Nothing the replays did reached the server.
    const later: Json = await getJson(`/apis/logbook.io/v1/history?fromResourceVersion=${(await head()) - 50}&fieldSelector=${encodeURIComponent('verb=create')}`);
    expect(later.items.filter((h: Json) => h.objectRef.uid?.startsWith('dry-run'))).toEqual([]);
  });

  it('steps through the stall with --reconcile over a window', async () => {
    const out = await ok(['replay', 'deployment/kubia', '--reconcile', 'deployment', '--from-rv', String(stallRv - 5), '--to-rv', String(stallRv)]);
    expect(out).toMatch(/^Replay of deployment for Deployment default\/kubia at each of \d+ changes, dry: nothing was sent\./);
    expect(out.split('\n')[2]).toMatch(/^RV\s+TIME\s+CHANGE\s+RESULT\s+WOULD WRITE/);
  });

  it('exports valid audit.k8s.io/v1 JSON lines with the users', async () => {
    const out = await ok(['audit', 'export', '--actor', 'bob']);
    const events = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(e).toMatchObject({ apiVersion: 'audit.k8s.io/v1', kind: 'Event', level: 'RequestResponse', stage: 'ResponseComplete', user: { username: 'bob' } });
    expect(events.map((e) => `${e.verb} ${e.objectRef.resource}/${e.objectRef.name}`)).toContain('patch deployments/kubia');
  });
});
