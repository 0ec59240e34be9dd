import { spawn } from 'child_process';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import type { Container, Probe } from '@logbook/api';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';

/** Where a probe reaches the container: its pod's IP, and how to run a command in it. */
export interface ProbeTarget {
  podIP: string;
  /** Runs `command` inside the container; resolves with its exit code. */
  exec(command: string[], timeoutMs: number): Promise<number>;
}

export interface ProbeResult {
  ok: boolean;
  message?: string;
}

/** A named or numbered port of the container (probes may use the port's name). */
export function resolvePort(container: Container, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/** One check of a probe (kubelet's prober): HTTP 200–399, a TCP connection, or exit code 0, within timeoutSeconds. */
export async function runProbe(probe: Probe, container: Container, target: ProbeTarget): Promise<ProbeResult> {
  const timeoutMs = Math.max(1, probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const g = probe.httpGet;
    const port = resolvePort(container, g.port);
    if (!port) return { ok: false, message: `unknown port ${g.port}` };
    const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
    for (const h of g.httpHeaders ?? []) headers[h.name] = h.value;
    const scheme = (g.scheme ?? 'HTTP').toUpperCase();
    const host = g.host || target.podIP;
    const path = g.path?.startsWith('/') ? g.path : `/${g.path ?? ''}`;
    return new Promise((resolve) => {
      const req = (scheme === 'HTTPS' ? https : http).request({ host, port, path, method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false, agent: false }, (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve(code >= 200 && code < 400 ? { ok: true } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
      });
      req.on('timeout', () => req.destroy(new Error(`Get "${scheme.toLowerCase()}://${host}:${port}${path}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`)));
      req.on('error', (err) => resolve({ ok: false, message: err.message }));
      req.end();
    });
  }
  if (probe.tcpSocket) {
    const port = resolvePort(container, probe.tcpSocket.port);
    if (!port) return { ok: false, message: `unknown port ${probe.tcpSocket.port}` };
    const host = probe.tcpSocket.host || target.podIP;
    return new Promise((resolve) => {
      const socket = net.connect({ host, port, timeout: timeoutMs });
      socket.on('connect', () => (socket.destroy(), resolve({ ok: true })));
      socket.on('timeout', () => (socket.destroy(), resolve({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` })));
      socket.on('error', (err) => resolve({ ok: false, message: `dial tcp ${host}:${port}: ${err.message}` }));
    });
  }
  if (probe.exec) {
    const code = await target.exec(probe.exec.command ?? [], timeoutMs).catch(() => -1);
    return code === 0 ? { ok: true } : { ok: false, message: code === -1 ? `command timed out` : `command exited with ${code}` };
  }
  return { ok: false, message: 'probe has no handler (grpc is not supported by the process runtime)' };
}

/** Runs a program to its end, killing it after `timeoutMs`; resolves with its exit code (-1 on timeout). */
export function runToExit(file: string, args: string[], env: Record<string, string>, timeoutMs: number, cwd?: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, cwd, stdio: 'ignore', detached: true });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      resolve(-1);
    }, timeoutMs);
    child.on('error', () => (clearTimeout(timer), resolve(127)));
    child.on('exit', (code, signal) => (clearTimeout(timer), resolve(code ?? (signal ? 128 : 1))));
  });
}

/**
 * A probe's schedule and thresholds (kubelet's prober worker): the first
 * check `initialDelaySeconds` after the container started, then every
 * `periodSeconds`; the result flips after `successThreshold` successes or
 * `failureThreshold` failures in a row. Liveness starts as succeeded;
 * readiness and startup as not (yet) succeeded. Every failed check is
 * reported (`onFailedCheck`), whatever the threshold. A liveness or startup probe
 * that fails stops (the container is restarted with a new worker); a startup
 * probe stops once it succeeded.
 */
export class ProbeWorker {
  private timer?: NodeJS.Timeout;
  private successes = 0;
  private failures = 0;
  private stopped = false;
  result: boolean;
  lastMessage?: string;

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: Probe,
    private readonly container: Container,
    private readonly target: ProbeTarget,
    private readonly onChange: (worker: ProbeWorker, event: 'success' | 'failure') => void,
    /** Every failed check, below the threshold too (the kubelet records an `Unhealthy` event for each). */
    private readonly onFailedCheck?: (message: string) => void,
  ) {
    this.result = kind === 'liveness';
  }

  start(startedAtMs: number): void {
    const delay = Math.max(0, startedAtMs + (this.probe.initialDelaySeconds ?? 0) * 1000 - Date.now());
    this.timer = setTimeout(() => void this.tick(), delay);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const r = await runProbe(this.probe, this.container, this.target);
    if (this.stopped) return;
    this.lastMessage = r.message;
    if (r.ok) {
      this.failures = 0;
      this.successes++;
      if (!this.result && this.successes >= Math.max(1, this.probe.successThreshold ?? 1)) {
        this.result = true;
        this.onChange(this, 'success');
        if (this.kind === 'startup') return;
      }
    } else {
      this.onFailedCheck?.(r.message ?? 'failed');
      this.successes = 0;
      this.failures++;
      if (this.failures >= Math.max(1, this.probe.failureThreshold ?? 3)) {
        this.failures = 0;
        if (this.kind !== 'readiness') {
          this.result = false;
          this.onChange(this, 'failure');
          return;
        }
        if (this.result) {
          this.result = false;
          this.onChange(this, 'failure');
        }
      }
    }
    this.timer = setTimeout(() => void this.tick(), Math.max(1, this.probe.periodSeconds ?? 10) * 1000);
  }
}
