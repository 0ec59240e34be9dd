import type { ConfigMap, Deployment } from '@logbook/api';
import { ApiError, isAlreadyExists, isConflict, isNotFound, isResourceExpired } from '@logbook/machinery';
import { firstValueFrom, Subscription, take, toArray } from 'rxjs';
import { eventually, startTestApiServer, TestApiServer } from '../testing';
import { customKind, kinds, KubeClient, requestCounts, requestCountsSince, TransportError, WatchEvent } from '.';

const cm = (name: string, data: Record<string, string> = {}, labels: Record<string, string> = {}): ConfigMap => ({
  metadata: { name, namespace: 'default', labels },
  data,
});

const deployment = (name: string, replicas = 1): Deployment => ({
  metadata: { name, namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
  },
});

async function history(server: TestApiServer, name: string): Promise<Array<Record<string, unknown>>> {
  const { Client } = await import('pg');
  const pg = new Client({ connectionString: server.databaseUrl });
  await pg.connect();
  try {
    const res = await pg.query("SELECT seq::text, cause_seq::text AS cause, field_manager FROM events WHERE name = $1 ORDER BY seq", [name]);
    return res.rows;
  } finally {
    await pg.end();
  }
}

describe('KubeClient against a real apiserver', () => {
  let server: TestApiServer;
  let client: KubeClient;

  beforeAll(async () => {
    server = await startTestApiServer();
    client = server.client;
  });
  afterAll(() => server?.stop());

  it('creates, gets, updates and deletes, returning the stored object and its resourceVersion', async () => {
    const created = await client.create(kinds.ConfigMap, cm('crud', { a: '1' }));
    expect(created.metadata?.uid).toBeTruthy();
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(0);
    expect(created.kind).toBe('ConfigMap');

    const got = await client.get(kinds.ConfigMap, { namespace: 'default', name: 'crud' });
    expect(got.data).toEqual({ a: '1' });

    const updated = await client.update(kinds.ConfigMap, { ...got, data: { a: '2' } });
    expect(Number(updated.metadata!.resourceVersion)).toBeGreaterThan(Number(got.metadata!.resourceVersion));

    // A stale resourceVersion is a Conflict, not a lost update.
    const stale = await client.update(kinds.ConfigMap, { ...got, data: { a: '3' } }).catch((e) => e);
    expect(isConflict(stale)).toBe(true);

    const dup = await client.create(kinds.ConfigMap, cm('crud')).catch((e) => e);
    expect(isAlreadyExists(dup)).toBe(true);

    const deleted = await client.delete(kinds.ConfigMap, { namespace: 'default', name: 'crud' });
    expect(deleted.metadata?.name).toBe('crud');
    const gone = await client.get(kinds.ConfigMap, { namespace: 'default', name: 'crud' }).catch((e) => e);
    expect(gone).toBeInstanceOf(ApiError);
    expect(isNotFound(gone)).toBe(true);
  });

  it('delete honours preconditions', async () => {
    const created = await client.create(kinds.ConfigMap, cm('precond'));
    const err = await client
      .delete(kinds.ConfigMap, { namespace: 'default', name: 'precond' }, { preconditions: { resourceVersion: '1' } })
      .catch((e) => e);
    expect(isConflict(err)).toBe(true);
    await client.delete(kinds.ConfigMap, { namespace: 'default', name: 'precond' }, { preconditions: { uid: created.metadata!.uid } });
  });

  it('lists with label selectors and pages with limit/continue', async () => {
    for (let i = 0; i < 5; i++) await client.create(kinds.ConfigMap, cm(`page-${i}`, {}, { set: 'paging', idx: String(i % 2) }));
    const all = await client.list(kinds.ConfigMap, { namespace: 'default', labelSelector: 'set=paging' });
    expect(all.items.map((o) => o.metadata!.name).sort()).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
    expect(all.items[0].kind).toBe('ConfigMap');
    expect(all.resourceVersion).toMatch(/^\d+$/);
    const odd = await client.list(kinds.ConfigMap, { namespace: 'default', labelSelector: 'set=paging,idx=1' });
    expect(odd.items).toHaveLength(2);

    const first = await client.list(kinds.ConfigMap, { namespace: 'default', labelSelector: 'set=paging', limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.continue).toBeTruthy();
    const second = await client.list(kinds.ConfigMap, { namespace: 'default', labelSelector: 'set=paging', limit: 10, continue: first.continue });
    expect(second.items).toHaveLength(3);
    expect(second.continue).toBeUndefined();
  });

  it('patches: merge, strategic, json and server-side apply with a field manager', async () => {
    await client.create(kinds.Deployment, deployment('patched'));
    const key = { namespace: 'default', name: 'patched' };
    const merged = await client.patch(kinds.Deployment, key, { metadata: { labels: { a: 'b' } } }, { type: 'merge' });
    expect(merged.metadata!.labels).toEqual({ a: 'b' });
    const strategic = await client.patch(
      kinds.Deployment,
      key,
      { spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } } } },
      { type: 'strategic' },
    );
    expect(strategic.spec!.template!.spec!.containers.map((c) => c.name)).toEqual(['sidecar', 'web']);
    const json = await client.patch(kinds.Deployment, key, [{ op: 'replace', path: '/spec/replicas', value: 3 }], { type: 'json' });
    expect(json.spec!.replicas).toBe(3);

    const applied = await client.apply(
      kinds.ConfigMap,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied', namespace: 'default' }, data: { owner: 'me' } },
      { fieldManager: 'sdk-test' },
    );
    expect(applied.data).toEqual({ owner: 'me' });
    expect(applied.metadata!.managedFields!.some((f) => f.manager === 'sdk-test' && f.operation === 'Apply')).toBe(true);
    const conflict = await client
      .apply(kinds.ConfigMap, { metadata: { name: 'applied', namespace: 'default' }, data: { owner: 'other' } }, { fieldManager: 'intruder' })
      .catch((e) => e);
    expect(isConflict(conflict)).toBe(true);
    const forced = await client.apply(
      kinds.ConfigMap,
      { metadata: { name: 'applied', namespace: 'default' }, data: { owner: 'other' } },
      { fieldManager: 'intruder', force: true },
    );
    expect(forced.data).toEqual({ owner: 'other' });
  });

  it('reads and writes the status and scale subresources', async () => {
    const d = await client.create(kinds.Deployment, deployment('subresources', 2));
    const withStatus = await client.updateStatus(kinds.Deployment, { ...d, status: { replicas: 2, observedGeneration: 1 } });
    expect(withStatus.status?.replicas).toBe(2);
    const patched = await client.patchStatus(kinds.Deployment, { namespace: 'default', name: 'subresources' }, { status: { readyReplicas: 1 } }, { type: 'merge' });
    expect(patched.status?.readyReplicas).toBe(1);

    const scale = await client.getScale(kinds.Deployment, { namespace: 'default', name: 'subresources' });
    expect(scale.spec?.replicas).toBe(2);
    const scaled = await client.updateScale(kinds.Deployment, { namespace: 'default', name: 'subresources' }, { ...scale, spec: { replicas: 5 } });
    expect(scaled.spec?.replicas).toBe(5);
    expect((await client.get(kinds.Deployment, { namespace: 'default', name: 'subresources' })).spec!.replicas).toBe(5);
  });

  it("creates a subresource (a Pod's binding), and counts every request by method, code and field manager", async () => {
    const pod = await client.create(kinds.Pod, { metadata: { name: 'to-bind', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    const binding = (uid?: string) => ({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'to-bind', namespace: 'default', uid }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-a' } });
    const before = requestCounts.snapshot();
    await client.createSubresource(kinds.Pod, { namespace: 'default', name: 'to-bind' }, 'binding', binding(pod.metadata!.uid), { fieldManager: 'binder' });
    expect((await client.get(kinds.Pod, { namespace: 'default', name: 'to-bind' })).spec?.nodeName).toBe('node-a');
    // Bound already: 409, as kube-apiserver answers.
    const again = await client.createSubresource(kinds.Pod, { namespace: 'default', name: 'to-bind' }, 'binding', binding(), { fieldManager: 'binder' }).catch((e) => e);
    expect(isConflict(again)).toBe(true);
    expect(() => client.createSubresource(kinds.Pod, { namespace: 'default', name: 'to-bind' }, '../x', {})).toThrow(/not a subresource name/);
    const counted = requestCountsSince(before, requestCounts.snapshot());
    expect(counted).toEqual(
      expect.arrayContaining([
        { method: 'POST', code: '201', fieldManager: 'binder', count: 1 },
        { method: 'POST', code: '409', fieldManager: 'binder', count: 1 },
        { method: 'GET', code: '200', fieldManager: '', count: 1 },
      ]),
    );
  });

  it('watches as an Observable: current state, then changes, then bookmarks-free completion on timeout', async () => {
    const start = await client.create(kinds.ConfigMap, cm('watched-1', {}, { set: 'watch' }));
    const events: WatchEvent<ConfigMap>[] = [];
    let completed = false;
    const sub = client
      .watch(kinds.ConfigMap, { namespace: 'default', labelSelector: 'set=watch', timeoutSeconds: 3 })
      .subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
    await eventually(() => events.length === 1, { what: 'the synthetic ADDED' });
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'watched-1' } } });
    await client.patch(kinds.ConfigMap, { namespace: 'default', name: 'watched-1' }, { data: { x: 'y' } }, { type: 'merge' });
    await client.delete(kinds.ConfigMap, { namespace: 'default', name: 'watched-1' });
    await eventually(() => events.length === 3, { what: 'MODIFIED and DELETED' });
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    await eventually(() => completed, { timeoutMs: 10_000, what: 'the server to end the watch' });
    sub.unsubscribe();

    // Resuming from a resourceVersion replays what came after it.
    const resumed = await firstValueFrom(
      client.watch(kinds.ConfigMap, { namespace: 'default', labelSelector: 'set=watch', resourceVersion: start.metadata!.resourceVersion }).pipe(take(2), toArray()),
    );
    expect(resumed.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED']);
  });

  it('fails a watch from an expired resourceVersion with a typed 410', async () => {
    const old = await client.create(kinds.ConfigMap, cm('expired-watch'));
    await client.create(kinds.ConfigMap, cm('expired-watch-later'));
    await server.restart(); // the new process holds nothing in memory
    expect(Number(await server.expireHistory())).toBeGreaterThan(Number(old.metadata!.resourceVersion));
    const err = await firstValueFrom(client.watch(kinds.ConfigMap, { namespace: 'default', resourceVersion: old.metadata!.resourceVersion })).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(isResourceExpired(err)).toBe(true);
    expect((err as ApiError).code).toBe(410);
  });

  it('tears the HTTP request down on unsubscribe', async () => {
    const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    await client.create(kinds.ConfigMap, cm('teardown'));
    const before = sockets();
    const subs: Subscription[] = [];
    let received = 0;
    for (let i = 0; i < 20; i++) subs.push(client.watch(kinds.ConfigMap, { namespace: 'default' }).subscribe(() => received++));
    await eventually(() => received >= 20, { what: 'every watch to be streaming' });
    expect(sockets()).toBeGreaterThanOrEqual(20);
    subs.forEach((s) => s.unsubscribe());
    await eventually(() => sockets() <= before, { what: 'the watch connections to close' });
  });

  it('sends x-logbook-cause-seq and the field manager with writes, so history can explain them', async () => {
    const cause = await client.create(kinds.ConfigMap, cm('the-cause'));
    const bound = client.withCause(cause.metadata!.resourceVersion).withFieldManager('my-controller');
    const effect = await bound.create(kinds.ConfigMap, cm('the-effect'));
    await bound.patch(kinds.ConfigMap, { namespace: 'default', name: 'the-effect' }, { data: { a: 'b' } }, { type: 'merge' });
    const rows = await history(server, 'the-effect');
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.cause).toBe(cause.metadata!.resourceVersion);
      expect(r.field_manager).toBe('my-controller');
    }
    expect(rows[0].seq).toBe(effect.metadata!.resourceVersion);
    // The unbound client sends no cause.
    await client.create(kinds.ConfigMap, cm('no-cause'));
    expect((await history(server, 'no-cause'))[0].cause).toBeNull();
  });

  it('reports writes to observers with their resourceVersion', async () => {
    const seen: string[] = [];
    const observed = client.observeWrites((w) => seen.push(`${w.verb} ${w.kind.kind} ${w.object.metadata?.resourceVersion}`));
    const a = await observed.create(kinds.ConfigMap, cm('observed'));
    const b = await observed.patch(kinds.ConfigMap, { namespace: 'default', name: 'observed' }, { data: { a: 'b' } }, { type: 'merge' });
    expect(seen).toEqual([`create ConfigMap ${a.metadata!.resourceVersion}`, `patch ConfigMap ${b.metadata!.resourceVersion}`]);
    await observed.get(kinds.ConfigMap, { namespace: 'default', name: 'observed' });
    expect(seen).toHaveLength(2);
  });

  it('reaches declared custom kinds by path (404 when the server does not serve them)', async () => {
    const websites = customKind({ group: 'example.com', version: 'v1', kind: 'Website', plural: 'websites', namespaced: true });
    const err = await client.list(websites, { namespace: 'default' }).catch((e) => e);
    expect(isNotFound(err)).toBe(true);
  });

  it('reports an unreachable server as a TransportError', async () => {
    const nowhere = new KubeClient({ server: 'http://127.0.0.1:1' });
    await expect(nowhere.get(kinds.ConfigMap, { namespace: 'default', name: 'x' })).rejects.toBeInstanceOf(TransportError);
    expect(() => new KubeClient({ server: 'not a url' })).toThrow(/invalid API server URL/);
  });
});
