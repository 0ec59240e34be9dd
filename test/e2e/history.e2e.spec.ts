import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Pool } from 'pg';
import { Projection } from '../../libs/event-store/src/projection';
import { TestCluster } from './cluster';
import { REPO_ROOT, tempDir } from './processes';

/**
 * The history API end to end: a Deployment → ReplicaSet → Pod chain written
 * through the API as a person and as controllers would (ownerReferences,
 * x-logbook-cause-seq), then history, explain, timeline, audit, time travel,
 * watch, kubectl, and compaction with its 410s.
 */
describe('history, explain, timeline, audit, time travel and retention', () => {
  let c: TestCluster;
  const dir = tempDir('history-tokens');
  const tokenFile = path.join(dir, 'tokens.csv');
  fs.writeFileSync(
    tokenFile,
    [
      'alice-token,alice,u-alice,"dev,ops"',
      'dc-token,system:serviceaccount:kube-system:deployment-controller,u-dc,"system:serviceaccounts"',
      'rsc-token,system:serviceaccount:kube-system:replicaset-controller,u-rsc,"system:serviceaccounts"',
      'node-token,system:node:node-1,u-node,"system:nodes"',
      'auditor-token,auditor,u-auditor',
    ].join('\n') + '\n',
  );
  const ALICE = 'alice-token';
  const DC = 'dc-token';
  const RSC = 'rsc-token';
  const NODE = 'node-token';
  /** May read history, diffs and the audit export, not Secrets: sees Secret values redacted. */
  const AUDITOR = 'auditor-token';

  beforeAll(async () => {
    c = await TestCluster.start({ LOGBOOK_TOKEN_FILE: tokenFile });
    // RBAC: these token-file users act as cluster admins here.
    await c.grantClusterAdmin('test-admins', ['alice', 'system:serviceaccount:kube-system:deployment-controller', 'system:serviceaccount:kube-system:replicaset-controller', 'system:node:node-1']);
    await c.grant('history-reader', ['auditor'], [{ verbs: ['get', 'list', 'watch'], apiGroups: ['logbook.io'], resources: ['history', 'audit', 'diff'] }]);
  });
  afterAll(async () => {
    await c.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Json = any;
  const api = async (method: string, p: string, opts: { body?: unknown; token?: string; cause?: number; contentType?: string; accept?: string } = {}) => {
    const headers: Record<string, string> = { 'Content-Type': opts.contentType ?? 'application/json', 'User-Agent': 'history-e2e/1.0' };
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    if (opts.cause !== undefined) headers['x-logbook-cause-seq'] = String(opts.cause);
    if (opts.accept) headers.Accept = opts.accept;
    const res = await fetch(`${c.url}${p}`, { method, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), headers });
    const text = await res.text();
    let body: Json;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: res.status, body, text, headers: res.headers };
  };
  const ok = async (method: string, p: string, opts: Parameters<typeof api>[2] = {}) => {
    const r = await api(method, p, opts);
    if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${r.text}`);
    return r;
  };
  const rv = (o: Json) => Number(o.metadata.resourceVersion);

  const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } });
  const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: template('nginx:1.24') } };
  const ownerRef = (o: Json) => [{ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid, controller: true, blockOwnerDeletion: true }];
  const replicaSet = (d: Json, replicas: number) => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-1', labels: { app: 'web' }, ownerReferences: ownerRef(d) },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: template('nginx:1.24') },
  });
  const pod = (rs: Json, name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'web' }, ownerReferences: ownerRef(rs) }, spec: { containers: [{ name: 'web', image: 'nginx:1.24' }] } });

  // The story, written once; each test reads it.
  const s: Record<string, Json> = {};
  const seqs: Record<string, number> = {};

  beforeAll(async () => {
    // alice creates the Deployment; the deployment controller makes a ReplicaSet because of it; the ReplicaSet controller a pod.
    const d1 = await ok('POST', '/apis/apps/v1/namespaces/default/deployments', { body: deployment, token: ALICE });
    s.d1 = d1.body;
    s.d1AuditId = d1.headers.get('audit-id');
    const r1 = await ok('POST', '/apis/apps/v1/namespaces/default/replicasets', { body: replicaSet(s.d1, 1), token: DC, cause: rv(s.d1) });
    s.r1 = r1.body;
    s.p1 = (await ok('POST', '/api/v1/namespaces/default/pods', { body: pod(s.r1, 'web-1-a'), token: RSC, cause: rv(s.r1) })).body;
    // alice scales to 3: the ReplicaSet follows, two more pods.
    const d2 = await ok('PATCH', '/apis/apps/v1/namespaces/default/deployments/web', { body: { spec: { replicas: 3 } }, token: ALICE, contentType: 'application/merge-patch+json' });
    s.d2 = d2.body;
    s.d2AuditId = d2.headers.get('audit-id');
    s.r2 = (await ok('PATCH', '/apis/apps/v1/namespaces/default/replicasets/web-1', { body: { spec: { replicas: 3 } }, token: DC, cause: rv(s.d2), contentType: 'application/merge-patch+json' })).body;
    // Pod b is bound to node-1, which reports its status below (a node may write only its own pods' status).
    const podB = pod(s.r2, 'web-1-b');
    s.p2 = (await ok('POST', '/api/v1/namespaces/default/pods', { body: { ...podB, spec: { ...podB.spec, nodeName: 'node-1' } }, token: RSC, cause: rv(s.r2) })).body;
    s.p3 = (await ok('POST', '/api/v1/namespaces/default/pods', { body: pod(s.r2, 'web-1-c'), token: RSC, cause: rv(s.r2) })).body;
    // The node reports pod b running, without naming a cause.
    s.p2status = (
      await ok('PUT', '/api/v1/namespaces/default/pods/web-1-b/status', {
        body: { ...s.p2, status: { phase: 'Running', containerStatuses: [{ name: 'web', ready: true, restartCount: 0, image: 'nginx:1.24', imageID: '', containerID: 'x://1', state: { running: {} } }] } },
        token: NODE,
      })
    ).body;
    // A secret, whose values must never appear in history or audit.
    s.secret = (await ok('POST', '/api/v1/namespaces/default/secrets', { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, data: { password: Buffer.from('hunter2').toString('base64') } }, token: ALICE })).body;
    s.secret2 = (await ok('PATCH', '/api/v1/namespaces/default/secrets/db', { body: { data: { password: Buffer.from('hunter3').toString('base64') } }, token: ALICE, contentType: 'application/merge-patch+json' })).body;
    for (const k of ['d1', 'r1', 'p1', 'd2', 'r2', 'p2', 'p3', 'p2status', 'secret', 'secret2']) seqs[k] = rv(s[k]);
  });

  it('serves discovery for logbook.io/v1 with history (and its short name)', async () => {
    const list = (await ok('GET', '/apis/logbook.io/v1')).body;
    expect(list.resources.find((r: Json) => r.name === 'history')).toMatchObject({ kind: 'HistoryEvent', namespaced: true, shortNames: ['hist'], verbs: ['get', 'list', 'watch'] });
  });

  it('lists the history of the deployment with actor, provenance and diffs', async () => {
    const h = (await ok('GET', '/apis/logbook.io/v1/namespaces/default/history?kind=Deployment&name=web')).body;
    expect(h).toMatchObject({ kind: 'HistoryEventList', apiVersion: 'logbook.io/v1' });
    expect(Number(h.metadata.resourceVersion)).toBeGreaterThanOrEqual(seqs.secret2);
    expect(h.items.map((i: Json) => [i.seq, i.type, i.actor.username, i.verb])).toEqual([
      [seqs.d1, 'ADDED', 'alice', 'create'],
      [seqs.d2, 'MODIFIED', 'alice', 'patch'],
    ]);
    const [created, scaled] = h.items;
    expect(created).toMatchObject({
      kind: 'HistoryEvent',
      metadata: { name: String(seqs.d1), namespace: 'default', resourceVersion: String(seqs.d1) },
      objectRef: { apiGroup: 'apps', apiVersion: 'apps/v1', resource: 'deployments', kind: 'Deployment', namespace: 'default', name: 'web', uid: s.d1.metadata.uid },
      actor: { username: 'alice', uid: 'u-alice', groups: ['dev', 'ops', 'system:authenticated'] },
      userAgent: 'history-e2e/1.0',
      requestID: s.d1AuditId,
      change: { summary: ['created'] },
    });
    expect(created.change.patch[0]).toMatchObject({ op: 'add', path: '' });
    expect(scaled.previousResourceVersion).toBe(String(seqs.d1));
    expect(scaled.change.summary).toContain('spec.replicas: 1 → 3');
    expect(scaled.change.summary.some((l: string) => /managedFields|resourceVersion/.test(l))).toBe(false);
    expect(scaled.change.patch).toContainEqual({ op: 'replace', path: '/spec/replicas', value: 3 });
    expect(scaled.object).toBeUndefined();
    const withObject = (await ok('GET', `/apis/logbook.io/v1/namespaces/default/history?kind=Deployment&name=web&withObject=true`)).body;
    expect(withObject.items[1].object.spec.replicas).toBe(3);
    // One event by its seq; and kubectl's field selector form of the same filters.
    expect((await ok('GET', `/apis/logbook.io/v1/namespaces/default/history/${seqs.d2}`)).body).toMatchObject({ seq: seqs.d2, type: 'MODIFIED' });
    expect((await api('GET', `/apis/logbook.io/v1/namespaces/kube-system/history/${seqs.d2}`)).status).toBe(404);
    const byField = (await ok('GET', `/apis/logbook.io/v1/history?fieldSelector=${encodeURIComponent('kind=Deployment,actor=alice')}`)).body;
    expect(byField.items.map((i: Json) => i.seq)).toEqual([seqs.d1, seqs.d2]);
  });

  it('filters by resource, uid, actor, verb, labels, time and resourceVersion, and pages', async () => {
    const q = async (query: string) => (await ok('GET', `/apis/logbook.io/v1/namespaces/default/history?${query}`)).body.items.map((i: Json) => i.seq);
    expect(await q('resource=rs')).toEqual([seqs.r1, seqs.r2]);
    expect(await q(`uid=${s.p2.metadata.uid}`)).toEqual([seqs.p2, seqs.p2status]);
    expect(await q('actor=system:node:node-1')).toEqual([seqs.p2status]);
    expect(await q('resource=pods&verb=create')).toEqual([seqs.p1, seqs.p2, seqs.p3]);
    expect(await q('labelSelector=app%3Dweb&type=ADDED')).toEqual([seqs.d1, seqs.r1, seqs.p1, seqs.p2, seqs.p3]);
    expect(await q(`fromResourceVersion=${seqs.d2}&toResourceVersion=${seqs.p2}&labelSelector=app`)).toEqual([seqs.d2, seqs.r2, seqs.p2]);
    const d2time = (await ok('GET', `/apis/logbook.io/v1/namespaces/default/history/${seqs.d2}`)).body.time;
    expect((await q(`since=${encodeURIComponent(d2time)}&labelSelector=app`))[0]).toBe(seqs.d2);
    expect((await q(`until=${encodeURIComponent(d2time)}&labelSelector=app`)).slice(-1)[0]).toBe(seqs.d2);
    // Pages of two, all pinned to the first page's resourceVersion.
    const seen: number[] = [];
    let cont = '';
    let pages = 0;
    do {
      const page = (await ok('GET', `/apis/logbook.io/v1/namespaces/default/history?labelSelector=app&limit=2${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`)).body;
      seen.push(...page.items.map((i: Json) => i.seq));
      cont = page.metadata.continue ?? '';
      pages++;
    } while (cont);
    expect(seen).toEqual([seqs.d1, seqs.r1, seqs.p1, seqs.d2, seqs.r2, seqs.p2, seqs.p3, seqs.p2status]);
    expect(pages).toBe(4);
    expect((await api('GET', '/apis/logbook.io/v1/history?since=yesterday')).status).toBe(400);
    expect((await api('GET', '/apis/logbook.io/v1/history?resource=nosuchthing')).status).toBe(400);
    expect((await api('DELETE', '/apis/logbook.io/v1/history')).status).toBe(405);
  });

  it('never shows secret values in history', async () => {
    const h = await ok('GET', '/apis/logbook.io/v1/namespaces/default/history?resource=secrets&name=db&withObject=true', { token: AUDITOR });
    expect(h.text).not.toContain(Buffer.from('hunter2').toString('base64'));
    expect(h.text).not.toContain(Buffer.from('hunter3').toString('base64'));
    expect(h.body.items[1].change.summary).toEqual(['data.password: changed (value redacted)']);
    expect(h.body.items[1].object.data).toEqual({ password: '' });
  });

  it('explains a pod back to the person who scaled the deployment, and forward', async () => {
    const x = (await ok('GET', `/apis/logbook.io/v1/explain/${seqs.p2}`)).body;
    expect(x).toMatchObject({ kind: 'Explanation', apiVersion: 'logbook.io/v1' });
    expect(x.event.seq).toBe(seqs.p2);
    expect(x.causes.map((c: Json) => [c.via, c.event.seq, c.event.actor.username])).toEqual([
      ['causeSeq', seqs.r2, 'system:serviceaccount:kube-system:deployment-controller'],
      ['causeSeq', seqs.d2, 'alice'],
    ]);
    expect(x.rootCause).toMatchObject({ seq: seqs.d2, actor: { username: 'alice' }, verb: 'patch' });
    expect(x.rootCause.change.summary).toContain('spec.replicas: 1 → 3');
    // The node's status write names no cause: it is attributed to the pod's owner.
    const status = (await ok('GET', `/apis/logbook.io/v1/explain/${seqs.p2status}`)).body;
    expect(status.causes.map((c: Json) => [c.via, c.event.seq])).toEqual([
      ['ownerReference', seqs.r2],
      ['causeSeq', seqs.d2],
    ]);
    // Forward from alice's change: the ReplicaSet update, the two pods, and the node's status write.
    const fwd = (await ok('GET', `/apis/logbook.io/v1/explain/${seqs.d2}`)).body;
    expect(fwd.causes).toEqual([]);
    expect(fwd.rootCause.seq).toBe(seqs.d2);
    expect(fwd.consequences.map((c: Json) => [c.event.seq, c.via, c.causedBy, c.depth])).toEqual([
      [seqs.r2, 'causeSeq', seqs.d2, 1],
      [seqs.p2, 'causeSeq', seqs.r2, 2],
      [seqs.p3, 'causeSeq', seqs.r2, 2],
      [seqs.p2status, 'ownerReference', seqs.r2, 2],
    ]);
    // By object: the latest event of pod web-1-b.
    const byObject = (await ok('GET', '/apis/logbook.io/v1/namespaces/default/explain?resource=po&name=web-1-b')).body;
    expect(byObject.event.seq).toBe(seqs.p2status);
    expect((await api('GET', '/apis/logbook.io/v1/explain/999999')).status).toBe(404);
  });

  it('lays out the deployment, its replica set and pods as a timeline', async () => {
    const t = (await ok('GET', '/apis/logbook.io/v1/namespaces/default/timeline?kind=Deployment&name=web')).body;
    expect(t).toMatchObject({ kind: 'Timeline', root: { kind: 'Deployment', namespace: 'default', name: 'web', uids: [s.d1.metadata.uid] } });
    expect(t.items.map((i: Json) => [i.seq, i.kind, i.name, i.depth])).toEqual([
      [seqs.d1, 'Deployment', 'web', 0],
      [seqs.r1, 'ReplicaSet', 'web-1', 1],
      [seqs.p1, 'Pod', 'web-1-a', 2],
      [seqs.d2, 'Deployment', 'web', 0],
      [seqs.r2, 'ReplicaSet', 'web-1', 1],
      [seqs.p2, 'Pod', 'web-1-b', 2],
      [seqs.p3, 'Pod', 'web-1-c', 2],
      [seqs.p2status, 'Pod', 'web-1-b', 2],
    ]);
    const r2 = t.items.find((i: Json) => i.seq === seqs.r2);
    expect(r2.state.text).toMatch(/^replicas 3, current 0, ready 0, available 0, image nginx:1\.24$/);
    expect(r2.change).toEqual(['spec.replicas: 1 → 3']);
    expect(r2.causeSeq).toBe(seqs.d2);
    expect(t.items.find((i: Json) => i.seq === seqs.p2status).state.text).toBe('phase Running, ready 1/1, node node-1, image nginx:1.24');
    expect(t.objects.map((o: Json) => [o.kind, o.name, o.depth])).toEqual(expect.arrayContaining([['Deployment', 'web', 0], ['ReplicaSet', 'web-1', 1], ['Pod', 'web-1-c', 2]]));
    // A window: only alice's scale-up and what followed.
    const w = (await ok('GET', `/apis/logbook.io/v1/namespaces/default/timeline?resource=deploy&name=web&fromResourceVersion=${seqs.d2}&toResourceVersion=${seqs.p3}`)).body;
    expect(w.items.map((i: Json) => i.seq)).toEqual([seqs.d2, seqs.r2, seqs.p2, seqs.p3]);
    // Where the window starts from: the state of each object just before it.
    expect(w.initial.map((i: Json) => [i.seq, i.kind, i.name, i.state.text.split(',')[0]])).toEqual([
      [seqs.d1, 'Deployment', 'web', 'replicas 1'],
      [seqs.r1, 'ReplicaSet', 'web-1', 'replicas 1'],
      [seqs.p1, 'Pod', 'web-1-a', 'phase Pending'],
    ]);
    expect(t.initial).toBeUndefined();
    expect((await api('GET', '/apis/logbook.io/v1/namespaces/default/timeline?kind=Deployment&name=nope')).status).toBe(404);
  });

  it('exports the changes as audit.k8s.io/v1 events with the right users, and no secret data', async () => {
    const res = await ok('GET', `/apis/logbook.io/v1/namespaces/default/audit?fromResourceVersion=${seqs.d1}`, { token: AUDITOR });
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = res.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.every((l) => l.kind === 'Event' && l.apiVersion === 'audit.k8s.io/v1' && l.level === 'RequestResponse' && l.stage === 'ResponseComplete')).toBe(true);
    const bySeq = new Map(lines.map((l) => [Number(l.objectRef.resourceVersion), l]));
    expect(bySeq.get(seqs.d1)).toMatchObject({
      auditID: s.d1AuditId,
      verb: 'create',
      requestURI: '/apis/apps/v1/namespaces/default/deployments',
      user: { username: 'alice', uid: 'u-alice', groups: ['dev', 'ops', 'system:authenticated'] },
      userAgent: 'history-e2e/1.0',
      objectRef: { resource: 'deployments', namespace: 'default', name: 'web', uid: s.d1.metadata.uid, apiGroup: 'apps', apiVersion: 'v1', resourceVersion: String(seqs.d1) },
      responseStatus: { code: 201 },
    });
    expect(bySeq.get(seqs.d1).responseObject.spec.replicas).toBe(1);
    expect(bySeq.get(seqs.d2)).toMatchObject({ auditID: s.d2AuditId, verb: 'patch', requestURI: '/apis/apps/v1/namespaces/default/deployments/web', responseStatus: { code: 200 } });
    expect(bySeq.get(seqs.r1)).toMatchObject({ user: { username: 'system:serviceaccount:kube-system:deployment-controller' }, annotations: { 'logbook.io/cause-seq': String(seqs.d1) } });
    expect(bySeq.get(seqs.p2status)).toMatchObject({ verb: 'update', requestURI: '/api/v1/namespaces/default/pods/web-1-b/status', objectRef: { subresource: 'status' }, user: { username: 'system:node:node-1' } });
    expect(bySeq.get(seqs.secret).responseObject.data).toEqual({ password: '' });
    expect(res.text).not.toContain(Buffer.from('hunter2').toString('base64'));
    expect(Date.parse(bySeq.get(seqs.d1).requestReceivedTimestamp)).not.toBeNaN();
    expect(bySeq.get(seqs.d1).stageTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const alices = (await ok('GET', '/apis/logbook.io/v1/audit?actor=alice')).text.trim().split('\n');
    expect(alices.map((l) => JSON.parse(l).user.username)).toEqual(['alice', 'alice', 'alice', 'alice']);
  });

  it('travels in time: get and list as of a resourceVersion or a time', async () => {
    const old = await ok('GET', `/apis/logbook.io/v1/asof/${seqs.d1}/apis/apps/v1/namespaces/default/deployments/web`);
    expect(old.body.spec.replicas).toBe(1);
    expect(old.headers.get('x-logbook-resource-version')).toBe(String(seqs.d1));
    const d1time = (await ok('GET', `/apis/logbook.io/v1/history/${seqs.d1}`)).body.time;
    const byTime = await ok('GET', `/apis/logbook.io/v1/asof/${encodeURIComponent(d1time)}/apis/apps/v1/namespaces/default/deployments`);
    expect(byTime.body.kind).toBe('DeploymentList');
    expect(byTime.body.items.map((d: Json) => d.spec.replicas)).toEqual([1]);
    expect(Number(byTime.body.metadata.resourceVersion)).toBeGreaterThanOrEqual(seqs.d1);
    expect(Number(byTime.body.metadata.resourceVersion)).toBeLessThan(seqs.d2);
    const pods = (await ok('GET', `/apis/logbook.io/v1/asof/${seqs.d2}/api/v1/namespaces/default/pods`)).body;
    expect(pods.items.map((p: Json) => p.metadata.name)).toEqual(['web-1-a']);
    expect((await api('GET', `/apis/logbook.io/v1/asof/${seqs.d1}/api/v1/namespaces/default/pods/web-1-b`)).status).toBe(404);
    expect((await api('PUT', `/apis/logbook.io/v1/asof/${seqs.d1}/api/v1/namespaces/default/pods/web-1-a`, { body: {} })).status).toBe(405);
    expect((await api('GET', `/apis/logbook.io/v1/asof/99999999/api/v1/pods`)).status).toBe(504);
    // kubectl pointed at the past.
    const out = await c.ok(['--server', `${c.secureUrl}/apis/logbook.io/v1/asof/${seqs.d2}`, 'get', 'deploy,rs,pods']);
    expect(out).toMatch(/deployment\.apps\/web\s+0\/3\s+/);
    expect(out).toMatch(/replicaset\.apps\/web-1\s+1\s+/);
    expect(out).toMatch(/pod\/web-1-a\s+/);
    expect(out).not.toMatch(/web-1-b/);
    const described = await c.ok(['--server', `${c.secureUrl}/apis/logbook.io/v1/asof/${seqs.d1}`, 'describe', 'deployment', 'web']);
    expect(described).toMatch(/Replicas:\s+1 desired/);
  });

  it('diffs an object between two points', async () => {
    const d = (await ok('GET', `/apis/logbook.io/v1/namespaces/default/diff?resource=deploy&name=web&from=${seqs.d1}&to=${seqs.secret}`)).body;
    expect(d).toMatchObject({ kind: 'ObjectDiff', from: { objectResourceVersion: String(seqs.d1) }, to: { resourceVersion: String(seqs.secret), objectResourceVersion: String(seqs.d2) }, summary: ['spec.replicas: 1 → 3'] });
    expect(d.patch).toContainEqual({ op: 'replace', path: '/spec/replicas', value: 3 });
    const born = (await ok('GET', `/apis/logbook.io/v1/namespaces/default/diff?kind=Pod&name=web-1-b&from=${seqs.d1}`)).body;
    expect(born.summary).toEqual(['created']);
    const secret = await ok('GET', `/apis/logbook.io/v1/namespaces/default/diff?resource=secrets&name=db&from=${seqs.secret}&to=${seqs.secret2}`, { token: AUDITOR });
    expect(secret.body.summary).toEqual(['data.password: changed (value redacted)']);
    expect(secret.text).not.toContain(Buffer.from('hunter3').toString('base64'));
    expect((await api('GET', `/apis/logbook.io/v1/namespaces/default/diff?kind=Pod&name=nope&from=${seqs.d1}`)).status).toBe(404);
  });

  it('prints history with kubectl get', async () => {
    const out = await c.ok(['get', 'history', '--field-selector', 'kind=Deployment']);
    const lines = out.trim().split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['RV', 'TIME', 'TYPE', 'KIND', 'NAME', 'ACTOR', 'VERB', 'CHANGE']);
    expect(lines[2]).toMatch(new RegExp(`^${seqs.d2}\\s+\\S+Z\\s+MODIFIED\\s+Deployment\\s+web\\s+alice\\s+patch\\s+spec\\.replicas: 1 → 3`));
    const all = await c.ok(['get', 'hist', '-A', '-l', 'app=web']);
    expect(all.trim().split('\n')[0]).toMatch(/^NAMESPACE\s+RV\s+TIME/);
    expect(all).toContain('web-1-c');
    const one = await c.ok(['get', 'history', String(seqs.p2status), '-o', 'json']);
    expect(JSON.parse(one)).toMatchObject({ kind: 'HistoryEvent', verb: 'update', subresource: 'status' });
    // kubectl get -w: the list, then the watch (Table rows) from its resourceVersion.
    const watching = c.kubectl(['get', 'history', '-w', '--field-selector', 'kind=Secret'], { timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 1500));
    await ok('POST', '/api/v1/namespaces/default/secrets', { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'watched-secret' }, stringData: { k: 'v' } }, token: ALICE });
    const watched = (await watching).stdout.trim().split('\n');
    expect(watched[0]).toMatch(/^RV\s+TIME\s+TYPE\s+KIND\s+NAME\s+ACTOR\s+VERB\s+CHANGE$/);
    expect(watched.slice(1).map((l) => l.split(/\s+/)[4])).toEqual(['db', 'db', 'watched-secret']);
  });

  it('streams new entries with watch=true, for one resource and for everything', async () => {
    const head = Number((await ok('GET', '/apis/logbook.io/v1/history?limit=1')).body.metadata.resourceVersion);
    const read = async (query: string, n: number) => {
      const ctrl = new AbortController();
      const res = await fetch(`${c.url}/apis/logbook.io/v1/namespaces/default/history?watch=true&${query}`, { signal: ctrl.signal });
      const reader = res.body!.getReader();
      let buf = '';
      const events: Json[] = [];
      return {
        done: (async () => {
          while (events.length < n) {
            const { value, done } = await reader.read();
            if (done) break;
            buf += Buffer.from(value).toString();
            let i: number;
            while ((i = buf.indexOf('\n')) >= 0) {
              events.push(JSON.parse(buf.slice(0, i)));
              buf = buf.slice(i + 1);
            }
          }
          ctrl.abort();
          return events;
        })(),
      };
    };
    const cms = await read(`resource=configmaps&resourceVersion=${head}`, 2);
    const everything = await read(`resourceVersion=${head}&labelSelector=watched`, 2);
    await ok('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w', labels: { watched: 'yes' } }, data: { a: '1' } }, token: ALICE });
    await ok('POST', '/api/v1/namespaces/default/services', { body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'w', labels: { watched: 'yes' } }, spec: { ports: [{ port: 80 }] } } });
    await ok('PATCH', '/api/v1/namespaces/default/configmaps/w', { body: { data: { a: '2' } }, contentType: 'application/merge-patch+json' });
    const got = await cms.done;
    expect(got.map((e) => [e.type, e.object.kind, e.object.objectRef.kind, e.object.type])).toEqual([
      ['ADDED', 'HistoryEvent', 'ConfigMap', 'ADDED'],
      ['ADDED', 'HistoryEvent', 'ConfigMap', 'MODIFIED'],
    ]);
    expect(got[1].object.change.summary).toEqual(['data.a: 1 → 2']);
    expect((await everything.done).map((e) => e.object.objectRef.kind)).toEqual(['ConfigMap', 'Service']);
  });

  it('compacts with npm run compact: old history answers 410, the projection rebuilds the same', async () => {
    const pool = new Pool({ connectionString: c.db.url });
    try {
      const projection = new Projection(pool);
      const before = await projection.checksum();
      const out = await new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          [path.join(REPO_ROOT, 'dist/apps/cli/src/admin/compact.js')],
          { env: { ...process.env, DATABASE_URL: c.db.url, LOGBOOK_RETENTION_MAX_EVENTS: '2' } },
          (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
        ),
      );
      expect(out).toMatch(/compacted \d+ events up to resourceVersion \d+/);
      const head = Number((await ok('GET', '/apis/logbook.io/v1/history?limit=1')).body.metadata.resourceVersion);
      const horizon = head - 2;

      const gone = [
        `/apis/logbook.io/v1/namespaces/default/history?fromResourceVersion=${seqs.d1}`,
        `/apis/logbook.io/v1/history/${seqs.d2}`,
        `/apis/logbook.io/v1/explain/${seqs.p2}`,
        `/apis/logbook.io/v1/asof/${seqs.d1}/apis/apps/v1/namespaces/default/deployments/web`,
        `/apis/logbook.io/v1/audit?fromResourceVersion=${seqs.d1}`,
        `/apis/apps/v1/namespaces/default/deployments?resourceVersion=${seqs.d2}&resourceVersionMatch=Exact`,
      ];
      for (const p of gone) {
        const r = await api('GET', p);
        expect([p, r.status, r.body?.reason]).toEqual([p, 410, 'Expired']);
      }
      const watch = await api('GET', `/apis/apps/v1/namespaces/default/deployments?watch=true&resourceVersion=${seqs.d2}&timeoutSeconds=1`);
      expect(JSON.parse(watch.text.trim().split('\n')[0])).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
      // History without a lower bound starts above the horizon; the state at the horizon is still there.
      const h = (await ok('GET', '/apis/logbook.io/v1/history')).body.items.map((i: Json) => i.seq);
      expect(Math.min(...h)).toBeGreaterThan(horizon);
      expect((await ok('GET', `/apis/logbook.io/v1/asof/${horizon}/apis/apps/v1/namespaces/default/deployments/web`)).body.spec.replicas).toBe(3);
      const compactions = (await ok('GET', '/apis/logbook.io/v1/compactions')).body;
      expect(compactions.items[0]).toMatchObject({ kind: 'Compaction', horizon, policy: { maxEvents: 2 } });
      expect(compactions.items[0].deleted.byActor.alice).toBeGreaterThan(0);
      expect(compactions.items[0].deleted.byKind.Pod).toBeGreaterThan(0);

      await projection.rebuild();
      expect(await projection.checksum()).toEqual(before);
    } finally {
      await pool.end();
    }
  });
});
