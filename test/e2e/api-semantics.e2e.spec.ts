import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import { TestCluster } from './cluster';
import { tempDir } from './processes';

/** Kubernetes API semantics over HTTP, and what they leave in the log. */
describe('API semantics', () => {
  let c: TestCluster;
  const dir = tempDir('tokens');
  const tokenFile = path.join(dir, 'tokens.csv');
  fs.writeFileSync(tokenFile, 'alice-token,alice,u-alice,"dev,ops"\n');

  beforeAll(async () => {
    c = await TestCluster.start({ LOGBOOK_TOKEN_FILE: tokenFile });
    // RBAC: these token-file users act as cluster admins here.
    await c.grantClusterAdmin('test-admins', ['alice']);
  });
  afterAll(async () => {
    await c.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const api = async (method: string, p: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${c.url}${p}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', ...headers },
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  const cm = (name: string, data: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
  const eventsOf = async (name: string) => {
    const db = new Client({ connectionString: c.db.url });
    await db.connect();
    try {
      return (await db.query(`SELECT type, actor, actor_groups, verb, field_manager, cause_seq::text, user_agent FROM events WHERE name = $1 ORDER BY seq`, [name])).rows;
    } finally {
      await db.end();
    }
  };

  it('records the authenticated user, field manager and cause on each event', async () => {
    const created = await api('POST', '/api/v1/namespaces/default/configmaps?fieldManager=alice-tool', cm('who'), { Authorization: 'Bearer alice-token', 'User-Agent': 'alice-cli/1.0' });
    expect(created.status).toBe(201);
    await api('PATCH', '/api/v1/namespaces/default/configmaps/who', { data: { a: '1' } }, { 'Content-Type': 'application/merge-patch+json', 'x-logbook-cause-seq': created.body.metadata.resourceVersion });
    const rows = await eventsOf('who');
    expect(rows[0]).toMatchObject({ type: 'ADDED', actor: 'alice', actor_groups: ['dev', 'ops', 'system:authenticated'], verb: 'create', field_manager: 'alice-tool', user_agent: 'alice-cli/1.0' });
    expect(rows[1]).toMatchObject({ type: 'MODIFIED', actor: 'admin', verb: 'patch', cause_seq: created.body.metadata.resourceVersion });
    const whoami = await api('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, { Authorization: 'Bearer alice-token' });
    expect(whoami.body.status.userInfo).toEqual({ username: 'alice', uid: 'u-alice', groups: ['dev', 'ops', 'system:authenticated'] });
    const bad = await api('GET', '/api/v1/namespaces', undefined, { Authorization: 'Bearer wrong' });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized' });
  });

  it('writes nothing on dryRun=All', async () => {
    const dry = await api('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', cm('dry'));
    expect(dry.status).toBe(201);
    expect(dry.body.metadata.uid).toBeDefined();
    expect((await api('GET', '/api/v1/namespaces/default/configmaps/dry')).status).toBe(404);
    await api('POST', '/api/v1/namespaces/default/configmaps', cm('dry2', { a: '1' }));
    const patched = await api('PATCH', '/api/v1/namespaces/default/configmaps/dry2?dryRun=All', { data: { a: '2' } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(patched.body.data).toEqual({ a: '2' });
    expect((await api('DELETE', '/api/v1/namespaces/default/configmaps/dry2?dryRun=All')).status).toBe(200);
    expect((await api('GET', '/api/v1/namespaces/default/configmaps/dry2')).body.data).toEqual({ a: '1' });
    expect(await eventsOf('dry')).toEqual([]);
    expect((await eventsOf('dry2')).map((e) => e.type)).toEqual(['ADDED']);
  });

  it('generates names and deletes collections by selector', async () => {
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await api('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-', labels: { batch: 'x' } } });
      expect(r.status).toBe(201);
      expect(r.body.metadata.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      names.push(r.body.metadata.name);
    }
    expect(new Set(names).size).toBe(3);
    const del = await api('DELETE', '/api/v1/namespaces/default/configmaps?labelSelector=batch%3Dx');
    expect(del.body).toMatchObject({ kind: 'Status', status: 'Success' });
    expect((await api('GET', '/api/v1/namespaces/default/configmaps?labelSelector=batch%3Dx')).body.items).toEqual([]);
  });

  it('keeps spec and status apart, and moves generation only on spec changes', async () => {
    const d = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'gen' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'g' } }, template: { metadata: { labels: { app: 'g' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
      status: { replicas: 99 },
    };
    const created = (await api('POST', '/apis/apps/v1/namespaces/default/deployments', d)).body;
    expect(created.metadata.generation).toBe(1);
    expect(created.status).toBeUndefined();
    const labelled = (await api('PATCH', '/apis/apps/v1/namespaces/default/deployments/gen', { metadata: { labels: { x: 'y' } }, status: { replicas: 5 } }, { 'Content-Type': 'application/merge-patch+json' })).body;
    expect(labelled.metadata.generation).toBe(1);
    expect(labelled.status).toBeUndefined();
    const scaled = (await api('PATCH', '/apis/apps/v1/namespaces/default/deployments/gen', { spec: { replicas: 3 } }, { 'Content-Type': 'application/merge-patch+json' })).body;
    expect(scaled.metadata.generation).toBe(2);
    const status = (await api('PUT', '/apis/apps/v1/namespaces/default/deployments/gen/status', { ...scaled, spec: { ...scaled.spec, replicas: 7 }, status: { replicas: 3, observedGeneration: 2 } })).body;
    expect(status.status).toEqual({ replicas: 3, observedGeneration: 2 });
    expect(status.spec.replicas).toBe(3);
    expect(status.metadata.generation).toBe(2);
  });

  it('holds an object with finalizers until they are removed, then deletes it', async () => {
    await api('POST', '/api/v1/namespaces/default/configmaps', { ...cm('held'), metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    const first = await api('DELETE', '/api/v1/namespaces/default/configmaps/held');
    expect(first.status).toBe(202);
    expect(first.body.metadata.deletionTimestamp).toBeDefined();
    const still = (await api('GET', '/api/v1/namespaces/default/configmaps/held')).body;
    expect(still.metadata.finalizers).toEqual(['example.com/hold']);
    await api('PATCH', '/api/v1/namespaces/default/configmaps/held', [{ op: 'remove', path: '/metadata/finalizers' }], { 'Content-Type': 'application/json-patch+json' });
    expect((await api('GET', '/api/v1/namespaces/default/configmaps/held')).status).toBe(404);
    expect((await eventsOf('held')).map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);

    await api('POST', '/api/v1/namespaces/default/configmaps', cm('orphaner'));
    const orphan = await api('DELETE', '/api/v1/namespaces/default/configmaps/orphaner', { propagationPolicy: 'Orphan' });
    expect(orphan.status).toBe(202);
    expect(orphan.body.metadata.finalizers).toEqual(['orphan']);
    const pre = await api('DELETE', '/api/v1/namespaces/default/configmaps/orphaner', { preconditions: { uid: 'not-it' } });
    expect(pre.status).toBe(409);
  });

  it('streams a watch from resourceVersion 0 with synthetic ADDED, as Table rows when asked, and 410 below the horizon', async () => {
    await api('POST', '/api/v1/namespaces/default/configmaps', cm('w-existing'));
    const ctrl = new AbortController();
    const res = await fetch(`${c.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0&fieldSelector=metadata.name%3Dw-existing`, {
      headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
      signal: ctrl.signal,
    });
    const reader = res.body!.getReader();
    let buf = '';
    const next = async () => {
      while (!buf.includes('\n')) buf += new TextDecoder().decode((await reader.read()).value);
      const i = buf.indexOf('\n');
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      return JSON.parse(line);
    };
    const first = await next();
    expect(first.type).toBe('ADDED');
    expect(first.object).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    expect(first.object.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Data', 'Age']);
    expect(first.object.rows[0].cells[0]).toBe('w-existing');
    await api('PATCH', '/api/v1/namespaces/default/configmaps/w-existing', { data: { z: '1' } }, { 'Content-Type': 'application/merge-patch+json' });
    const second = await next();
    expect(second.type).toBe('MODIFIED');
    expect(second.object.rows[0].cells[1]).toBe(1);
    ctrl.abort();

    const db = new Client({ connectionString: c.db.url });
    await db.connect();
    await db.query('UPDATE log_head SET horizon = 3');
    await db.end();
    const old = await fetch(`${c.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=2`);
    const line = JSON.parse((await old.text()).trim());
    expect(line).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  });

  it('serves the seed’s retired versions converted', async () => {
    const cj = await c.kubectl(['apply', '-f', '-'], {
      stdin: `apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: batch-job-every-fifteen-minutes
spec:
  schedule: "0,15,30,45 * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          labels:
            app: periodic-batch-job
        spec:
          restartPolicy: OnFailure
          containers:
          - name: main
            image: luksa/batch-job
`,
    });
    expect(cj.stdout).toContain('cronjob.batch/batch-job-every-fifteen-minutes created');
    const asV1 = (await api('GET', '/apis/batch/v1/namespaces/default/cronjobs/batch-job-every-fifteen-minutes')).body;
    expect(asV1).toMatchObject({ apiVersion: 'batch/v1', kind: 'CronJob', spec: { schedule: '0,15,30,45 * * * *', concurrencyPolicy: 'Allow' } });
    const ing = await api('POST', '/apis/networking.k8s.io/v1beta1/namespaces/default/ingresses', {
      apiVersion: 'networking.k8s.io/v1beta1',
      kind: 'Ingress',
      metadata: { name: 'kubia' },
      spec: { rules: [{ host: 'kubia.example.com', http: { paths: [{ path: '/', backend: { serviceName: 'kubia-nodeport', servicePort: 80 } }] } }] },
    });
    expect(ing.status).toBe(201);
    const v1 = (await api('GET', '/apis/networking.k8s.io/v1/namespaces/default/ingresses/kubia')).body;
    expect(v1.spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'kubia-nodeport', port: { number: 80 } } });
  });
});
