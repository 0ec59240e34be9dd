import { Pool } from 'pg';
import { firstValueFrom, Subscription, toArray, take } from 'rxjs';
import { EventLog } from './event-log';
import { EventStore } from './event-store';
import { poolOf } from './data-source';
import { ExpiredError, WatchTooSlowError } from './errors';
import { createTestDatabase, TestDatabase } from './testing';
import { aConfigMap, createOp, eventually, updateOp } from './testing/builders';
import { StoredEvent } from './types';

describe('ordered tail and watch cache', () => {
  let db: TestDatabase;
  let observer: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    observer = await EventStore.open({ databaseUrl: db.url, watchCache: { capacity: 100 } });
  });
  afterAll(async () => {
    await observer.close();
    await db.drop();
  });

  it('delivers every seq exactly once, in order, with 16 concurrent writers x 500 appends', async () => {
    // Each writer has its own pool and group commit, as separate processes
    // would, so their transactions really race to commit.
    const pools = Array.from({ length: 16 }, () => new Pool({ connectionString: db.url, max: 2 }));
    const writers = pools.map((p) => new EventLog(p, { groupCommit: { writers: 2 } }));
    const start = observer.tail.lastSeq;
    const seen: number[] = [];
    const sub = observer.tail.events$.subscribe((e) => seen.push(e.seq));
    try {
      await Promise.all(
        writers.map(async (log, w) => {
          for (let i = 0; i < 500; i += 10) {
            // ten in flight per writer at a time
            await Promise.all(
              Array.from({ length: 10 }, (_, j) => log.append(createOp(aConfigMap(`w${w}-${i + j}`, {}, 'race')))),
            );
          }
        }),
      );
      await eventually(() => seen.length >= 8000, 30_000, '8000 events on the tail');
      expect(seen).toHaveLength(8000);
      expect(seen).toEqual(Array.from({ length: 8000 }, (_, i) => start + i + 1));
      const res = await pools[0].query('SELECT count(*)::int AS n, min(seq)::int AS lo, max(seq)::int AS hi FROM events WHERE seq > $1', [start]);
      expect(res.rows[0]).toEqual({ n: 8000, lo: start + 1, hi: start + 8000 });
    } finally {
      sub.unsubscribe();
      await Promise.all(writers.map((w) => w.close()));
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('resumes a watch from an old resourceVersion with exactly the missed events, then goes live', async () => {
    const first = await observer.log.append(createOp(aConfigMap('resume-0', {}, 'resume')));
    const written: StoredEvent[] = [first];
    for (let i = 1; i < 300; i++) written.push(await observer.log.append(createOp(aConfigMap(`resume-${i}`, {}, 'resume'))));
    // The ring holds 100: a watch from the 50th event must read the log first.
    const from = written[49].seq;
    const got: StoredEvent[] = [];
    const sub = observer.watchCache
      .watch({ group: '', resource: 'configmaps', namespace: 'resume', fromSeq: from })
      .subscribe((e) => got.push(e));
    try {
      for (let i = 300; i < 320; i++) written.push(await observer.log.append(createOp(aConfigMap(`resume-${i}`, {}, 'resume'))));
      await eventually(() => got.length >= 270, 10_000, 'the missed and the live events');
      await new Promise((r) => setTimeout(r, 100));
      expect(got.map((e) => e.seq)).toEqual(written.slice(50).map((e) => e.seq));
    } finally {
      sub.unsubscribe();
    }
  });

  it('filters by resource and namespace on the fan-out', async () => {
    const sub$ = observer.watchCache.watch({ group: '', resource: 'configmaps', namespace: 'only-here', fromSeq: observer.tail.lastSeq });
    const two = firstValueFrom(sub$.pipe(take(2), toArray()));
    await observer.log.append(createOp(aConfigMap('elsewhere', {}, 'not-here')));
    const a = await observer.log.append(createOp(aConfigMap('a', {}, 'only-here')));
    await observer.log.append(createOp({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'only-here' } }, { group: '', version: 'v1', resource: 'pods', kind: 'Pod' }));
    const b = await observer.log.append(updateOp({ ...a.object, data: { x: 'y' } }, String(a.seq)));
    expect((await two).map((e) => e.seq)).toEqual([a.seq, b.seq]);
  });

  it('cuts off a stalled watcher while the others keep receiving', async () => {
    const from = observer.tail.lastSeq;
    let unflushed = 0; // a consumer that never drains, like a socket nobody reads
    let stalledError: unknown;
    const stalled = observer.watchCache
      .watch({ group: '', resource: 'configmaps', namespace: 'slow', fromSeq: from, backlog: () => unflushed, maxBacklog: 50 })
      .subscribe({ next: () => unflushed++, error: (e) => (stalledError = e) });
    const healthy: number[] = [];
    const subs: Subscription[] = [stalled];
    for (let i = 0; i < 3; i++) {
      subs.push(
        observer.watchCache.watch({ group: '', resource: 'configmaps', namespace: 'slow', fromSeq: from }).subscribe(() => healthy.push(i)),
      );
    }
    const watchersBefore = observer.watchCache.size;
    for (let i = 0; i < 100; i++) await observer.log.append(createOp(aConfigMap(`slow-${i}`, {}, 'slow')));
    await eventually(() => healthy.length === 300, 10_000, 'the healthy watchers to get all 100');
    expect(stalledError).toBeInstanceOf(WatchTooSlowError);
    expect(unflushed).toBe(51);
    expect(observer.watchCache.size).toBe(watchersBefore - 1);
    subs.forEach((s) => s.unsubscribe());
  });

  it('answers 410-style Expired below the retention horizon, and only there', async () => {
    const a = await observer.log.append(createOp(aConfigMap('horizon-a', {}, 'horizon')));
    for (let i = 0; i < 150; i++) await observer.log.append(createOp(aConfigMap(`horizon-${i}`, {}, 'horizon')));
    const pool = (observer.dataSource.driver as unknown as { master: Pool }).master;
    await pool.query('UPDATE log_head SET horizon = $1', [a.seq]);
    try {
      const tooOld = observer.watchCache.watch({ group: '', resource: 'configmaps', fromSeq: a.seq - 1 });
      await expect(firstValueFrom(tooOld)).rejects.toBeInstanceOf(ExpiredError);
      const justInside = observer.watchCache.watch({ group: '', resource: 'configmaps', namespace: 'horizon', fromSeq: a.seq });
      const firstEvent = await firstValueFrom(justInside);
      expect(firstEvent.seq).toBe(a.seq + 1);
      await expect(observer.log.list({ group: '', resource: 'configmaps' }, { resourceVersion: a.seq - 1 })).rejects.toBeInstanceOf(ExpiredError);
      // Still in the ring, but below a horizon raised by compaction: expired too.
      const recent = observer.tail.lastSeq - 10;
      await pool.query('UPDATE log_head SET horizon = $1', [recent]);
      const inRing = observer.watchCache.watch({ group: '', resource: 'configmaps', fromSeq: recent - 5 });
      await expect(firstValueFrom(inRing)).rejects.toBeInstanceOf(ExpiredError);
    } finally {
      await pool.query('UPDATE log_head SET horizon = 0');
    }
  });

  it('is woken by another process through LISTEN/NOTIFY without polling', async () => {
    const quiet = await EventStore.open({ databaseUrl: db.url, pollIntervalMs: 60_000 });
    const other = await EventStore.open({ databaseUrl: db.url, pollIntervalMs: 60_000 });
    try {
      const next = firstValueFrom(quiet.watchCache.watch({ group: '', resource: 'configmaps', namespace: 'notify', fromSeq: quiet.tail.lastSeq }));
      const started = Date.now();
      const e = await other.log.append(createOp(aConfigMap('ping', {}, 'notify')));
      expect((await next).seq).toBe(e.seq);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await quiet.close();
      await other.close();
    }
  });

  it("does not read its own process's appends back from the log: they are offered on commit, and their notifications skipped", async () => {
    const store = await EventStore.open({ databaseUrl: db.url, pollIntervalMs: 600_000 });
    try {
      await new Promise((r) => setTimeout(r, 500)); // the reads open() starts are over
      // During appends only the tail uses pool.query (group commit checks out clients).
      const pool = poolOf(store.dataSource);
      let reads = 0;
      const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
      (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => (reads++, query(...args));
      const seen: number[] = [];
      const sub = store.tail.events$.subscribe((e) => seen.push(e.seq));
      let last = 0;
      for (let round = 0; round < 20; round++) {
        const events = await Promise.all(Array.from({ length: 8 }, (_, i) => store.log.append(createOp(aConfigMap(`own-${round}-${i}`, {}, 'own')))));
        last = Math.max(last, ...events.map((e) => e.seq));
      }
      await eventually(() => store.tail.lastSeq >= last);
      // Let the last notifications arrive: none of them may start a read.
      await new Promise((r) => setTimeout(r, 300));
      sub.unsubscribe();
      expect(seen).toHaveLength(160);
      expect(reads).toBe(0);
    } finally {
      await store.close();
    }
  });
});
