import { randomBytes } from 'crypto';
import { Pool } from 'pg';
import { EventStore } from './event-store';
import { SecretCodec } from './secret-codec';
import { createTestDatabase, TestDatabase } from './testing';
import { alice } from './testing/builders';

const secrets = { group: '', version: 'v1', resource: 'secrets', kind: 'Secret' };
const PLAIN = 'correct-horse-battery-staple';

describe('Secrets at rest', () => {
  let db: TestDatabase;
  let store: EventStore;
  const key1 = { id: 'k1', key: randomBytes(32) };
  beforeAll(async () => {
    db = await createTestDatabase();
    store = await EventStore.open({ databaseUrl: db.url, codec: new SecretCodec([key1]) });
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('never stores Secret data in plaintext, in events or in resources, and reads it back', async () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db-password', namespace: 'default', labels: { app: 'db' } },
      type: 'Opaque',
      data: { password: Buffer.from(PLAIN).toString('base64') },
      stringData: { raw: PLAIN },
    };
    const created = await store.log.append({ type: 'create', resourceType: secrets, object: secret, provenance: alice });
    expect(created.object.data).toEqual(secret.data);
    const pool = (store.dataSource.driver as unknown as { master: Pool }).master;
    const raw = await pool.query(`SELECT object::text AS o FROM events UNION ALL SELECT object::text FROM resources`);
    expect(raw.rows).toHaveLength(2);
    for (const { o } of raw.rows) {
      expect(o).not.toContain(PLAIN);
      expect(o).not.toContain(Buffer.from(PLAIN).toString('base64'));
      expect(o).toContain('db-password'); // metadata stays queryable
    }
    const got = await store.log.get(secrets, 'default', 'db-password');
    expect(got!.object).toMatchObject({ data: secret.data, stringData: secret.stringData, type: 'Opaque' });
    const [history] = await store.log.history({ resource: 'secrets', name: 'db-password' });
    expect(history.object.data).toEqual(secret.data);
    // rebuild copies ciphertext, and the projection still opens
    await store.projection.rebuild();
    expect((await store.log.get(secrets, 'default', 'db-password'))!.object.data).toEqual(secret.data);
  });

  it('reads rows sealed with an older key after rotation, and refuses a missing key', async () => {
    await store.log.append({ type: 'create', resourceType: secrets, object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'old', namespace: 'default' }, data: { a: 'YQ==' } }, provenance: alice });
    const rotated = await EventStore.open({ databaseUrl: db.url, codec: new SecretCodec([{ id: 'k2', key: randomBytes(32) }, key1]) });
    try {
      expect((await rotated.log.get(secrets, 'default', 'old'))!.object.data).toEqual({ a: 'YQ==' });
    } finally {
      await rotated.close();
    }
    const keyless = await EventStore.open({ databaseUrl: db.url, codec: new SecretCodec([{ id: 'other', key: randomBytes(32) }]) });
    try {
      await expect(keyless.log.get(secrets, 'default', 'old')).rejects.toThrow('sealed with key "k1"');
    } finally {
      await keyless.close();
    }
  });

  it('leaves other kinds alone', async () => {
    const cm = await store.log.append({ type: 'create', resourceType: { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap' }, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain', namespace: 'default' }, data: { a: PLAIN } }, provenance: alice });
    const pool = (store.dataSource.driver as unknown as { master: Pool }).master;
    const raw = await pool.query(`SELECT object->'data'->>'a' AS a FROM events WHERE seq = $1`, [cm.seq]);
    expect(raw.rows[0].a).toBe(PLAIN);
  });
});
