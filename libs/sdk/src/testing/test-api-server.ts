import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';
import { KubeClient } from '../client';
import { createTestDatabase, TestDatabase } from './database';
import { ChildNodeProcess, findApiServerEntry, freePort, startNodeProcess, stopNodeProcess, waitForHttp } from './processes';

export interface TestApiServerOptions {
  /** Extra environment for the apiserver process. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for /readyz. Default 60 s. */
  startTimeoutMs?: number;
}

/** Another apiserver process on the same database (as replicas share one Postgres). */
export interface TestApiServerReplica {
  /** The replica's plain-HTTP development port. */
  readonly url: string;
  /** The replica's TLS port, the one it advertises in the `kubernetes` Endpoints. */
  readonly secureUrl: string;
  readonly client: KubeClient;
  stop(): Promise<void>;
}

/**
 * A real Logbook apiserver (the compiled `apps/apiserver`) on its own fresh
 * database: the envtest of Logbook. Stop it in `afterAll`.
 *
 * `url` is the server's plain-HTTP development port (LOGBOOK_INSECURE_PORT),
 * where requests without credentials are the cluster admin — what tests of
 * controllers want. The server also serves TLS on `securePort` with its own
 * cluster CA under `pkiDir` (shared by replicas, so their tokens agree).
 *
 * No controller manager runs beside it, so nothing creates the `default`
 * ServiceAccount of a namespace: the server runs with the ServiceAccount
 * admission plugin disabled (`LOGBOOK_DISABLE_ADMISSION_PLUGINS`, kube's
 * `--disable-admission-plugins`), as pods would otherwise be refused. Pass
 * `env: { LOGBOOK_DISABLE_ADMISSION_PLUGINS: '' }` to have it, and run the
 * service account controller.
 */
export class TestApiServer {
  private constructor(
    readonly port: number,
    readonly securePort: number,
    readonly pkiDir: string,
    private readonly db: TestDatabase,
    private proc: ChildNodeProcess | undefined,
    private readonly opts: TestApiServerOptions,
    private readonly replicas: Set<TestApiServerReplica>,
  ) {
    this.client = new KubeClient({ server: this.url });
  }

  /** A client for the local admin (no credentials, on the development port). */
  readonly client: KubeClient;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The TLS port, as clients outside tests reach the server. */
  get secureUrl(): string {
    return `https://127.0.0.1:${this.securePort}`;
  }

  /** The cluster CA certificate (PEM) that signs the serving certificate and client certificates. */
  caCert(): string {
    return fs.readFileSync(path.join(this.pkiDir, 'ca.crt'), 'utf8');
  }

  /** The database the server keeps its log in. */
  get databaseUrl(): string {
    return this.db.url;
  }

  /** What the server process has printed (for failing tests). */
  output(): string {
    return this.proc?.output() ?? '';
  }

  static async start(opts: TestApiServerOptions = {}): Promise<TestApiServer> {
    const db = await createTestDatabase();
    try {
      const pkiDir = fs.mkdtempSync(path.join(os.tmpdir(), 'logbook-pki-'));
      const server = new TestApiServer(await freePort(), await freePort(), pkiDir, db, undefined, opts, new Set());
      await server.startProcess();
      return server;
    } catch (err) {
      await db.drop();
      throw err;
    }
  }

  /** Starts the server process (again) on the same database and port. */
  async startProcess(): Promise<void> {
    if (this.proc && this.proc.child.exitCode === null && this.proc.child.signalCode === null) throw new Error('the apiserver is running');
    this.proc = await spawnApiServer(this.port, this.securePort, this.pkiDir, this.db.url, this.opts);
  }

  /** Stops the server process, gracefully or (`kill`) as a crash; the database stays. */
  async stopProcess(opts: { kill?: boolean } = {}): Promise<void> {
    if (this.proc) await stopNodeProcess(this.proc, opts.kill ? 'SIGKILL' : 'SIGTERM');
  }

  async restart(opts: { kill?: boolean } = {}): Promise<void> {
    await this.stopProcess(opts);
    await this.startProcess();
  }

  /** Starts another apiserver process on the same database, on its own port. */
  async startReplica(): Promise<TestApiServerReplica> {
    const port = await freePort();
    const securePort = await freePort();
    const proc = await spawnApiServer(port, securePort, this.pkiDir, this.db.url, this.opts);
    const url = `http://127.0.0.1:${port}`;
    const replica: TestApiServerReplica = {
      url,
      secureUrl: `https://127.0.0.1:${securePort}`,
      client: new KubeClient({ server: url }),
      stop: async () => {
        this.replicas.delete(replica);
        await stopNodeProcess(proc);
      },
    };
    this.replicas.add(replica);
    return replica;
  }

  /**
   * Simulates compaction: every resourceVersion up to now falls below the
   * log's retention horizon, so a watch resuming from one of them gets 410
   * Expired (once the server no longer holds it in memory) and must relist.
   * Returns the new horizon. Test-only: it writes the event store's
   * `log_head` row directly.
   */
  async expireHistory(): Promise<string> {
    const pg = new Client({ connectionString: this.db.url });
    await pg.connect();
    try {
      const res = await pg.query<{ horizon: string }>('UPDATE log_head SET horizon = seq WHERE id = 1 RETURNING horizon::text AS horizon');
      return res.rows[0].horizon;
    } finally {
      await pg.end();
    }
  }

  /** Stops every process and drops the database. */
  async stop(): Promise<void> {
    for (const r of [...this.replicas]) await r.stop();
    await this.stopProcess();
    await this.db.drop();
    fs.rmSync(this.pkiDir, { recursive: true, force: true });
  }
}

async function spawnApiServer(port: number, securePort: number, pkiDir: string, databaseUrl: string, opts: TestApiServerOptions): Promise<ChildNodeProcess> {
  const { script, root } = findApiServerEntry();
  const env = {
    DATABASE_URL: databaseUrl,
    PORT: String(securePort),
    LOGBOOK_INSECURE_PORT: String(port),
    LOGBOOK_PKI_DIR: pkiDir,
    LOGBOOK_BIND_ADDRESS: '127.0.0.1',
    // No controller manager creates `default` service accounts here (see TestApiServer).
    LOGBOOK_DISABLE_ADMISSION_PLUGINS: 'ServiceAccount',
  };
  const proc = startNodeProcess(script, { ...env, ...opts.env }, root);
  try {
    await waitForHttp(`http://127.0.0.1:${port}/readyz`, opts.startTimeoutMs ?? 60_000, proc);
  } catch (err) {
    await stopNodeProcess(proc, 'SIGKILL');
    throw err;
  }
  return proc;
}

/** Starts a real apiserver on a fresh database: `{ url, client, stop() }` and more (see TestApiServer). */
export function startTestApiServer(opts: TestApiServerOptions = {}): Promise<TestApiServer> {
  return TestApiServer.start(opts);
}
