/**
 * The API server under test: the compiled `apps/apiserver` entry point, run
 * as a child process exactly as in production (one replica on DATABASE_URL).
 */
import { ChildProcess, spawn } from 'child_process';
import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { createServer } from 'net';
import { join } from 'path';

/** dist/bench/ → dist/apps/apiserver/src/main.js */
const ENTRY = join(__dirname, '..', 'apps', 'apiserver', 'src', 'main.js');

const CLK_TCK = 100; // Linux USER_HZ; the figures are ratios of ticks to wall time

export interface ApiServerProcess {
  url: string;
  pid: number;
  /** CPU seconds (user + system) the process has used so far; NaN off Linux. */
  cpuSeconds(): number;
  /** The last lines it printed, for error messages. */
  output(): string;
  /** 'running', or how it ended. */
  state(): string;
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

function processCpuSeconds(pid: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/**
 * Starts the compiled API server (or, with `opts.entry`, another compiled
 * entry point such as the all-in-one) on `databaseUrl` and waits for /readyz.
 */
export async function startApiServer(
  databaseUrl: string,
  timeoutMs = 60_000,
  opts: { entry?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ApiServerProcess> {
  const port = await freePort();
  // e.g. BENCH_API_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the server
  // (Node refuses --cpu-prof in NODE_OPTIONS).
  const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, opts.entry ?? ENTRY], {
    // The benchmark speaks plain HTTP to the development port (TLS on its own free port, CA in a temp dir).
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(await freePort()),
      LOGBOOK_INSECURE_PORT: String(port),
      LOGBOOK_PKI_DIR: mkdtempSync(join(tmpdir(), 'logbook-bench-pki-')),
      LOGBOOK_BIND_ADDRESS: '127.0.0.1',
      NO_COLOR: '1',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 32_768) out = out.slice(-16_384);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the API server exited during start-up:\n${out}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the API server was not ready within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    pid: child.pid!,
    cpuSeconds: () => processCpuSeconds(child.pid!),
    output: () => out,
    state: () => (child.exitCode !== null ? `exited with ${child.exitCode}` : child.signalCode !== null ? `killed by ${child.signalCode}` : 'running'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(killed);
    },
  };
}
