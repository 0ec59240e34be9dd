import { firstValueFrom, take, toArray } from 'rxjs';
import { ExpiredError, InvalidObjectError } from './errors';
import { EventStore } from './event-store';
import { poolOf } from './data-source';
import { HistoryQueries } from './history-queries';
import { watchLog } from './log-watch';
import { Retention, RetentionRunner } from './retention';
import { createTestDatabase, TestDatabase } from './testing';
import { aConfigMap, alice, configMaps, createOp, deleteOp, eventually, pods, updateOp } from './testing/builders';
import { KubeObject, Provenance, StoredEvent } from './types';

const bob: Provenance = { actor: { user: 'bob', groups: ['dev'] }, verb: 'update' };
const rsController = (causeSeq?: number): Provenance => ({
  actor: { user: 'system:serviceaccount:kube-system:replicaset-controller', groups: ['system:serviceaccounts'] },
  verb: 'create',
  causeSeq,
});

describe('HistoryQueries against Postgres', () => {
  let db: TestDatabase;
  let store: EventStore;
  let q: HistoryQueries;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = await EventStore.open({ databaseUrl: db.url });
    q = new HistoryQueries(poolOf(store.dataSource), { codec: store.log.codec });
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  const update = (e: StoredEvent, data: Record<string, string>, p: Provenance = bob) =>
    store.log.append(updateOp({ ...e.object, data }, String(e.seq), p));

  it('filters by object, uid across delete and re-create, actor, verb and seq range', async () => {
    const a1 = await store.log.append(createOp(aConfigMap('h-obj', { v: '1' }, 'h1')));
    const a2 = await update(a1, { v: '2' });
    const a3 = await store.log.append(deleteOp('h-obj', 'h1'));
    const b1 = await store.log.append(createOp(aConfigMap('h-obj', { v: '3' }, 'h1')));
    await store.log.append(createOp(aConfigMap('other', {}, 'h1')));

    const byName = await q.page({ resource: 'configmaps', namespace: 'h1', name: 'h-obj' });
    expect(byName.events.map((e) => [e.seq, e.type])).toEqual([
      [a1.seq, 'ADDED'],
      [a2.seq, 'MODIFIED'],
      [a3.seq, 'DELETED'],
      [b1.seq, 'ADDED'],
    ]);
    expect(new Set(byName.events.map((e) => e.uid)).size).toBe(2);
    expect((await q.uidsOf({ namespace: 'h1', name: 'h-obj', kind: 'ConfigMap' }))).toEqual([a1.uid, b1.uid]);

    const byUid = await q.page({ uid: a1.uid });
    expect(byUid.events.map((e) => e.seq)).toEqual([a1.seq, a2.seq, a3.seq]);
    expect((await q.page({ namespace: 'h1', actor: 'bob' })).events.map((e) => e.seq)).toEqual([a2.seq]);
    expect((await q.page({ namespace: 'h1', verb: 'delete' })).events.map((e) => e.seq)).toEqual([a3.seq]);
    expect((await q.page({ namespace: 'h1', kind: 'ConfigMap', fromSeq: a2.seq, toSeq: a3.seq })).events.map((e) => e.seq)).toEqual([a2.seq, a3.seq]);
  });

  it('filters by time and by a predicate on the event, and pages with a token pinned to one head', async () => {
    const first = await store.log.append(createOp(aConfigMap('t-0', {}, 'h2')));
    const created: StoredEvent[] = [first];
    for (let i = 1; i < 7; i++) {
      const o = aConfigMap(`t-${i}`, {}, 'h2');
      (o.metadata.labels as Record<string, string>).parity = i % 2 ? 'odd' : 'even';
      created.push(await store.log.append(createOp(o)));
    }
    const sinceSecond = (await q.page({ namespace: 'h2', since: created[1].time })).events.map((e) => e.name);
    expect(sinceSecond.slice(-6)).toEqual(['t-1', 't-2', 't-3', 't-4', 't-5', 't-6']);
    expect((await q.page({ namespace: 'h2', until: new Date(first.time.getTime() - 1) })).events).toEqual([]);
    // The time shown for an event (milliseconds), as an upper bound, includes it.
    expect((await q.page({ namespace: 'h2', until: first.time })).events.map((e) => e.name)).toEqual(['t-0']);

    const odd = (e: StoredEvent) => (e.object.metadata.labels as Record<string, string> | undefined)?.parity === 'odd';
    const p1 = await q.page({ namespace: 'h2', match: odd }, { limit: 2 });
    expect(p1.events.map((e) => e.name)).toEqual(['t-1', 't-3']);
    expect(p1.continue).toBeDefined();
    // Written after the first page: not part of this query's snapshot.
    await store.log.append(createOp({ ...aConfigMap('t-late', {}, 'h2'), metadata: { name: 't-late', namespace: 'h2', labels: { parity: 'odd' } } }));
    const p2 = await q.page({ namespace: 'h2', match: odd }, { limit: 2, continue: p1.continue });
    expect(p2.events.map((e) => e.name)).toEqual(['t-5']);
    expect(p2.continue).toBeUndefined();
    expect(p2.resourceVersion).toBe(p1.resourceVersion);
    await expect(q.page({}, { continue: 'nonsense' })).rejects.toBeInstanceOf(InvalidObjectError);
  });

  it('finds causes, consequences, owners and dependents', async () => {
    const rs = await store.log.append(createOp({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'h3' } } as KubeObject, { group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet' }, alice));
    const owned = (name: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'h3', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: rs.uid, controller: true }] },
    });
    const p1 = await store.log.append(createOp(owned('web-1-a'), pods, rsController(rs.seq)));
    const p2 = await store.log.append(createOp(owned('web-1-b'), pods, rsController()));
    expect((await q.causedBy([rs.seq])).map((e) => e.seq)).toEqual([p1.seq]);
    expect((await q.uncausedOwnedEvents(rs.uid, rs.seq, null)).map((e) => e.seq)).toEqual([p2.seq]);
    expect((await q.uncausedOwnedEvents(rs.uid, rs.seq, p2.seq)).map((e) => e.seq)).toEqual([]);
    expect((await q.latestOfUid(rs.uid, p2.seq))!.seq).toBe(rs.seq);
    expect((await q.latestOfUids([rs.uid, p1.uid, p2.uid, 'nobody'], p1.seq)).map((e) => e.seq)).toEqual([rs.seq, p1.seq]);
    expect(await q.nextOfUid(rs.uid, rs.seq)).toBeNull();
    const deps = await q.dependents([rs.uid], { namespace: 'h3' });
    expect(deps.map((d) => d.name).sort()).toEqual(['web-1-a', 'web-1-b']);
    expect(deps.every((d) => d.owner === rs.uid && d.kind === 'Pod')).toBe(true);
    expect((await q.event(p1.seq))!.provenance.causeSeq).toBe(rs.seq);
    expect([...(await q.objectsAt([rs.seq, p1.seq, 999_999])).keys()].sort((a, b) => a - b)).toEqual([rs.seq, p1.seq]);
  });

  it('maps a time to the last seq committed at or before it', async () => {
    const e = await store.log.append(createOp(aConfigMap('when', {}, 'h4')));
    expect(await q.seqAt(e.time)).toBeGreaterThanOrEqual(e.seq);
    expect(await q.seqAt(new Date(e.time.getTime() - 60_000))).toBeLessThan(e.seq);
    expect(await q.seqAt(new Date(0))).toBe(0);
  });

  it('watches every resource from the past, then live, each event once and in order', async () => {
    const from = (await q.bounds()).seq;
    const a = await store.log.append(createOp(aConfigMap('w-1', {}, 'h5')));
    await store.log.append(createOp({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'w-2', namespace: 'h5' } }, pods));
    await eventually(() => store.tail.lastSeq >= a.seq + 1);
    const got = firstValueFrom(watchLog(store.tail, q, { fromSeq: from, filter: (e) => e.namespace === 'h5' }).pipe(take(4), toArray()));
    await store.log.append(createOp({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'w-3', namespace: 'h5' } }, pods));
    await store.log.append(createOp(aConfigMap('w-4', {}, 'h5')));
    const events = await got;
    expect(events.map((e) => `${e.resource}/${e.name}`)).toEqual(['configmaps/w-1', 'pods/w-2', 'pods/w-3', 'configmaps/w-4']);
  });
});

describe('retention', () => {
  let db: TestDatabase;
  let store: EventStore;
  let q: HistoryQueries;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = await EventStore.open({ databaseUrl: db.url });
    q = new HistoryQueries(poolOf(store.dataSource));
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('compacts to the horizon, keeps the state at it, summarises, and refuses reads from below it', async () => {
    const pool = poolOf(store.dataSource);
    // keep: created, updated twice; gone: created then deleted; late: created after the horizon.
    const k1 = await store.log.append(createOp(aConfigMap('keep', { v: '1' }, 'r')));
    const k2 = await store.log.append(updateOp({ ...k1.object, data: { v: '2' } }, String(k1.seq), { ...alice, verb: 'update' }));
    const g1 = await store.log.append(createOp(aConfigMap('gone', {}, 'r')));
    const g2 = await store.log.append(deleteOp('gone', 'r', { actor: { user: 'bob' }, verb: 'delete' }));
    const h = await store.log.append(createOp(aConfigMap('horizon', {}, 'r')));
    const k3 = await store.log.append(updateOp({ ...k2.object, data: { v: '3' } }, String(k2.seq), { ...alice, verb: 'update' }));
    const before = await store.projection.checksum();
    const oldToken = (await q.page({ namespace: 'r' }, { limit: 1 })).continue!;
    const listAtH = await store.log.list(configMaps, { namespace: 'r', resourceVersion: h.seq });

    const retention = new Retention(pool, { maxEvents: 1 });
    expect(await retention.targetHorizon()).toMatchObject({ target: k3.seq - 1 });
    const summary = (await retention.compact())!;
    expect(summary).toMatchObject({
      previousHorizon: 0,
      horizon: h.seq,
      deletedEvents: 3,
      keptEvents: 2,
      firstSeq: k1.seq,
      lastSeq: g2.seq,
      byKind: { ConfigMap: 3 },
      byActor: { alice: 2, bob: 1 },
      policy: { maxEvents: 1 },
    });
    expect(summary.horizonTime).toEqual(h.time);
    const left = await pool.query<{ seq: string }>(`SELECT seq::text AS seq FROM events WHERE namespace = 'r' ORDER BY events.seq`);
    expect(left.rows.map((r) => Number(r.seq))).toEqual([k2.seq, h.seq, k3.seq]);
    void g1;

    // Nothing more to do until the log grows.
    expect(await retention.compact()).toBeNull();
    expect((await retention.summaries()).map((s) => s.id)).toEqual([summary.id]);

    // The state at the horizon and above is intact.
    expect(await store.log.list(configMaps, { namespace: 'r', resourceVersion: h.seq })).toEqual(listAtH);
    expect((await store.log.getAsOf(configMaps, 'r', 'keep', h.seq))!.object.data).toEqual({ v: '2' });
    await store.projection.rebuild();
    expect(await store.projection.checksum()).toEqual(before);

    // Below it: 410 for lists, gets, history and time.
    await expect(store.log.list(configMaps, { resourceVersion: h.seq - 1 })).rejects.toBeInstanceOf(ExpiredError);
    await expect(store.log.getAsOf(configMaps, 'r', 'keep', k2.seq)).rejects.toBeInstanceOf(ExpiredError);
    await expect(q.page({ fromSeq: h.seq })).rejects.toBeInstanceOf(ExpiredError);
    await expect(q.page({ since: k1.time })).rejects.toBeInstanceOf(ExpiredError);
    await expect(q.seqAt(new Date(h.time.getTime() - 1))).rejects.toBeInstanceOf(ExpiredError);
    expect(await q.seqAt(h.time)).toBeGreaterThanOrEqual(h.seq);
    // History without a lower bound starts above the horizon.
    expect((await q.page({ namespace: 'r' })).events.map((e) => e.seq)).toEqual([k3.seq]);
    expect((await q.page({ namespace: 'r', fromSeq: h.seq + 1 })).events.map((e) => e.seq)).toEqual([k3.seq]);
    // A continue token from before the compaction has expired.
    await expect(q.page({ namespace: 'r' }, { continue: oldToken })).rejects.toBeInstanceOf(ExpiredError);

    // The append-only trigger still protects what is above the horizon.
    await expect(pool.query('DELETE FROM events WHERE seq = $1', [k3.seq])).rejects.toThrow(/append-only/);
  });

  it('compacts by age with the stricter of two limits', async () => {
    const pool = poolOf(store.dataSource);
    const e = await store.log.append(createOp(aConfigMap('aged', {}, 'r2')));
    const later = new Date(e.time.getTime() + 3_600_000);
    const byAge = new Retention(pool, { maxAgeMs: 60_000, maxEvents: 1_000_000 }, { now: () => later });
    expect((await byAge.targetHorizon()).target).toBe((await q.bounds()).seq);
    const notYet = new Retention(pool, { maxAgeMs: 2 * 3_600_000 }, { now: () => later });
    expect((await notYet.targetHorizon()).target).toBe((await q.bounds()).horizon);
  });

  it('lets one process compact at a time', async () => {
    const pool = poolOf(store.dataSource);
    for (let i = 0; i < 5; i++) await store.log.append(createOp(aConfigMap(`c-${i}`, {}, 'r3')));
    const r = new Retention(pool, { maxEvents: 2 });
    const other = await pool.connect();
    try {
      await other.query('SELECT pg_advisory_lock(7355609)');
      expect(await r.compact()).toBeNull();
      await other.query('SELECT pg_advisory_unlock(7355609)');
    } finally {
      other.release();
    }
    expect(await r.compact()).not.toBeNull();
  });

  it('runs compaction in the background from the environment\'s policy', async () => {
    const pool = poolOf(store.dataSource);
    expect(RetentionRunner.fromEnv(pool, {})).toBeUndefined();
    for (let i = 0; i < 3; i++) await store.log.append(createOp(aConfigMap(`bg-${i}`, {}, 'r4')));
    const logged: string[] = [];
    const runner = RetentionRunner.fromEnv(pool, { LOGBOOK_RETENTION_MAX_EVENTS: '1', LOGBOOK_RETENTION_INTERVAL: '1h' }, (m) => logged.push(m))!;
    runner.start();
    await eventually(() => logged.length > 0);
    await runner.stop();
    expect(logged[0]).toMatch(/^compacted \d+ events up to seq \d+/);
    expect((await q.bounds()).horizon).toBe((await q.bounds()).seq - 1);
  });
});
