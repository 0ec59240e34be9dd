import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '../..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

export interface RunningProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/** Runs a compiled entry point from dist/ (jest's global setup builds it). */
export function startCompiled(entry: string, env: NodeJS.ProcessEnv): RunningProcess {
  const script = path.join(REPO_ROOT, 'dist', entry);
  const child = spawn(process.execPath, [script], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, output: () => out, exited };
}

/** Polls `url` until it answers 200 or `ms` pass. */
export async function waitForHttp(url: string, ms = 60_000, proc?: RunningProcess): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    if (proc && proc.child.exitCode !== null) throw new Error(`process exited early:\n${proc.output()}`);
    if (Date.now() > deadline) throw new Error(`${url} did not come up in ${ms} ms${proc ? `:\n${proc.output()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls `cond` until it holds or `ms` pass (failing with the process's output, if given). */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms = 60_000, proc?: RunningProcess): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (proc && proc.child.exitCode !== null) throw new Error(`process exited early:\n${proc.output()}`);
    if (Date.now() > deadline) throw new Error(`condition not met in ${ms} ms${proc ? `:\n${proc.output()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** PIDs of live postgres server processes whose data directory is `dir`. */
export function postgresProcessesFor(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (path.basename(cmd[0]) === 'postgres' && cmd.includes(dir)) pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/**
 * The environment for a server process that a test talks plain HTTP to on
 * `port`: that is its development port (LOGBOOK_INSECURE_PORT, requests
 * without credentials are the admin), its TLS port is `securePort` (any
 * free one by default; the all-in-one needs a real one, its components
 * connect there), and its cluster CA lives in `pkiDir` (pass the same one
 * to replicas).
 */
export function devPortEnv(port: number, pkiDir: string, securePort = 0): NodeJS.ProcessEnv {
  return { PORT: String(securePort), LOGBOOK_INSECURE_PORT: String(port), LOGBOOK_PKI_DIR: pkiDir };
}
