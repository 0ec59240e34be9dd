import { Client } from 'pg';
import { EventStore } from './event-store';
import { AlreadyExistsError, ConflictError, InvalidObjectError, NotFoundError, ObjectTooLargeError } from './errors';
import { createTestDatabase, TestDatabase } from './testing';
import { StoredEvent } from './types';
import { aConfigMap, alice, configMaps, createOp, deleteOp, updateOp } from './testing/builders';

describe('EventLog against Postgres', () => {
  let db: TestDatabase;
  let store: EventStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = await EventStore.open({ databaseUrl: db.url });
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('records create, update and delete as events and keeps the projection current', async () => {
    const created = await store.log.append(createOp(aConfigMap('cm-life', { a: '1' })));
    expect(created.type).toBe('ADDED');
    expect(created.object.metadata.resourceVersion).toBe(String(created.seq));
    expect(created.object.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.prevSeq).toBeNull();

    const got = await store.log.get(configMaps, 'default', 'cm-life');
    expect(got).toEqual({ resourceVersion: created.seq, object: created.object });

    const changed = { ...created.object, data: { a: '2' } };
    const updated = await store.log.append(updateOp(changed, String(created.seq)));
    expect(updated.type).toBe('MODIFIED');
    expect(updated.prevSeq).toBe(created.seq);
    expect((await store.log.get(configMaps, 'default', 'cm-life'))!.object.data).toEqual({ a: '2' });

    const deleted = await store.log.append(deleteOp('cm-life'));
    expect(deleted.type).toBe('DELETED');
    expect(deleted.object.data).toEqual({ a: '2' });
    expect(await store.log.get(configMaps, 'default', 'cm-life')).toBeNull();

    const history = await store.log.history({ resource: 'configmaps', namespace: 'default', name: 'cm-life' });
    expect(history.map((e) => [e.type, e.provenance.verb, e.provenance.actor.user])).toEqual([
      ['ADDED', 'create', 'alice'],
      ['MODIFIED', 'update', 'alice'],
      ['DELETED', 'delete', 'alice'],
    ]);
  });

  it('refuses to create a name that exists, and to change or delete one that does not', async () => {
    await store.log.append(createOp(aConfigMap('cm-dup')));
    await expect(store.log.append(createOp(aConfigMap('cm-dup')))).rejects.toBeInstanceOf(AlreadyExistsError);
    await expect(store.log.append(updateOp(aConfigMap('cm-none')))).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.log.append(deleteOp('cm-none'))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('finds objects whose names need quoting (the state read inlines them as literals)', async () => {
    // The store itself accepts any name; the API validates names before they get here.
    for (const name of [`it's`, 'back\\slash', 'quote"d', "'; DROP TABLE events; --", 'ünï cödé']) {
      const created = await store.log.append(createOp(aConfigMap(name, { v: '1' })));
      await expect(store.log.append(createOp(aConfigMap(name)))).rejects.toBeInstanceOf(AlreadyExistsError);
      const updated = await store.log.append(updateOp({ ...created.object, data: { v: '2' } }, String(created.seq)));
      expect(updated.prevSeq).toBe(created.seq);
      const deleted = await store.log.append(deleteOp(name));
      expect([deleted.type, deleted.prevSeq, deleted.object.data]).toEqual(['DELETED', updated.seq, { v: '2' }]);
      expect(await store.log.get(configMaps, 'default', name)).toBeNull();
    }
  });

  it('checks resourceVersion and uid preconditions', async () => {
    const v1 = await store.log.append(createOp(aConfigMap('cm-pre')));
    await store.log.append(updateOp({ ...v1.object, data: { b: '1' } }, String(v1.seq)));
    await expect(store.log.append(updateOp({ ...v1.object, data: { c: '1' } }, String(v1.seq)))).rejects.toThrow(
      'the object has been modified',
    );
    await expect(
      store.log.append({ ...deleteOp('cm-pre'), preconditions: { uid: 'not-the-uid' } } as never),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await store.log.get(configMaps, 'default', 'cm-pre'))!.object.data).toEqual({ b: '1' });
  });

  it('lets exactly one of 20 racers with the same resourceVersion win', async () => {
    const base = await store.log.append(createOp(aConfigMap('cm-race', { n: '0' })));
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        store.log.append(updateOp({ ...base.object, data: { n: String(i + 1) } }, String(base.seq))),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    lost.forEach((r) => expect(r.reason).toBeInstanceOf(ConflictError));
    const history = await store.log.history({ resource: 'configmaps', name: 'cm-race' });
    expect(history.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']);
    const winner = (won[0] as PromiseFulfilledResult<StoredEvent>).value.object.data;
    expect((await store.log.get(configMaps, 'default', 'cm-race'))!.object.data).toEqual(winner);
  });

  it('appends several changes atomically or not at all', async () => {
    await store.log.append(createOp(aConfigMap('cm-atomic-existing')));
    const before = await store.log.head();
    await expect(
      store.log.appendAll([createOp(aConfigMap('cm-atomic-new')), createOp(aConfigMap('cm-atomic-existing'))]),
    ).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(await store.log.head()).toEqual(before);
    expect(await store.log.get(configMaps, 'default', 'cm-atomic-new')).toBeNull();

    const [a, b] = await store.log.appendAll([createOp(aConfigMap('cm-atomic-a')), createOp(aConfigMap('cm-atomic-b'))]);
    expect(b.seq).toBe(a.seq + 1);
  });

  it('gives bad input a clear error and writes nothing', async () => {
    const before = await store.log.head();
    const cyclic = aConfigMap('cm-cycle') as Record<string, unknown>;
    cyclic.self = cyclic;
    await expect(store.log.append(createOp(cyclic as never))).rejects.toThrow('cycle');
    await expect(store.log.append(createOp({ ...aConfigMap('cm-big'), n: BigInt(1) } as never))).rejects.toThrow(
      'bigint is not JSON-serialisable',
    );
    await expect(store.log.append(createOp({ ...aConfigMap('cm-fn'), f: () => 1 } as never))).rejects.toThrow(
      InvalidObjectError,
    );
    await expect(store.log.append(createOp({ ...aConfigMap('cm-nan'), n: NaN } as never))).rejects.toThrow(
      'NaN is not a JSON number',
    );
    await expect(store.log.append(createOp({ ...aConfigMap('cm-date'), d: new Date() } as never))).rejects.toThrow(
      'Date object is not plain JSON',
    );
    await expect(store.log.append(createOp(aConfigMap('cm-nul', { a: 'x\u0000y' })))).rejects.toThrow('NUL');
    await expect(store.log.append(createOp({ metadata: { namespace: 'default' } }))).rejects.toThrow(
      'metadata.name: Required value',
    );
    await expect(store.log.append(createOp({ kind: 'ConfigMap' } as never))).rejects.toThrow(InvalidObjectError);
    const tenMegabytes = aConfigMap('cm-huge', { blob: 'x'.repeat(10 * 1024 * 1024) });
    await expect(store.log.append(createOp(tenMegabytes))).rejects.toBeInstanceOf(ObjectTooLargeError);
    expect(await store.log.head()).toEqual(before);
    expect(await store.log.get(configMaps, 'default', 'cm-huge')).toBeNull();
  });

  it('keeps good appends of a batch when another in it is refused', async () => {
    const results = await Promise.allSettled([
      store.log.append(createOp(aConfigMap('cm-batch-1'))),
      store.log.append(createOp(aConfigMap('cm-batch-1'))),
      store.log.append(createOp(aConfigMap('cm-batch-2'))),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(await store.log.get(configMaps, 'default', 'cm-batch-2')).not.toBeNull();
  });

  it('keeps good appends of a batch when Postgres refuses the write of another (the pipelined COMMIT rolls back, then each unit goes alone)', async () => {
    const before = (await store.log.head()).seq;
    // JSON.stringify writes a lone surrogate as the escape \ud800, which jsonb refuses:
    // the batch's write statement fails inside Postgres, not in the planning.
    const results = await Promise.allSettled([
      store.log.append(createOp(aConfigMap('cm-pg-ok-1'))),
      store.log.append(createOp(aConfigMap('cm-pg-bad', { a: 'x\ud800y' }))),
      store.log.append(createOp(aConfigMap('cm-pg-ok-2'))),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(InvalidObjectError);
    expect(await store.log.get(configMaps, 'default', 'cm-pg-bad')).toBeNull();
    // Exactly the two good events were committed, with consecutive seqs after the head.
    const seqs = results.filter((r): r is PromiseFulfilledResult<StoredEvent> => r.status === 'fulfilled').map((r) => r.value.seq);
    expect(seqs.sort((a, b) => a - b)).toEqual([before + 1, before + 2]);
    expect((await store.log.head()).seq).toBe(before + 2);
    // The writer connection is usable afterwards.
    await expect(store.log.append(createOp(aConfigMap('cm-pg-after')))).resolves.toMatchObject({ seq: before + 3 });
  });

  it('opens a new writer connection when its idle one was terminated (a Postgres restart), without failing an append', async () => {
    await store.log.append(createOp(aConfigMap('cm-writer-before')));
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    try {
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE '%-writer'`,
      );
      expect(killed.rowCount).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    // The terminated connection hears of it (FATAL 57P01) and leaves the spares.
    await new Promise((r) => setTimeout(r, 300));
    await expect(store.log.append(createOp(aConfigMap('cm-writer-after')))).resolves.toMatchObject({ type: 'ADDED' });
  });

  it('lists a consistent snapshot page by page, even while objects change', async () => {
    const ns = 'listing';
    for (let i = 0; i < 25; i++) await store.log.append(createOp(aConfigMap(`item-${String(i).padStart(2, '0')}`, {}, ns)));
    const page1 = await store.log.list(configMaps, { namespace: ns, limit: 10 });
    expect(page1.items.map((o) => o.metadata.name)).toEqual(Array.from({ length: 10 }, (_, i) => `item-${String(i).padStart(2, '0')}`));
    expect(page1.continue).toBeDefined();

    // Changes after the first page must not show in the later pages.
    await store.log.append(deleteOp('item-15', ns));
    await store.log.append(createOp(aConfigMap('item-99', {}, ns)));
    const page2 = await store.log.list(configMaps, { namespace: ns, limit: 10, continue: page1.continue });
    const page3 = await store.log.list(configMaps, { namespace: ns, limit: 10, continue: page2.continue });
    expect(page2.resourceVersion).toBe(page1.resourceVersion);
    expect(page3.continue).toBeUndefined();
    const names = [...page1.items, ...page2.items, ...page3.items].map((o) => o.metadata.name);
    expect(names).toHaveLength(25);
    expect(names).toContain('item-15');
    expect(names).not.toContain('item-99');

    const now = await store.log.list(configMaps, { namespace: ns });
    expect(now.items.map((o) => o.metadata.name)).toContain('item-99');
    expect(now.items.map((o) => o.metadata.name)).not.toContain('item-15');
    expect(now.resourceVersion).toBeGreaterThan(page1.resourceVersion);
  });

  it('filters lists and still fills the page', async () => {
    const ns = 'filtered';
    for (let i = 0; i < 30; i++) await store.log.append(createOp(aConfigMap(`f-${String(i).padStart(2, '0')}`, { even: String(i % 2 === 0) }, ns)));
    const even = (o: { data?: unknown }) => (o.data as Record<string, string>).even === 'true';
    const page = await store.log.list(configMaps, { namespace: ns, limit: 4, filter: even as never });
    expect(page.items.map((o) => o.metadata.name)).toEqual(['f-00', 'f-02', 'f-04', 'f-06']);
    const rest = await store.log.list(configMaps, { namespace: ns, continue: page.continue, filter: even as never });
    expect(rest.items).toHaveLength(11);
  });

  it('reads as of a resourceVersion with more digits than the version it must skip (numeric, not text, order)', async () => {
    let cur = await store.log.append(createOp(aConfigMap('cm-digits', { n: '0' }, 'travel')));
    const first = cur.seq;
    // Update until the seq gains a digit: as text, '9' sorts after '10'.
    while (String(cur.seq).length === String(first).length) {
      cur = await store.log.append(updateOp({ ...cur.object, data: { n: String(cur.seq) } }, String(cur.seq)));
    }
    const asOf = await store.log.getAsOf(configMaps, 'travel', 'cm-digits', cur.seq);
    expect(asOf!.resourceVersion).toBe(cur.seq);
    await store.log.append(deleteOp('cm-digits', 'travel'));
  });

  it('reads an object and a list as of an older resourceVersion', async () => {
    const v1 = await store.log.append(createOp(aConfigMap('cm-travel', { v: '1' }, 'travel')));
    const v2 = await store.log.append(updateOp({ ...v1.object, data: { v: '2' } }, String(v1.seq)));
    await store.log.append(deleteOp('cm-travel', 'travel'));
    expect((await store.log.getAsOf(configMaps, 'travel', 'cm-travel', v1.seq))!.object.data).toEqual({ v: '1' });
    expect((await store.log.getAsOf(configMaps, 'travel', 'cm-travel', v2.seq))!.object.data).toEqual({ v: '2' });
    expect(await store.log.getAsOf(configMaps, 'travel', 'cm-travel', v1.seq - 1)).toBeNull();
    const then = await store.log.list(configMaps, { namespace: 'travel', resourceVersion: v2.seq });
    expect(then.items.map((o) => o.data)).toEqual([{ v: '2' }]);
    expect((await store.log.list(configMaps, { namespace: 'travel' })).items).toEqual([]);
  });

  it('lists as of an older resourceVersion across namespaces, page by page, skipping objects deleted or not yet created then', async () => {
    // Names interleave across two namespaces; some die before rv, some are born after it,
    // some change after it: pages must hold exactly the objects alive at rv, in their state then.
    const v1 = new Map<string, unknown>();
    for (const ns of ['past-a', 'past-b']) {
      for (const n of ['a', 'b', 'c', 'd', 'e', 'f']) {
        const e = await store.log.append(createOp(aConfigMap(n, { at: 'rv' }, ns)));
        v1.set(`${ns}/${n}`, e.object.data);
      }
    }
    for (const key of ['past-a/a', 'past-a/b', 'past-a/c', 'past-b/e']) {
      const [ns, n] = key.split('/');
      await store.log.append(deleteOp(n, ns));
      v1.delete(key);
    }
    const rv = (await store.log.head()).seq;
    await store.log.append(createOp(aConfigMap('bb', {}, 'past-a')));
    await store.log.append(createOp(aConfigMap('a', { reborn: 'yes' }, 'past-a')));
    const d = (await store.log.get(configMaps, 'past-b', 'd'))!;
    await store.log.append(updateOp({ ...d.object, data: { at: 'later' } }, String(d.resourceVersion)));

    const seen: string[] = [];
    let page = await store.log.list(configMaps, { resourceVersion: rv, limit: 2 });
    for (;;) {
      expect(page.resourceVersion).toBe(rv);
      expect(page.items.length).toBeLessThanOrEqual(2);
      for (const o of page.items) {
        if (!o.metadata.namespace!.startsWith('past-')) continue;
        seen.push(`${o.metadata.namespace}/${o.metadata.name}`);
        expect(o.data).toEqual(v1.get(`${o.metadata.namespace}/${o.metadata.name}`));
      }
      if (!page.continue) break;
      page = await store.log.list(configMaps, { limit: 2, continue: page.continue });
    }
    expect(seen).toEqual([...v1.keys()].sort());
    const inB = await store.log.list(configMaps, { namespace: 'past-b', resourceVersion: rv });
    expect(inB.items.map((o) => o.metadata.name)).toEqual(['a', 'b', 'c', 'd', 'f']);
  });

  it('answers history by uid across re-creation, by actor and by time', async () => {
    const bob = { actor: { user: 'bob' }, verb: 'create' };
    const first = await store.log.append(createOp(aConfigMap('cm-hist', {}, 'hist'), configMaps, bob));
    await store.log.append(deleteOp('cm-hist', 'hist'));
    const second = await store.log.append(createOp(aConfigMap('cm-hist', {}, 'hist'), configMaps, bob));
    expect(second.object.metadata.uid).not.toBe(first.object.metadata.uid);

    const byUid = await store.log.history({ uid: first.object.metadata.uid });
    expect(byUid.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    const byName = await store.log.history({ namespace: 'hist', name: 'cm-hist' });
    expect(byName.map((e) => e.type)).toEqual(['ADDED', 'DELETED', 'ADDED']);
    const byBob = await store.log.history({ actor: 'bob' });
    expect(byBob.map((e) => e.seq)).toEqual([first.seq, second.seq]);
    const inWindow = await store.log.history({ namespace: 'hist', since: first.time, until: new Date(Date.now() + 60_000) });
    expect(inWindow).toHaveLength(3);
    const none = await store.log.history({ namespace: 'hist', until: first.time });
    expect(none).toHaveLength(0);
  });

  it('records provenance: actor, groups, field manager, request id and cause', async () => {
    const cause = await store.log.append(createOp(aConfigMap('cm-cause')));
    const e = await store.log.append(
      createOp(aConfigMap('cm-effect'), configMaps, {
        actor: { user: 'system:serviceaccount:kube-system:rs-controller', uid: 'u-1', groups: ['system:serviceaccounts', 'a "quoted" group', 'comma, back\\slash and {braces}'] },
        verb: 'create',
        fieldManager: 'replicaset-controller',
        userAgent: 'logbook-sdk/0.1',
        requestId: 'req-1',
        causeSeq: cause.seq,
      }),
    );
    const [read] = await store.log.history({ afterSeq: e.seq - 1, untilSeq: e.seq });
    expect(read.provenance).toEqual(e.provenance);
    expect(read.object).toEqual(e.object);
  });

  it('refuses to rewrite the log', async () => {
    const e = await store.log.append(createOp(aConfigMap('cm-immutable')));
    const pool = (store.dataSource.driver as unknown as { master: import('pg').Pool }).master;
    await expect(pool.query(`UPDATE events SET actor = 'mallory' WHERE seq = $1`, [e.seq])).rejects.toThrow('append-only');
    await expect(pool.query(`DELETE FROM events WHERE seq = $1`, [e.seq])).rejects.toThrow('append-only');
  });

  it('is not fooled by a forged resourceVersion in a new object', async () => {
    const e = await store.log.append(createOp({ ...aConfigMap('cm-forged'), metadata: { name: 'cm-forged', namespace: 'default', resourceVersion: '999999' } }));
    expect(e.object.metadata.resourceVersion).toBe(String(e.seq));
    expect((await store.log.get(configMaps, 'default', 'cm-forged'))!.object.metadata.resourceVersion).toBe(String(e.seq));
  });

  it('uses the given actor even for a store-level delete', async () => {
    await store.log.append(createOp(aConfigMap('cm-del-actor')));
    const d = await store.log.append(deleteOp('cm-del-actor', 'default', { actor: { user: 'carol' }, verb: 'delete' }));
    expect(d.provenance.actor.user).toBe('carol');
    expect(alice.actor.user).toBe('alice');
  });
});
