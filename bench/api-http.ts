/**
 * The benchmark's HTTP side: a keep-alive client (one socket per concurrent
 * client, as N independent clients would have) and closed loops that record
 * the latency of every operation completed inside the measured window.
 */
import * as http from 'http';

export interface HttpReply {
  status: number;
  body: Buffer;
}

export class KeepAliveClient {
  readonly agent: http.Agent;
  /**
   * GETs sent again after the server reset a reused keep-alive socket.
   * Node's documented remedy, and what client-go does for GETs; counted
   * so that the report shows how often it happened.
   */
  resets = 0;

  constructor(
    readonly base: string,
    sockets: number,
  ) {
    // `timeout` matters for idle sockets: with it set, Node's agent honours
    // the server's `Keep-Alive: timeout=5` hint and drops a pooled socket
    // just before the server would close it; without it, a socket the server
    // closed while this process was busy (parsing a 13 MB list) can be
    // reused, and the request fails with ECONNRESET.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, timeout: 300_000 });
  }

  async request(method: string, path: string, body?: Buffer | string, contentType = 'application/json'): Promise<HttpReply> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(method, path, body, contentType);
      } catch (err) {
        const e = err as Error & { code?: string; reusedSocket?: boolean };
        if (method !== 'GET' || e.code !== 'ECONNRESET' || !e.reusedSocket || attempt >= 2) throw err;
        this.resets++;
      }
    }
  }

  private once(method: string, path: string, body: Buffer | string | undefined, contentType: string): Promise<HttpReply> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const failed = (err: Error & { code?: string }) =>
        reject(
          Object.assign(
            new Error(
              `${method} ${path}: ${err.message} after ${(performance.now() - started).toFixed(0)} ms on a ${req.reusedSocket ? 'reused keep-alive' : 'new'} socket`,
            ),
            { code: err.code, reusedSocket: req.reusedSocket },
          ),
        );
      const payload = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
      const req = http.request(
        `${this.base}${path}`,
        {
          method,
          agent: this.agent,
          headers: {
            Accept: 'application/json',
            'User-Agent': 'logbook-bench-api/0.1',
            ...(payload ? { 'Content-Type': contentType, 'Content-Length': payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) }));
          res.on('error', failed);
        },
      );
      req.on('error', failed);
      req.end(payload);
    });
  }

  /** A request that must answer `expected`; returns the parsed JSON body. */
  async json(method: string, path: string, expected: number, body?: unknown, contentType?: string): Promise<any> {
    const r = await this.request(method, path, body === undefined ? undefined : JSON.stringify(body), contentType);
    if (r.status !== expected) {
      throw new Error(`${method} ${path}: expected ${expected}, got ${r.status}: ${r.body.toString('utf8').slice(0, 500)}`);
    }
    return JSON.parse(r.body.toString('utf8'));
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Latencies in ms, growing as needed. */
class Samples {
  private data = new Float64Array(4096);
  n = 0;
  push(v: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = v;
  }
  sorted(): Float64Array {
    return this.data.slice(0, this.n).sort();
  }
}

export interface LoopResult {
  clients: number;
  /** Operations completed inside the measured window, per second. */
  perSec: number;
  completed: number;
  seconds: number;
  /** Latencies (ms) of those operations, ascending. */
  latencies: Float64Array;
}

export interface LoopOptions {
  warmupSeconds: number;
  seconds: number;
  /**
   * For operations that take longer than the warm-up or the window (a list
   * of 10,000 objects at 32 clients): the warm-up also lasts until every
   * client has completed this many operations, so the window starts in
   * steady state, not with every client's first request in flight at once.
   */
  warmupOpsPerClient?: number;
  /** ... and the window stays open until at least this many operations completed in it. */
  minOps?: number;
  /** Called when the measured window opens and closes (for CPU accounting). */
  onWindow?: (phase: 'open' | 'close') => void;
}

/**
 * `clients` loops, each awaiting its own operation before starting the
 * next. The window opens after the warm-up and lasts `seconds`; an
 * operation counts if it completes inside it. Operations still in flight
 * when it closes are awaited but not counted. The first failure stops
 * every loop and is thrown.
 */
export async function closedLoops(clients: number, op: (client: number, i: number) => Promise<void>, opts: LoopOptions): Promise<LoopResult> {
  const samples = new Samples();
  let t0 = Infinity;
  let t1 = Infinity;
  let stop = false;
  let failure: unknown;
  let completed = 0;
  const perClient = new Array<number>(clients).fill(0);
  const loops = Array.from({ length: clients }, async (_, c) => {
    for (let i = 0; !stop; i++) {
      const s = performance.now();
      try {
        await op(c, i);
      } catch (err) {
        failure ??= err;
        stop = true;
        return;
      }
      const e = performance.now();
      perClient[c]++;
      if (e >= t0 && e <= t1) {
        completed++;
        samples.push(e - s);
      }
    }
  });
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const allDone = Promise.all(loops).then(() => true);
  const until = async (cond: () => boolean): Promise<void> => {
    while (!cond() && !stop) await Promise.race([sleep(10), allDone]);
  };
  const start = performance.now();
  const warmOps = opts.warmupOpsPerClient ?? 0;
  await until(() => performance.now() - start >= opts.warmupSeconds * 1000 && perClient.every((n) => n >= warmOps));
  t0 = performance.now();
  opts.onWindow?.('open');
  await until(() => performance.now() - t0 >= opts.seconds * 1000 && completed >= (opts.minOps ?? 0));
  t1 = performance.now();
  opts.onWindow?.('close');
  stop = true;
  await Promise.all(loops);
  if (failure) throw failure;
  const seconds = (t1 - t0) / 1000;
  return { clients, perSec: completed / seconds, completed, seconds, latencies: samples.sorted() };
}
