import * as http from 'http';
import * as net from 'net';
import type { Duplex } from 'stream';
import type { Scheme } from '@logbook/api';
import { ApiError, badRequest, internalError, methodNotSupported, signKubeletTicket } from '@logbook/machinery';
import type { Obj, ResourceStore } from '../storage/resource-store';
import type { ResourceRequest } from './rest';

/** PodLogOptions the kubelet understands, passed through as they came. */
const LOG_PARAMS = ['follow', 'previous', 'timestamps', 'tailLines', 'sinceSeconds', 'sinceTime', 'limitBytes'];

interface PodSpecLike {
  nodeName?: string;
  containers?: { name: string }[];
  initContainers?: { name: string }[];
  ephemeralContainers?: { name: string }[];
}

/** PodExecOptions passed on to the kubelet. */
const EXEC_PARAMS = ['command', 'stdin', 'stdout', 'stderr', 'tty'];

/** An upgrade request (WebSocket or SPDY) as the HTTP server hands it over: its connection and first bytes. */
export interface UpgradeContext {
  socket: Duplex;
  head: Buffer;
}

const upgrades = new WeakMap<http.IncomingMessage, UpgradeContext>();
/** Connections passed through to kubelets and still open (exec and port-forward sessions). */
const streaming = new Set<Duplex>();

/**
 * Ends every exec and port-forward session (the server is shutting down:
 * they never end by themselves, and the HTTP server waits for them).
 */
export function endAllStreams(): void {
  for (const socket of streaming) socket.destroy();
  streaming.clear();
}

/** Marks `req` as an upgrade request whose connection the pod proxy may take over. */
export function markUpgrade(req: http.IncomingMessage, ctx: UpgradeContext): void {
  upgrades.set(req, ctx);
}

/** Request headers not passed to the kubelet: the caller's credentials, and what the proxy sets itself. */
const DROPPED_HEADERS = new Set(['authorization', 'host', 'impersonate-user', 'impersonate-group', 'impersonate-uid', 'proxy-authorization']);

/**
 * The pod subresources the API server serves by proxying to the pod's
 * kubelet (kube-apiserver's LogLocation/ExecLocation/PortForwardLocation):
 * it finds the pod's node, picks the container as Kubernetes does, and
 * streams the kubelet's answer — `GET pods/{name}/log` to the kubelet's
 * `/containerLogs/{namespace}/{pod}/{container}`; `pods/{name}/exec` and
 * `pods/{name}/portforward`, which must be upgrade requests (WebSocket, or
 * SPDY), to `/exec/{namespace}/{pod}/{container}` and
 * `/portForward/{namespace}/{pod}`, passing the upgraded connection through
 * byte for byte (the kubelet speaks the streaming protocols).
 */
export class PodProxy {
  /** The cluster CA's key: each kubelet request carries a ticket signed with it (see signKubeletTicket). */
  private caKey?: string;

  constructor(
    private readonly store: ResourceStore,
    private readonly scheme: Scheme,
  ) {}

  /** Signs kubelet requests from now on (the key comes with the cluster PKI, loaded at start). */
  useTickets(caKey: string | undefined): void {
    this.caKey = caKey;
  }

  /** `Authorization` for a request to a node's kubelet, when the API server holds the CA key. */
  private authorization(node: string, method: string, path: string): string | undefined {
    return this.caKey ? `Bearer ${signKubeletTicket(this.caKey, { node, method, path })}` : undefined;
  }

  async handle(r: ResourceRequest): Promise<void> {
    if (r.info.subresource === 'log') {
      if (r.info.verb !== 'get') throw methodNotSupported({ group: '', resource: 'pods/log' }, r.info.verb);
      return this.log(r);
    }
    if (r.info.subresource === 'exec' || r.info.subresource === 'portforward') {
      if (r.info.verb !== 'get' && r.info.verb !== 'create') throw methodNotSupported({ group: '', resource: `pods/${r.info.subresource}` }, r.info.verb);
      return this.stream(r, r.info.subresource);
    }
    throw methodNotSupported({ group: '', resource: `pods/${r.info.subresource}` }, r.info.verb);
  }

  private async log(r: ResourceRequest): Promise<void> {
    const { namespace, name } = r.info;
    const pod = await this.store.get(r.def, namespace, name);
    const container = this.containerOf(pod, r.params.get('container'));
    const spec = (pod.spec ?? {}) as PodSpecLike;
    // A pod not yet scheduled has no logs yet: an empty answer, as kube-apiserver gives.
    if (!spec.nodeName) {
      r.res.writeHead(200, { 'Content-Type': 'text/plain' });
      r.res.end();
      return;
    }
    const query = new URLSearchParams();
    for (const k of LOG_PARAMS) {
      const v = r.params.get(k);
      if (v !== null) query.set(k, v);
    }
    const base = await this.kubeletBase(spec.nodeName);
    const q = query.toString();
    const path = `/containerLogs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}${q ? `?${q}` : ''}`;
    await proxyGet(`${base}${path}`, r, this.authorization(spec.nodeName, 'GET', path));
  }

  /**
   * exec and portforward: checks the pod as kube-apiserver does, then hands
   * the upgraded connection to the pod's kubelet.
   */
  private async stream(r: ResourceRequest, sub: 'exec' | 'portforward'): Promise<void> {
    const upgrade = upgrades.get(r.req);
    if (!upgrade) throw badRequest('Upgrade request required');
    const { namespace, name } = r.info;
    const pod = await this.store.get(r.def, namespace, name);
    const spec = (pod.spec ?? {}) as PodSpecLike;
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    let path: string;
    const query = new URLSearchParams();
    const ns = encodeURIComponent(namespace);
    const podName = encodeURIComponent(name);
    if (sub === 'exec') {
      const container = this.containerOf(pod, r.params.get('container'));
      if (phase === 'Succeeded' || phase === 'Failed') throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
      for (const k of EXEC_PARAMS) for (const v of r.params.getAll(k)) query.append(k, v);
      path = `/exec/${ns}/${podName}/${encodeURIComponent(container)}`;
    } else {
      for (const v of r.params.getAll('ports')) query.append('ports', v);
      path = `/portForward/${ns}/${podName}`;
    }
    if (!spec.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
    const base = new URL(await this.kubeletBase(spec.nodeName));
    const q = query.toString();
    const target = q ? `${path}?${q}` : path;
    await proxyUpgrade(r, upgrade, base.hostname.replace(/^\[|\]$/g, ''), Number(base.port), target, this.authorization(spec.nodeName, r.req.method ?? 'GET', target));
  }

  /** The container a request means: the named one, or the pod's only container. */
  private containerOf(pod: Obj, requested: string | null): string {
    const spec = (pod.spec ?? {}) as PodSpecLike;
    const podName = (pod.metadata as { name?: string } | undefined)?.name ?? '';
    const containers = (spec.containers ?? []).map((c) => c.name);
    const inits = (spec.initContainers ?? []).map((c) => c.name);
    const ephemeral = (spec.ephemeralContainers ?? []).map((c) => c.name);
    if (!requested) {
      if (containers.length === 1) return containers[0];
      let message = `a container name must be specified for pod ${podName}, choose one of: [${containers.join(' ')}]`;
      if (inits.length) message += ` or one of the init containers: [${inits.join(' ')}]`;
      if (ephemeral.length) message += ` or one of the ephemeral containers: [${ephemeral.join(' ')}]`;
      throw badRequest(message);
    }
    if (![...containers, ...inits, ...ephemeral].includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${podName}`);
    return requested;
  }

  /** `http://<InternalIP>:<kubelet port>` of a node. */
  private async kubeletBase(nodeName: string): Promise<string> {
    const def = this.scheme.byGroupVersionResource('', 'v1', 'nodes')!;
    const node = await this.store.get(def, '', nodeName);
    const status = (node.status ?? {}) as { addresses?: { type: string; address: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
    const address = ['InternalIP', 'ExternalIP', 'Hostname'].map((t) => status.addresses?.find((a) => a.type === t)?.address).find(Boolean);
    const port = status.daemonEndpoints?.kubeletEndpoint?.Port;
    if (!address || !port) throw badRequest(`node ${nodeName} has no kubelet endpoint`);
    return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  }
}

/**
 * Streams a kubelet's answer to the client: its status and body as they come
 * (`kubectl logs -f` reads lines as the container writes them), ending the
 * kubelet request when the client goes away.
 */
function proxyGet(target: string, r: ResourceRequest, authorization: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const upstream = http.get(target, { timeout: 10_000, headers: authorization ? { Authorization: authorization } : {} }, (res) => {
      upstream.setTimeout(0);
      r.res.writeHead(res.statusCode ?? 502, {
        'Content-Type': res.headers['content-type'] ?? 'text/plain',
        'Cache-Control': 'no-cache, private',
      });
      r.res.flushHeaders();
      res.on('data', (chunk) => r.res.write(chunk));
      res.on('end', () => (r.res.end(), resolve()));
      res.on('error', () => (r.res.end(), resolve()));
    });
    r.req.on('close', () => upstream.destroy());
    upstream.on('timeout', () => upstream.destroy(new Error('i/o timeout')));
    upstream.on('error', (err) => {
      if (r.res.headersSent) {
        r.res.end();
        resolve();
      } else reject(err instanceof ApiError ? err : internalError(`Get "${target}": dial tcp: ${err.message}`));
    });
  });
}

/**
 * Passes an upgrade request on to the kubelet and then the connection
 * itself, both ways, until either side closes it (kube-apiserver's
 * UpgradeAwareHandler). The kubelet's answer — 101 Switching Protocols, or
 * an error Status — reaches the client as the kubelet wrote it.
 */
function proxyUpgrade(r: ResourceRequest, upgrade: UpgradeContext, host: string, port: number, path: string, authorization: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const client = upgrade.socket;
    const upstream = net.connect({ host, port });
    let connected = false;
    upstream.setTimeout(10_000, () => upstream.destroy(new Error('i/o timeout')));
    upstream.on('connect', () => {
      connected = true;
      upstream.setTimeout(0);
      const lines = [`${r.req.method} ${path} HTTP/1.1`, `Host: ${host.includes(':') ? `[${host}]` : host}:${port}`];
      const raw = r.req.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) if (!DROPPED_HEADERS.has(raw[i].toLowerCase())) lines.push(`${raw[i]}: ${raw[i + 1]}`);
      if (authorization) lines.push(`Authorization: ${authorization}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (upgrade.head.length) upstream.write(upgrade.head);
      upstream.pipe(client);
      client.pipe(upstream);
      streaming.add(client);
      client.once('close', () => streaming.delete(client));
      resolve();
    });
    upstream.on('error', (err) => {
      if (!connected) reject(internalError(`error dialing backend: dial tcp ${host}:${port}: ${err.message}`));
      else client.destroy();
    });
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.on('error', () => upstream.destroy());
  });
}
