import { createSocket, Socket } from 'dgram';
import { readFileSync } from 'fs';
import { createServer, Server, Socket as TcpSocket } from 'net';
import { Logger } from '@nestjs/common';
import * as packet from 'dns-packet';
import type { Endpoints, Namespace, Service } from '@logbook/api';
import { InformerFactory, kinds } from '@logbook/sdk';
import { DNS_TTL, DnsView, inZone, resolveInZone } from './dns-records';

export interface ClusterDnsOptions {
  /** Address and port to serve on (UDP and TCP). Default 127.0.0.1 and a free port (pods reach it as clusterDNS:53 through the service proxy). */
  address?: string;
  port?: number;
  /** The cluster domain. Default `cluster.local`. */
  zone?: string;
  /** Where names outside the zone go: `ip` or `ip:port`. Default: the nameservers of /etc/resolv.conf. */
  upstream?: string[];
}

/** The nameservers of a resolv.conf, skipping ones that point back at loopback resolvers we cannot know are not us. */
export function upstreamFromResolvConf(path = '/etc/resolv.conf'): string[] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1])
      .filter((ip): ip is string => !!ip && !ip.includes(':'));
  } catch {
    return [];
  }
}

const UPSTREAM_TIMEOUT_MS = 2_000;
const RCODES = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3 } as const;

/**
 * The cluster DNS server (what CoreDNS does in Kubernetes): answers the
 * cluster zone from its Service, Endpoints and Namespace informers, and
 * forwards every other name to the upstream resolvers. UDP and TCP; a UDP
 * answer that does not fit 512 bytes is truncated (TC) so the client asks
 * again over TCP.
 */
export class ClusterDns {
  private readonly log = new Logger('ClusterDns');
  private udp?: Socket;
  private tcp?: Server;
  private readonly connections = new Set<TcpSocket>();
  readonly zone: string;
  private readonly upstream: Array<{ ip: string; port: number }>;

  constructor(
    private readonly informers: InformerFactory,
    private readonly opts: ClusterDnsOptions = {},
  ) {
    this.zone = (opts.zone ?? 'cluster.local').toLowerCase();
    this.upstream = (opts.upstream ?? upstreamFromResolvConf()).map((s) => {
      const [ip, port] = s.split(':');
      return { ip, port: Number(port ?? 53) };
    });
  }

  get address(): { address: string; port: number } {
    const a = this.udp?.address();
    return { address: a?.address ?? this.opts.address ?? '127.0.0.1', port: a?.port ?? this.opts.port ?? 0 };
  }

  private readonly view: DnsView = {
    service: (ns, name) => this.informers.informerFor(kinds.Service).lister.get(ns, name) as Service | undefined,
    endpoints: (ns, name) => this.informers.informerFor(kinds.Endpoints).lister.get(ns, name) as Endpoints | undefined,
    namespaceExists: (ns) => !!(this.informers.informerFor(kinds.Namespace).lister.get('', ns) as Namespace | undefined),
  };

  /** Syncs the caches (unless `signal` aborts first), then serves. */
  async start(signal?: AbortSignal): Promise<void> {
    const informers = [this.informers.informerFor(kinds.Service), this.informers.informerFor(kinds.Endpoints), this.informers.informerFor(kinds.Namespace)];
    this.informers.start();
    await Promise.all(informers.map((i) => i.waitForSync({ signal })));
    if (signal?.aborted) throw new Error('aborted');
    const host = this.opts.address ?? '127.0.0.1';
    const udp = createSocket('udp4');
    await new Promise<void>((resolve, reject) => udp.once('error', reject).bind(this.opts.port ?? 0, host, () => resolve()));
    udp.on('error', (err) => this.log.error(`udp: ${err.message}`));
    udp.on('message', (msg, from) => void this.answer(msg, 'udp').then((reply) => reply && udp.send(reply, from.port, from.address)));
    this.udp = udp;
    const tcp = createServer((conn) => this.serveTcp(conn));
    await new Promise<void>((resolve, reject) => tcp.once('error', reject).listen(this.address.port, host, () => resolve()));
    this.tcp = tcp;
    this.log.log(`serving ${this.zone} on ${host}:${this.address.port} (udp, tcp); upstream ${this.upstream.map((u) => `${u.ip}:${u.port}`).join(', ') || 'none'}`);
  }

  private serveTcp(conn: TcpSocket): void {
    this.connections.add(conn);
    conn.once('close', () => this.connections.delete(conn));
    conn.on('error', () => conn.destroy());
    let buf = Buffer.alloc(0);
    conn.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        void this.answer(msg, 'tcp').then((reply) => {
          if (!reply || conn.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(reply.length);
          conn.write(Buffer.concat([len, reply]));
        });
      }
    });
  }

  /** The reply to one query message, or undefined for garbage. */
  async answer(msg: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    let query: packet.Packet;
    try {
      query = packet.decode(msg);
    } catch {
      return undefined;
    }
    const q = query.questions?.[0];
    if (!q) return undefined;
    if (!inZone(q.name, this.zone)) return this.forward(msg, query);
    const result = resolveInZone(q.name, q.type, this.zone, this.view);
    const reply: packet.Packet = {
      type: 'response',
      id: query.id,
      // dns-packet encodes the rcode from the low bits of flags only.
      flags: packet.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & packet.RECURSION_DESIRED) | packet.RECURSION_AVAILABLE | RCODES[result.rcode],
      questions: [q],
      answers: result.answers,
      authorities: result.answers.length ? [] : [this.soa()],
    } as packet.Packet;
    let out = packet.encode(reply);
    if (transport === 'udp' && out.length > 512) {
      out = packet.encode({ ...reply, answers: [], authorities: [], flags: (reply.flags ?? 0) | packet.TRUNCATED_RESPONSE } as packet.Packet);
    }
    return out;
  }

  private soa(): packet.Answer {
    return {
      type: 'SOA',
      name: this.zone,
      ttl: DNS_TTL,
      data: { mname: `ns.dns.${this.zone}`, rname: `hostmaster.${this.zone}`, serial: Math.floor(Date.now() / 1000), refresh: 7200, retry: 1800, expire: 86400, minimum: DNS_TTL },
    } as packet.Answer;
  }

  /** Asks the upstream resolvers in turn (over UDP); SERVFAIL when none answers. */
  private async forward(msg: Buffer, query: packet.Packet): Promise<Buffer> {
    for (const up of this.upstream) {
      const reply = await new Promise<Buffer | undefined>((resolve) => {
        const s = createSocket('udp4');
        const timer = setTimeout(() => (s.close(), resolve(undefined)), UPSTREAM_TIMEOUT_MS);
        s.on('error', () => (clearTimeout(timer), s.close(), resolve(undefined)));
        s.once('message', (m) => (clearTimeout(timer), s.close(), resolve(m)));
        s.send(msg, up.port, up.ip);
      });
      if (reply) return reply;
    }
    return packet.encode({ type: 'response', id: query.id, flags: packet.RECURSION_AVAILABLE | RCODES.SERVFAIL, questions: query.questions } as packet.Packet);
  }

  async stop(): Promise<void> {
    for (const c of this.connections) c.destroy();
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
    if (tcp) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }
}

/**
 * From the environment: `LOGBOOK_DNS_ADDRESS` (127.0.0.1), `LOGBOOK_DNS_PORT`
 * (a free one), `LOGBOOK_CLUSTER_DOMAIN` (cluster.local), `LOGBOOK_DNS_UPSTREAM`
 * (comma-separated `ip[:port]`; default: /etc/resolv.conf's nameservers).
 */
export function clusterDnsOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ClusterDnsOptions {
  return {
    address: env.LOGBOOK_DNS_ADDRESS || undefined,
    port: env.LOGBOOK_DNS_PORT ? Number(env.LOGBOOK_DNS_PORT) : undefined,
    zone: env.LOGBOOK_CLUSTER_DOMAIN || undefined,
    upstream: env.LOGBOOK_DNS_UPSTREAM ? env.LOGBOOK_DNS_UPSTREAM.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
  };
}
