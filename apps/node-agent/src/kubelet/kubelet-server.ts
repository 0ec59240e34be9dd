import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { Duplex } from 'stream';
import type { ContainerRuntime } from '../runtime/container-runtime';
import { checkKubeletTicket } from '@logbook/machinery';
import { LogLine, parseLogLines } from '../runtime/process/log-file';
import { refuseUpgrade, StreamingServer } from './streaming/streaming-server';
import { onTerminal } from './streaming/terminal';

/** Finds the uid of a pod of this node by namespace and name. */
export type PodLookup = (namespace: string, name: string) => string | undefined;

export interface LogOptions {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  limitBytes?: number;
}

const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });

/** Writes a metav1.Status error. */
export function writeStatus(res: http.ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(status(code, reason, message)));
}

/** Parses `kubectl logs`' query (PodLogOptions); throws a message for a bad value. */
export function parseLogOptions(q: URLSearchParams): LogOptions {
  const bool = (k: string) => q.get(k) === 'true' || q.get(k) === '1';
  const int = (k: string) => {
    const v = q.get(k);
    if (v === null || v === '') return undefined;
    if (!/^-?\d+$/.test(v)) throw new Error(`${k}: Invalid value: "${v}": must be an integer`);
    return Number(v);
  };
  const opts: LogOptions = { follow: bool('follow'), previous: bool('previous'), timestamps: bool('timestamps'), tailLines: int('tailLines'), sinceSeconds: int('sinceSeconds'), limitBytes: int('limitBytes') };
  if (q.get('sinceTime')) opts.sinceTime = q.get('sinceTime')!;
  if (opts.tailLines !== undefined && opts.tailLines < 0) throw new Error('tailLines: Invalid value: must be greater than or equal to 0');
  if (opts.sinceSeconds !== undefined && opts.sinceSeconds < 1) throw new Error('sinceSeconds: Invalid value: must be greater than 0');
  if (opts.limitBytes !== undefined && opts.limitBytes < 1) throw new Error('limitBytes: Invalid value: must be greater than 0');
  return opts;
}

/**
 * The kubelet's own HTTP endpoint (what `Node.status.daemonEndpoints`
 * advertises): `GET /containerLogs/{namespace}/{pod}/{container}` with
 * PodLogOptions (follow, previous, timestamps, tailLines, sinceSeconds,
 * sinceTime, limitBytes), and `/healthz`; on upgraded connections
 * `/exec/{namespace}/{pod}/{container}` and `/portForward/{namespace}/{pod}`
 * (streaming/). The API server's `pods/log`, `pods/exec` and
 * `pods/portforward` subresources proxy to it.
 */
export class KubeletServer {
  private server?: http.Server;
  private readonly followers = new Set<() => void>();
  private readonly streaming: StreamingServer;

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly lookup: PodLookup,
    /**
     * Who may call: with the cluster CA, only requests carrying a ticket the
     * API server signed for this node, method and path (checkKubeletTicket);
     * without one (a node agent on the development port), anyone.
     */
    private readonly callers?: { ca: string; node: string },
  ) {
    this.streaming = new StreamingServer({
      podUid: lookup,
      execTarget: (uid, container, opts) => runtime.execIn?.(uid, container, opts.tty ? onTerminal(opts.command, opts.size) : opts.command) ?? { error: `the ${runtime.name} runtime cannot run commands in containers` },
      portDialer: (uid) => runtime.portDialer?.(uid) ?? { error: `the ${runtime.name} runtime cannot forward ports` },
    });
  }

  get httpServer(): http.Server | undefined {
    return this.server;
  }

  /** Listens on `host` (port 0: any free port); resolves with the port. */
  async listen(host: string, port = 0): Promise<number> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => undefined);
      const denied = this.unauthorized(req);
      if (denied) return refuseUpgrade(socket, 401, 'Unauthorized', denied);
      if (!this.streaming.handleUpgrade(req, socket, head)) refuseUpgrade(socket, 404, 'NotFound', `the kubelet has no ${req.method} ${req.url} to upgrade`);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const stop of this.followers) stop();
    this.streaming.close();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    if (url.pathname === '/healthz') {
      res.end('ok');
      return;
    }
    const denied = this.unauthorized(req);
    if (denied) return writeStatus(res, 401, 'Unauthorized', denied);
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!m || req.method !== 'GET') return writeStatus(res, 404, 'NotFound', `the kubelet has no ${req.method} ${url.pathname}`);
    const [namespace, name, container] = m.slice(1).map(decodeURIComponent);
    let opts: LogOptions;
    try {
      opts = parseLogOptions(url.searchParams);
    } catch (err) {
      return writeStatus(res, 400, 'BadRequest', (err as Error).message);
    }
    const uid = this.lookup(namespace, name);
    if (!uid || !this.runtime.containerLog) return writeStatus(res, 404, 'NotFound', `pod "${name}" not found on this node`);
    const ref = this.runtime.containerLog(uid, container, opts.previous);
    if ('error' in ref) return writeStatus(res, 400, 'BadRequest', ref.error);
    await this.serveLog(req, res, ref.path, ref.live, opts);
  }

  /** Why the caller may not use the kubelet's endpoints, or undefined when it may. */
  private unauthorized(req: http.IncomingMessage): string | undefined {
    if (!this.callers) return undefined;
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) return 'Unauthorized: the kubelet serves the API server only (no ticket)';
    const why = checkKubeletTicket(this.callers.ca, header.slice(7), { node: this.callers.node, method: req.method ?? 'GET', path: req.url ?? '/' });
    return why ? `Unauthorized: ${why}` : undefined;
  }

  private async serveLog(req: http.IncomingMessage, res: http.ServerResponse, file: string, live: () => boolean, opts: LogOptions): Promise<void> {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    const since = opts.sinceTime ? Date.parse(opts.sinceTime) : opts.sinceSeconds ? Date.now() - opts.sinceSeconds * 1000 : undefined;
    let budget = opts.limitBytes ?? Infinity;
    const format = (l: LogLine) => (opts.timestamps ? `${l.time} ${l.text}\n` : `${l.text}\n`);
    const emit = (lines: LogLine[]): boolean => {
      let out = '';
      for (const l of lines) {
        if (since !== undefined && Date.parse(l.time) < since) continue;
        out += format(l);
      }
      if (!out) return true;
      const buf = Buffer.from(out);
      if (buf.length >= budget) {
        res.write(buf.subarray(0, budget));
        budget = 0;
        return false;
      }
      budget -= buf.length;
      res.write(buf);
      return true;
    };
    let offset = 0;
    let rest = '';
    const readNew = (): LogLine[] => {
      let text: Buffer;
      try {
        const fd = fs.openSync(file, 'r');
        try {
          const size = fs.fstatSync(fd).size;
          text = Buffer.alloc(Math.max(0, size - offset));
          fs.readSync(fd, text, 0, text.length, offset);
          offset = size;
        } finally {
          fs.closeSync(fd);
        }
      } catch {
        return [];
      }
      const parsed = parseLogLines(rest + text.toString('utf8'));
      rest = parsed.rest;
      return parsed.lines;
    };
    let first = readNew();
    if (opts.tailLines !== undefined) first = opts.tailLines === 0 ? [] : first.slice(-opts.tailLines);
    if (!emit(first) || !opts.follow) {
      res.end();
      return;
    }
    // Follow: poll the file until the container run ends (and its last lines are out) or the client leaves.
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const stop = () => {
        clearTimeout(timer);
        this.followers.delete(stop);
        resolve();
      };
      this.followers.add(stop);
      req.on('close', stop);
      res.on('close', stop);
      const tick = () => {
        const stillLive = live();
        if (!emit(readNew()) || !stillLive) return stop();
        timer = setTimeout(tick, 200);
      };
      timer = setTimeout(tick, 200);
    });
    if (!res.writableEnded) res.end();
  }
}
