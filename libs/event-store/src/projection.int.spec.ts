import { Pool } from 'pg';
import { EventStore } from './event-store';
import { createTestDatabase, TestDatabase } from './testing';
import { aConfigMap, configMaps, createOp, deleteOp, pods, updateOp } from './testing/builders';

describe('projection rebuild', () => {
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

  it('reproduces the projection exactly from the log', async () => {
    // A history with creates, updates, deletes and re-creates across kinds and namespaces.
    const live = new Map<string, { object: import('./types').KubeObject; seq: number }>();
    for (let i = 0; i < 200; i++) {
      const ns = `ns-${i % 3}`;
      const name = `obj-${i % 40}`;
      const key = `${ns}/${name}`;
      const cur = live.get(key);
      if (!cur) {
        const e = await store.log.append(createOp(aConfigMap(name, { i: String(i) }, ns)));
        live.set(key, { object: e.object, seq: e.seq });
      } else if (i % 7 === 0) {
        await store.log.append(deleteOp(name, ns));
        live.delete(key);
      } else {
        const e = await store.log.append(updateOp({ ...cur.object, data: { i: String(i), note: 'ünïcødé ✓' } }, String(cur.seq)));
        live.set(key, { object: e.object, seq: e.seq });
      }
    }
    await store.log.append(createOp({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns-0' }, spec: { nested: [{ a: 1.5 }, null] } }, pods));

    const before = await store.projection.checksum();
    expect(before.rows).toBe(live.size + 1);

    const pool = (store.dataSource.driver as unknown as { master: Pool }).master;
    // Damage the cache every way: drop a row, change one, add a stray.
    await pool.query(`DELETE FROM resources WHERE name = 'obj-1' AND namespace = 'ns-1'`);
    await pool.query(`UPDATE resources SET object = '{"metadata":{"name":"x"}}' WHERE name = 'obj-2' AND namespace = 'ns-2'`);
    await pool.query(
      `INSERT INTO resources VALUES ('', 'configmaps', 'ns-9', 'stray', 'v1', 'ConfigMap', 'u', 1, '{"metadata":{"name":"stray"}}')`,
    );
    expect(await store.projection.checksum()).not.toEqual(before);

    const rebuilt = await store.projection.rebuild();
    expect(rebuilt.objects).toBe(live.size + 1);
    expect(await store.projection.checksum()).toEqual(before);
    for (const [key, { object }] of live) {
      const [ns, name] = key.split('/');
      expect((await store.log.get(configMaps, ns, name))!.object).toEqual(object);
    }
  });
});
