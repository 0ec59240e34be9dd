import { createServer as createHttpServer, IncomingMessage, request, Server, ServerResponse } from 'http';
import { createServer as createHttpsServer } from 'https';
import { createSecureContext, SecureContext } from 'tls';
import { Logger } from '@nestjs/common';
import type { Endpoints, Ingress, Secret, Service } from '@logbook/api';
import { InformerFactory, kinds, KubeClient } from '@logbook/sdk';
import { Subscription } from 'rxjs';
import { BackendPicker } from '../proxy/backend-picker';
import { backendsOf } from '../proxy/proxy-rules';
import { route, tlsSecretFor } from './ingress-routes';

export interface IngressControllerOptions {
  /** Address to listen on (default 127.0.0.1). */
  address?: string;
  /** HTTP port (default 80; `LOGBOOK_INGRESS_PORT`). 0 picks a free one. */
  port?: number;
  /** HTTPS port for Ingresses with `tls` (default 443; `LOGBOOK_INGRESS_TLS_PORT`); false: none. */
  tlsPort?: number | false;
}

/**
 * An Ingress controller: one HTTP(S) proxy for every networking.k8s.io
 * Ingress (v1, and v1beta1 as the apiserver converts it), routing by host
 * and path (`ingress-routes.ts`) to the ready endpoints of the backend
 * Service, round robin. HTTPS uses the certificate of the `tls` entry
 * naming the server name (SNI), from its `kubernetes.io/tls` Secret.
 * Every Ingress gets `status.loadBalancer.ingress: [{ip: <address>}]`.
 */
export class IngressController {
  private readonly log = new Logger('IngressController');
  private http?: Server;
  private https?: Server;
  private subscriptions: Subscription[] = [];
  private readonly pickers = new Map<string, BackendPicker>();

  constructor(
    private readonly client: KubeClient,
    private readonly informers: InformerFactory,
    private readonly opts: IngressControllerOptions = {},
  ) {}

  private get ingresses(): Ingress[] {
    return this.informers.informerFor(kinds.Ingress).lister.list() as Ingress[];
  }

  /** Where it listens: `{ http, https }` ports. */
  ports: { http?: number; https?: number } = {};

  /** Syncs the caches (unless `signal` aborts first), then listens. */
  async start(signal?: AbortSignal): Promise<void> {
    const ingresses = this.informers.informerFor(kinds.Ingress);
    const all = [ingresses, this.informers.informerFor(kinds.Service), this.informers.informerFor(kinds.Endpoints), this.informers.informerFor(kinds.Secret)];
    this.informers.start();
    await Promise.all(all.map((i) => i.waitForSync({ signal })));
    if (signal?.aborted) return;
    const address = this.opts.address ?? '127.0.0.1';
    this.http = createHttpServer((req, res) => this.serve(req, res, 'http'));
    this.ports.http = await listen(this.http, address, this.opts.port ?? 80);
    if (this.opts.tlsPort !== false) {
      this.https = createHttpsServer({ SNICallback: (name, cb) => cb(null, this.contextFor(name)) }, (req, res) => this.serve(req, res, 'https'));
      this.ports.https = await listen(this.https, address, this.opts.tlsPort ?? 443);
    }
    this.subscriptions.push(ingresses.events$.subscribe((e) => e.type !== 'DELETED' && void this.publishStatus(e.object as Ingress)));
    for (const ing of ingresses.lister.list()) await this.publishStatus(ing as Ingress);
    this.log.log(`serving Ingresses on http://${address}:${this.ports.http}${this.ports.https ? ` and https://${address}:${this.ports.https}` : ''}`);
  }

  /** Sets status.loadBalancer.ingress to this controller's address, if it says otherwise. */
  private async publishStatus(ing: Ingress): Promise<void> {
    const ip = this.opts.address ?? '127.0.0.1';
    const current = ing.status?.loadBalancer?.ingress;
    if (current?.length === 1 && current[0].ip === ip) return;
    try {
      await this.client.updateStatus(kinds.Ingress, { ...structuredClone(ing), status: { loadBalancer: { ingress: [{ ip }] } } });
    } catch (err) {
      this.log.warn(`status of ${ing.metadata?.namespace}/${ing.metadata?.name}: ${(err as Error).message}`);
    }
  }

  private contextFor(serverName: string): SecureContext | undefined {
    const key = tlsSecretFor(this.ingresses, serverName);
    if (!key) return undefined;
    const [ns, name] = key.split('/');
    const secret = this.informers.informerFor(kinds.Secret).lister.get(ns, name) as Secret | undefined;
    const crt = secret?.data?.['tls.crt'];
    const pem = secret?.data?.['tls.key'];
    if (!crt || !pem) return undefined;
    try {
      return createSecureContext({ cert: Buffer.from(crt, 'base64'), key: Buffer.from(pem, 'base64') });
    } catch {
      return undefined;
    }
  }

  private serve(req: IncomingMessage, res: ServerResponse, scheme: 'http' | 'https'): void {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const found = route(this.ingresses, host, path);
    const svcRef = found?.backend.service;
    if (!found || !svcRef) return void fail(res, 404, 'default backend - 404');
    const svc = this.informers.informerFor(kinds.Service).lister.get(found.namespace, svcRef.name) as Service | undefined;
    const port = svc?.spec?.ports?.find((p) => (svcRef.port?.name ? p.name === svcRef.port.name : p.port === svcRef.port?.number));
    if (!svc || !port) return void fail(res, 503, 'Service Unavailable');
    const endpoints = this.informers.informerFor(kinds.Endpoints).lister.get(found.namespace, svcRef.name) as Endpoints | undefined;
    const key = `${found.namespace}/${svcRef.name}:${port.name ?? ''}`;
    let picker = this.pickers.get(key);
    if (!picker) this.pickers.set(key, (picker = new BackendPicker(undefined)));
    picker.update(backendsOf(endpoints, port.name ?? '', 'TCP'), undefined);
    const backend = picker.pick(req.socket.remoteAddress ?? '');
    if (!backend) return void fail(res, 503, 'Service Unavailable');
    const forwardedFor = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
    const upstream = request(
      { host: backend.ip, port: backend.port, method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-for': forwardedFor, 'x-forwarded-host': req.headers.host ?? '', 'x-forwarded-proto': scheme } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => fail(res, 502, 'Bad Gateway'));
    req.pipe(upstream);
  }

  async stop(): Promise<void> {
    for (const s of this.subscriptions) s.unsubscribe();
    for (const server of [this.http, this.https]) {
      if (!server) continue;
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    this.http = this.https = undefined;
  }
}

function fail(res: ServerResponse, code: number, text: string): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(code, { 'content-type': 'text/plain' });
  res.end(`${text}\n`);
}

function listen(server: Server, address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

/** From the environment: `LOGBOOK_INGRESS_ADDRESS` (127.0.0.1), `LOGBOOK_INGRESS_PORT` (80), `LOGBOOK_INGRESS_TLS_PORT` (443; `none`). */
export function ingressOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): IngressControllerOptions {
  const tls = env.LOGBOOK_INGRESS_TLS_PORT;
  return {
    address: env.LOGBOOK_INGRESS_ADDRESS || undefined,
    port: env.LOGBOOK_INGRESS_PORT ? Number(env.LOGBOOK_INGRESS_PORT) : undefined,
    tlsPort: tls === 'none' ? false : tls ? Number(tls) : undefined,
  };
}
