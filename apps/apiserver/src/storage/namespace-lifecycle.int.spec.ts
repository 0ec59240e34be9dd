import { randomUUID } from 'crypto';
import { Subject } from 'rxjs';
import { defaultScheme } from '@logbook/api';
import { EventStore, StoredEvent } from '@logbook/event-store';
import { ApiError } from '@logbook/machinery';
import { createTestDatabase, TestDatabase } from '../../../../libs/event-store/src/testing';
import { eventually } from '../../../../libs/event-store/src/testing/builders';
import { RequestContext } from './context';
import { FORCE_LIVE_LOOKUP_MS, NamespaceLifecycle } from './namespace-lifecycle';
import { ResourceStore } from './resource-store';
import { ObjectValidator } from './validator';

const NAMESPACES = defaultScheme.byGroupVersionResource('', 'v1', 'namespaces')!;
const CONFIGMAPS = defaultScheme.byGroupVersionResource('', 'v1', 'configmaps')!;
const ctx = (verb: string): RequestContext => ({ user: { username: 'alice', groups: [] }, verb, requestId: randomUUID(), dryRun: false, fieldManager: 'test' });

/** A replica: its own EventStore (pool, tail) on the shared database, and a ResourceStore whose namespace checks are counted. */
interface Replica {
  events: EventStore;
  store: ResourceStore;
  lookups: () => number;
  clock: { now: number };
}

async function replica(url: string): Promise<Replica> {
  const events = await EventStore.open({ databaseUrl: url });
  let lookups = 0;
  const clock = { now: Date.now() };
  const counted = { get: (...args: Parameters<EventStore['log']['get']>) => (lookups++, events.log.get(...args)) };
  const namespaces = new NamespaceLifecycle(counted, () => clock.now);
  namespaces.follow(events.tail.events$);
  return { events, store: new ResourceStore(events.log, defaultScheme, new ObjectValidator(), namespaces), lookups: () => lookups, clock };
}

const createNamespace = (r: Replica, name: string, finalizers: string[] = []) =>
  r.store.create(NAMESPACES, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers } }, ctx('create'));
const createConfigMap = (r: Replica, namespace: string, name: string) =>
  r.store.create(CONFIGMAPS, namespace, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' } }, ctx('create'));
const reason = (p: Promise<unknown>) => p.then(() => 'created', (e: unknown) => (e instanceof ApiError ? `${e.code} ${e.reason}: ${e.message}` : String(e)));

describe('NamespaceLifecycle: creates check their namespace from the tail-fed cache (two replicas, one Postgres)', () => {
  let db: TestDatabase;
  let a: Replica;
  let b: Replica;

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await replica(db.url);
    b = await replica(db.url);
  });
  afterAll(async () => {
    a.store.namespaces.stop();
    b.store.namespaces.stop();
    await a.events.close();
    await b.events.close();
    await db.drop();
  });

  it('a namespace this replica created or saw on its tail costs no lookup', async () => {
    await createNamespace(a, 'seen');
    const before = a.lookups();
    for (let i = 0; i < 5; i++) await createConfigMap(a, 'seen', `cm-${i}`);
    expect(a.lookups()).toBe(before);
  });

  it('a namespace another replica just created is looked up, not refused', async () => {
    await createNamespace(b, 'fresh-on-b');
    const before = a.lookups();
    await expect(createConfigMap(a, 'fresh-on-b', 'x')).resolves.toMatchObject({ metadata: { namespace: 'fresh-on-b' } });
    expect(a.lookups()).toBeLessThanOrEqual(before + 1);
  });

  it('a namespace that does not exist is looked up every time and refused with 404', async () => {
    const before = a.lookups();
    expect(await reason(createConfigMap(a, 'nowhere', 'x'))).toBe('404 NotFound: namespaces "nowhere" not found');
    expect(await reason(createConfigMap(a, 'nowhere', 'y'))).toBe('404 NotFound: namespaces "nowhere" not found');
    expect(a.lookups()).toBe(before + 2);
  });

  it('a namespace deleted through this replica refuses creates at once', async () => {
    await createNamespace(a, 'doomed', ['kubernetes']);
    await createConfigMap(a, 'doomed', 'before');
    await a.store.delete(NAMESPACES, '', 'doomed', {}, ctx('delete'));
    expect(await reason(createConfigMap(a, 'doomed', 'after'))).toBe(
      '403 Forbidden: configmaps is forbidden: unable to create new content in namespace doomed because it is being terminated',
    );
  });

  it('a namespace deleted on another replica refuses creates here once the tail brings the change', async () => {
    await createNamespace(a, 'remote-doomed', ['kubernetes']);
    await createConfigMap(a, 'remote-doomed', 'before');
    await b.store.delete(NAMESPACES, '', 'remote-doomed', {}, ctx('delete'));
    await eventually(async () => (await reason(createConfigMap(a, 'remote-doomed', `after-${randomUUID().slice(0, 8)}`))).startsWith('403 Forbidden'));
  });

  it('after a DELETE through this replica, creates read the namespace from the log for 30 s', async () => {
    // A delete that is refused still makes kube-apiserver distrust its cache for a while.
    await createNamespace(a, 'kept');
    await a.store.delete(NAMESPACES, '', 'kept', { preconditions: { uid: 'not-its-uid' } }, ctx('delete')).catch(() => undefined);
    const before = a.lookups();
    await createConfigMap(a, 'kept', 'one');
    expect(a.lookups()).toBe(before + 1);
    a.clock.now += FORCE_LIVE_LOOKUP_MS + 1;
    await createConfigMap(a, 'kept', 'two');
    expect(a.lookups()).toBe(before + 1);
  });

  it('when the tail fails, every check reads the log', async () => {
    const tail = new Subject<StoredEvent>();
    let lookups = 0;
    const namespaces = new NamespaceLifecycle({ get: (...args) => (lookups++, a.events.log.get(...args)) });
    namespaces.follow(tail);
    await createNamespace(a, 'followed');
    const [event] = await a.events.log.history({ group: '', resource: 'namespaces', name: 'followed' });
    tail.next(event);
    await namespaces.get('followed');
    expect(lookups).toBe(0);
    tail.error(new Error('log tail fell below the retention horizon'));
    await expect(namespaces.get('followed')).resolves.toEqual({ terminating: false });
    expect(lookups).toBe(1);
  });
});
