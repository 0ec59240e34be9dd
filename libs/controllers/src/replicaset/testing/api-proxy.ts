import * as http from 'http';
import type { AddressInfo } from 'net';

/** One request that went through the proxy. */
export interface ProxiedRequest {
  method: string;
  path: string;
  /** When the proxy received it (ms). */
  at: number;
}

export interface ApiProxyRules {
  /** Hold each response of a request matching this for `delayMs` before answering (watch streams: each chunk). */
  delay?: { match: (method: string, path: string) => boolean; delayMs: number };
  /** Answer matching requests with this status instead of forwarding them. */
  reject?: { match: (method: string, path: string) => boolean; code: number; reason: string; message: string };
}

/**
 * An HTTP proxy in front of an apiserver for controller tests: it records
 * every request (to see what a controller did, in which order and when),
 * and by its rules delays responses (a slow apiserver, a lagging watch) or
 * rejects requests with a metav1.Status (quota, admission). Rules can be
 * changed while it runs.
 */
export class ApiProxy {
  readonly requests: ProxiedRequest[] = [];
  rules: ApiProxyRules = {};
  private constructor(
    private readonly server: http.Server,
    private readonly target: URL,
  ) {}

  static async start(targetUrl: string): Promise<ApiProxy> {
    const target = new URL(targetUrl);
    const server = http.createServer();
    const proxy = new ApiProxy(server, target);
    server.on('request', (req, res) => proxy.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests so far with this method whose path matches. */
  matching(method: string, path: RegExp): ProxiedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    this.requests.push({ method, path, at: Date.now() });
    const reject = this.rules.reject;
    if (reject?.match(method, path)) {
      req.resume();
      res.writeHead(reject.code, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: reject.code, reason: reject.reason, message: reject.message }));
      return;
    }
    const delayMs = this.rules.delay?.match(method, path) ? this.rules.delay.delayMs : 0;
    const upstream = http.request(
      { host: this.target.hostname, port: this.target.port, method, path, headers: { ...req.headers, host: this.target.host } },
      (up) => {
        const later = (fn: () => void) => (delayMs ? setTimeout(fn, delayMs) : fn());
        later(() => {
          if (res.destroyed) return;
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.on('data', (chunk) => later(() => !res.destroyed && res.write(chunk)));
          up.on('end', () => later(() => res.end()));
        });
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }
}
