import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import { Pool } from 'pg';
import { poolOf } from './data-source';
import { EventStore } from './event-store';
import { SecretCodec } from './secret-codec';
import { reencryptSecrets } from './secret-reencryption';
import { createTestDatabase, TestDatabase } from './testing';
import { alice } from './testing/builders';

const secrets = { group: '', version: 'v1', resource: 'secrets', kind: 'Secret' };
const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (name: string, value: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, type: 'Opaque', data: { value: b64(value) } });

/** What `psql` finds: the number of rows of `table` whose Secret payload the key `keyId` sealed. */
function psqlCount(url: string, table: 'events' | 'resources', where: string): number {
  const sql = `SELECT count(*) FROM ${table} WHERE api_group = '' AND resource = 'secrets' AND ${where}`;
  return Number(execFileSync('psql', [url, '-Atc', sql], { encoding: 'utf8' }).trim());
}
const sealedWith = (keyId: string) => `object -> 'logbook.io/encrypted' ->> 'keyId' = '${keyId}'`;

describe('re-encrypting Secrets to a new key', () => {
  let db: TestDatabase;
  const old = { id: 'old', key: randomBytes(32) };
  const next = { id: 'new', key: randomBytes(32) };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('seals every payload in events and resources with the new key while a server writes, readable throughout; the old key can then go', async () => {
    // Before the rotation: a server with the old key only writes 30 Secrets, with history, one deleted, one in plaintext (encryption off).
    const plain = await EventStore.open({ databaseUrl: db.url });
    await plain.log.append({ type: 'create', resourceType: secrets, object: secret('legacy', 'plain-0'), provenance: alice });
    await plain.close();
    const before = await EventStore.open({ databaseUrl: db.url, codec: new SecretCodec([old]) });
    for (let i = 0; i < 30; i++) await before.log.append({ type: 'create', resourceType: secrets, object: secret(`s${i}`, `v${i}-0`), provenance: alice });
    for (let i = 0; i < 30; i += 3) {
      const cur = (await before.log.get(secrets, 'default', `s${i}`))!.object;
      await before.log.append({ type: 'update', resourceType: secrets, object: { ...cur, data: { value: b64(`v${i}-1`) } }, provenance: alice });
    }
    await before.log.append({ type: 'delete', resourceType: secrets, namespace: 'default', name: 's29', provenance: alice });
    await before.close();
    const oldEvents = psqlCount(db.url, 'events', sealedWith('old'));
    expect(oldEvents).toBe(30 + 10 + 1);

    // The servers restart with the new key first: new writes are sealed with it, old rows still open.
    const codec = new SecretCodec([next, old]);
    const server = await EventStore.open({ databaseUrl: db.url, codec });
    const projectionBefore = await server.projection.checksum();
    try {
      const pool = poolOf(server.dataSource);
      // Re-encrypting in batches of 4 while the server keeps updating Secrets and reading all of them.
      let writing = true;
      let reads = 0;
      const writer = (async () => {
        for (let round = 2; writing; round++) {
          for (const i of [1, 4, 7]) {
            const cur = (await server.log.get(secrets, 'default', `s${i}`))!.object;
            await server.log.append({ type: 'update', resourceType: secrets, object: { ...cur, data: { value: b64(`v${i}-${round}`) } }, provenance: alice });
          }
        }
      })();
      const reader = (async () => {
        while (writing) {
          const list = await server.log.list(secrets, { namespace: 'default' });
          expect(list.items).toHaveLength(30);
          for (const s of list.items) expect(Buffer.from((s.data as { value: string }).value, 'base64').toString()).toMatch(/^(v\d+-\d+|plain-0)$/);
          reads++;
        }
      })();
      const batches: number[] = [];
      const done = await reencryptSecrets(pool, codec, { batchSize: 4, onBatch: (p) => batches.push(p.events) });
      writing = false;
      await Promise.all([writer, reader]);
      expect(reads).toBeGreaterThan(0);
      expect(batches.length).toBeGreaterThan(5);
      expect(done.events).toBe(oldEvents + 1); // and the plaintext one
      expect(psqlCount(db.url, 'events', sealedWith('old'))).toBe(0);
      expect(psqlCount(db.url, 'resources', sealedWith('old'))).toBe(0);
      expect(psqlCount(db.url, 'events', `NOT object ? 'logbook.io/encrypted'`)).toBe(0);
      expect(psqlCount(db.url, 'resources', `NOT object ? 'logbook.io/encrypted'`)).toBe(0);
      const raw = execFileSync('psql', [db.url, '-Atc', `SELECT object::text FROM events UNION ALL SELECT object::text FROM resources`], { encoding: 'utf8' });
      expect(raw).not.toContain(b64('plain-0'));
      expect(raw).not.toContain(b64('v0-0'));
      // Again: nothing left to do.
      expect(await reencryptSecrets(pool, codec)).toEqual({ events: 0, resources: 0 });
    } finally {
      await server.close();
    }

    // The old key removed: every current object and every past version still opens; the projection is still what the log rebuilds.
    const after = await EventStore.open({ databaseUrl: db.url, codec: new SecretCodec([next]) });
    try {
      expect(Buffer.from(((await after.log.get(secrets, 'default', 's0'))!.object.data as { value: string }).value, 'base64').toString()).toBe('v0-1');
      expect(Buffer.from(((await after.log.get(secrets, 'default', 'legacy'))!.object.data as { value: string }).value, 'base64').toString()).toBe('plain-0');
      expect(await after.log.get(secrets, 'default', 's29')).toBeNull();
      const history = await after.log.history({ resource: 'secrets', name: 's3' });
      expect(history.map((e) => Buffer.from((e.object.data as { value: string }).value, 'base64').toString())).toEqual(['v3-0', 'v3-1']);
      const deleted = await after.log.history({ resource: 'secrets', name: 's29' });
      expect(deleted.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
      expect(deleted[1].object.data).toEqual({ value: b64('v29-0') });
      const projection = await after.projection.checksum();
      await after.projection.rebuild();
      expect(await after.projection.checksum()).toEqual(projection);
      expect(projection.rows).toBe(projectionBefore.rows);
    } finally {
      await after.close();
    }
  });

  it('keeps every other UPDATE of events refused, with or without the re-encryption setting', async () => {
    const store = await EventStore.open({ databaseUrl: db.url, codec: new SecretCodec([next]) });
    const pool: Pool = poolOf(store.dataSource);
    try {
      const e = await store.log.append({ type: 'create', resourceType: secrets, object: secret('guarded', 'x'), provenance: alice });
      const cm = await store.log.append({
        type: 'create',
        resourceType: { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap' },
        object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' }, data: { a: 'b' } },
        provenance: alice,
      });
      const inReencryption = async (sql: string, params: unknown[]) => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await client.query(`SET LOCAL logbook.reencrypt = 'on'`);
          await client.query(sql, params);
        } finally {
          await client.query('ROLLBACK');
          client.release();
        }
      };
      // Without the setting, even a pure re-seal is refused.
      await expect(pool.query(`UPDATE events SET object = object WHERE seq = $1`, [e.seq])).rejects.toThrow('events is append-only');
      // With it: not another column, not the metadata, not another kind.
      await expect(inReencryption(`UPDATE events SET actor = 'mallory' WHERE seq = $1`, [e.seq])).rejects.toThrow('events is append-only');
      await expect(inReencryption(`UPDATE events SET object = jsonb_set(object, '{metadata,name}', '"other"') WHERE seq = $1`, [e.seq])).rejects.toThrow('events is append-only');
      await expect(inReencryption(`UPDATE events SET object = object - 'logbook.io/encrypted' WHERE seq = $1`, [e.seq])).rejects.toThrow('events is append-only');
      await expect(inReencryption(`UPDATE events SET object = object WHERE seq = $1`, [cm.seq])).rejects.toThrow('events is append-only');
      await expect(inReencryption(`UPDATE events SET object = object WHERE seq = $1`, [e.seq])).resolves.toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
