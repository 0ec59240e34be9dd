import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface ChildNodeProcess {
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/** Runs a compiled Node entry point. */
export function startNodeProcess(script: string, env: NodeJS.ProcessEnv, cwd: string): ChildNodeProcess {
  const child = spawn(process.execPath, [script], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out += d;
    if (out.length > 1_000_000) out = out.slice(-500_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, output: () => out, exited };
}

/** Stops a process: SIGTERM (graceful) or SIGKILL (a crash); resolves once it has exited. */
export async function stopNodeProcess(proc: ChildNodeProcess, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill(signal);
  await proc.exited;
}

/** Polls `url` until it answers 200; fails early if `proc` exits. */
export async function waitForHttp(url: string, ms: number, proc?: ChildNodeProcess): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    if (proc && proc.child.exitCode !== null) throw new Error(`the process exited early:\n${proc.output()}`);
    if (Date.now() > deadline) throw new Error(`${url} did not come up in ${ms} ms${proc ? `:\n${proc.output()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const APISERVER_ENTRY = path.join('dist', 'apps', 'apiserver', 'src', 'main.js');

/**
 * The compiled apiserver to run: `LOGBOOK_APISERVER_ENTRY`, else
 * `dist/apps/apiserver/src/main.js` in the first directory above this file
 * that has it (the repository root, when run from source or from dist).
 */
export function findApiServerEntry(): { script: string; root: string } {
  const given = process.env.LOGBOOK_APISERVER_ENTRY;
  if (given) return { script: path.resolve(given), root: process.cwd() };
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, APISERVER_ENTRY))) return { script: path.join(dir, APISERVER_ENTRY), root: dir };
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(`cannot find ${APISERVER_ENTRY}: build first (npm run build) or set LOGBOOK_APISERVER_ENTRY`);
}
