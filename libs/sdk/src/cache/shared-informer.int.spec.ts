import type { ConfigMap } from '@logbook/api';
import { Subscription } from 'rxjs';
import { kinds, KubeClient } from '../client';
import { eventually, startTcpProxy, startTestApiServer, TestApiServer } from '../testing';
import { InformerEvent, InformerFactory, OWNER_UID_INDEX, SharedInformer } from '.';

const cm = (namespace: string, name: string, data: Record<string, string> = {}): ConfigMap => ({ metadata: { name, namespace }, data });

/** Records an informer's events as `TYPE name` (plus flags). */
function record(informer: SharedInformer<ConfigMap>) {
  const seen: string[] = [];
  const events: InformerEvent<ConfigMap>[] = [];
  const sub = informer.events$.subscribe((e) => {
    events.push(e);
    const flag = e.type === 'ADDED' ? (e.initialList ? ' initial' : '') : e.type === 'UPDATED' ? (e.resync ? ' resync' : '') : e.finalStateUnknown ? ' unknown' : '';
    seen.push(`${e.type} ${e.object.metadata!.name}${flag}`);
  });
  return { seen, events, sub };
}

/** What the server holds in a namespace, as name -> data. */
async function serverState(client: KubeClient, namespace: string) {
  const list = await client.list(kinds.ConfigMap, { namespace });
  return Object.fromEntries(list.items.map((o) => [o.metadata!.name!, o.data ?? {}]).sort());
}
const cacheState = (informer: SharedInformer<ConfigMap>) => Object.fromEntries(informer.lister.list().map((o) => [o.metadata!.name!, o.data ?? {}]).sort());

async function createNamespace(client: KubeClient, name: string) {
  await client.create(kinds.Namespace, { metadata: { name } });
}

describe('SharedInformer against a real apiserver', () => {
  let server: TestApiServer;
  let client: KubeClient;
  const informers: SharedInformer<ConfigMap>[] = [];
  const subs: Subscription[] = [];
  const informer = (namespace: string, opts: Partial<SharedInformer<ConfigMap>['options']> = {}, c = client) => {
    const i = new SharedInformer(c, kinds.ConfigMap, { namespace, ...opts });
    informers.push(i);
    return i;
  };

  beforeAll(async () => {
    server = await startTestApiServer();
    client = server.client;
  });
  afterEach(async () => {
    subs.splice(0).forEach((s) => s.unsubscribe());
    await Promise.all(informers.splice(0).map((i) => i.stop()));
  });
  afterAll(() => server?.stop());

  it('lists, then watches: the cache follows the server and handlers see each change once', async () => {
    await createNamespace(client, 'basics');
    await client.create(kinds.ConfigMap, cm('basics', 'before'));
    const inf = informer('basics');
    const { seen, sub } = record(inf);
    subs.push(sub);
    inf.start();
    expect(await inf.waitForSync({ timeoutMs: 10_000 })).toBe(true);
    expect(seen).toEqual(['ADDED before initial']);

    await client.create(kinds.ConfigMap, cm('basics', 'after'));
    await client.patch(kinds.ConfigMap, { namespace: 'basics', name: 'before' }, { data: { v: '2' } }, { type: 'merge' });
    const last = await client.delete(kinds.ConfigMap, { namespace: 'basics', name: 'after' });
    await eventually(() => seen.length === 4, { what: 'three changes' });
    expect(seen).toEqual(['ADDED before initial', 'ADDED after', 'UPDATED before', 'DELETED after']);
    expect(cacheState(inf)).toEqual({ before: { v: '2' } });
    expect(inf.lister.get('basics', 'before')?.data).toEqual({ v: '2' });
    expect(await inf.waitForResourceVersion(last.metadata!.resourceVersion!, 5_000)).toBe(true);

    // Cached objects are frozen.
    expect(() => {
      (inf.lister.get('basics', 'before')!.data as Record<string, string>).v = 'mutated';
    }).toThrow(TypeError);
  });

  it('replays the cache to a late subscriber as initial ADDED events', async () => {
    await createNamespace(client, 'late');
    await client.create(kinds.ConfigMap, cm('late', 'a'));
    await client.create(kinds.ConfigMap, cm('late', 'b'));
    const inf = informer('late');
    inf.start();
    await inf.waitForSync();
    const { seen, sub } = record(inf);
    subs.push(sub);
    expect(seen.sort()).toEqual(['ADDED a initial', 'ADDED b initial']);
    await client.create(kinds.ConfigMap, cm('late', 'c'));
    await eventually(() => seen.includes('ADDED c'), { what: 'the live event' });
  });

  it('indexes by owner and custom functions', async () => {
    await createNamespace(client, 'indexed');
    const owner = await client.create(kinds.ConfigMap, cm('indexed', 'owner'));
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid!, controller: true };
    await client.create(kinds.ConfigMap, { metadata: { name: 'child', namespace: 'indexed', ownerReferences: [ref] }, data: { colour: 'red' } });
    const inf = informer('indexed');
    inf.addIndexer('colour', (o) => (o.data?.colour ? [o.data.colour] : []));
    inf.start();
    await inf.waitForSync();
    expect(inf.lister.byIndex(OWNER_UID_INDEX, owner.metadata!.uid!).map((o) => o.metadata!.name)).toEqual(['child']);
    expect(inf.lister.byIndex('colour', 'red').map((o) => o.metadata!.name)).toEqual(['child']);
  });

  it('survives an apiserver restart, resuming from its resourceVersion without missing a change', async () => {
    await createNamespace(client, 'restart');
    for (const n of ['keep', 'change', 'remove']) await client.create(kinds.ConfigMap, cm('restart', n));
    const inf = informer('restart', { backoff: { initialMs: 100, maxMs: 500 } });
    const { seen, sub } = record(inf);
    subs.push(sub);
    inf.start();
    await inf.waitForSync();

    await server.stopProcess({ kill: true });
    // While it is down, another replica on the same database takes the writes.
    const replica = await server.startReplica();
    await replica.client.patch(kinds.ConfigMap, { namespace: 'restart', name: 'change' }, { data: { v: 'new' } }, { type: 'merge' });
    await replica.client.delete(kinds.ConfigMap, { namespace: 'restart', name: 'remove' });
    await replica.client.create(kinds.ConfigMap, cm('restart', 'born'));
    await replica.stop();
    await server.startProcess();

    await eventually(async () => JSON.stringify(cacheState(inf)) === JSON.stringify(await serverState(client, 'restart')), {
      timeoutMs: 20_000,
      what: 'the cache to match the server',
    });
    expect(seen.slice(3)).toEqual(['UPDATED change', 'DELETED remove', 'ADDED born']);
    expect(inf.status.lists).toBe(1); // resumed, no relist
    expect(inf.status.expired).toBe(0);
  });

  it('relists on 410 Expired and still reaches the final state, deletions included', async () => {
    await createNamespace(client, 'expired');
    for (const n of ['keep', 'change', 'remove']) await client.create(kinds.ConfigMap, cm('expired', n));
    const inf = informer('expired', { backoff: { initialMs: 100, maxMs: 500 } });
    const { seen, sub } = record(inf);
    subs.push(sub);
    inf.start();
    await inf.waitForSync();

    await server.stopProcess({ kill: true });
    const replica = await server.startReplica();
    await replica.client.patch(kinds.ConfigMap, { namespace: 'expired', name: 'change' }, { data: { v: 'new' } }, { type: 'merge' });
    await replica.client.delete(kinds.ConfigMap, { namespace: 'expired', name: 'remove' });
    await replica.client.create(kinds.ConfigMap, cm('expired', 'born'));
    await replica.stop();
    await server.expireHistory();
    await server.startProcess();

    await eventually(async () => JSON.stringify(cacheState(inf)) === JSON.stringify(await serverState(client, 'expired')), {
      timeoutMs: 20_000,
      what: 'the cache to match the server',
    });
    expect(inf.status.expired).toBeGreaterThanOrEqual(1);
    expect(inf.status.lists).toBeGreaterThanOrEqual(2);
    expect(seen.slice(3).sort()).toEqual(['ADDED born', 'DELETED remove unknown', 'UPDATED change']);
  });

  it('notices a watch that went silent and restarts it (no zombie)', async () => {
    await createNamespace(client, 'zombie');
    const proxy = await startTcpProxy(server.url);
    try {
      const inf = informer('zombie', { watchIdleTimeoutMs: 1_500 }, new KubeClient({ server: proxy.url }));
      const { seen, sub } = record(inf);
      subs.push(sub);
      inf.start();
      await inf.waitForSync();
      await eventually(() => inf.status.watching, { what: 'the watch' });
      proxy.freeze(); // the connection stays open, but nothing comes through any more
      await client.create(kinds.ConfigMap, cm('zombie', 'after-freeze'));
      await eventually(() => seen.includes('ADDED after-freeze'), { timeoutMs: 15_000, what: 'the change, through a new watch' });
      expect(inf.status.deadWatches).toBeGreaterThanOrEqual(1);
    } finally {
      await proxy.close();
    }
  });

  it('releases waiters for its first list when it stops before syncing (a shutdown during start-up must not hang)', async () => {
    const inf = informer('nowhere', {}, new KubeClient({ server: 'http://127.0.0.1:1' }));
    inf.start();
    const waiting = inf.waitForSync();
    const waitingRv = inf.waitForResourceVersion('5', 60_000);
    await new Promise((r) => setTimeout(r, 200));
    await inf.stop();
    await expect(waiting).resolves.toBe(false);
    await expect(waitingRv).resolves.toBe(false);
  });

  it('resyncs periodically when asked, re-delivering unchanged objects', async () => {
    await createNamespace(client, 'resync');
    await client.create(kinds.ConfigMap, cm('resync', 'r'));
    const inf = informer('resync', { resyncPeriodMs: 300 });
    const { events, sub } = record(inf);
    subs.push(sub);
    inf.start();
    await eventually(() => events.filter((e) => e.type === 'UPDATED' && e.resync).length >= 2, { what: 'two resyncs' });
    const resync = events.find((e) => e.type === 'UPDATED' && e.resync)!;
    expect(resync.type === 'UPDATED' && resync.oldObject === resync.object).toBe(true);
  });

  describe('InformerFactory', () => {
    it('shares one informer per kind and scope, and adds and removes them at run time', async () => {
      await createNamespace(client, 'factory');
      await client.create(kinds.ConfigMap, cm('factory', 'f'));
      const factory = new InformerFactory(client);
      try {
        const a = factory.informerFor(kinds.ConfigMap, { namespace: 'factory' });
        expect(factory.informerFor(kinds.ConfigMap, { namespace: 'factory' })).toBe(a);
        expect(factory.informerFor(kinds.ConfigMap)).not.toBe(a);
        factory.start();
        expect(await factory.waitForSync({ timeoutMs: 10_000 })).toBe(true);

        // Added after start: starts at once.
        const secrets = factory.informerFor(kinds.Secret, { namespace: 'factory' });
        expect(secrets.isRunning).toBe(true);
        expect(await secrets.waitForSync({ timeoutMs: 10_000 })).toBe(true);

        let completed = false;
        a.events$.subscribe({ complete: () => (completed = true) });
        expect(await factory.remove(kinds.ConfigMap, { namespace: 'factory' })).toBe(true);
        expect(completed).toBe(true);
        expect(a.isRunning).toBe(false);
        expect(factory.find(kinds.ConfigMap, { namespace: 'factory' })).toBeUndefined();
        expect(await factory.remove(kinds.ConfigMap, { namespace: 'factory' })).toBe(false);
      } finally {
        await factory.stop();
      }
    });
  });
});
