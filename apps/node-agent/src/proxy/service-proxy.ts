import { Logger } from '@nestjs/common';
import type { Endpoints, Service } from '@logbook/api';
import { InformerFactory, kinds } from '@logbook/sdk';
import { Subscription } from 'rxjs';
import { BackendPicker } from './backend-picker';
import { ClusterIPInterface, defaultClusterIPInterface } from './cluster-ip-interface';
import { ProxyProtocol, proxyRules } from './proxy-rules';
import { TcpForwarder } from './tcp-forwarder';
import { UdpForwarder } from './udp-forwarder';

export interface ServiceProxyOptions {
  /** Where NodePorts are bound (default `0.0.0.0`: every address of the machine). */
  nodePortAddress?: string;
  /**
   * The device ClusterIPs are added to (needs root), or false for no
   * ClusterIP listeners (NodePort and LoadBalancer only). Default
   * `lbsvc<pid>`.
   */
  clusterIPInterface?: string | false;
  /** How often binds that failed (address in use: another node agent on this machine has it) are retried. Default 5 s. */
  retryMs?: number;
}

interface Listener {
  protocol: ProxyProtocol;
  forwarder: TcpForwarder | UdpForwarder;
  picker: BackendPicker;
  bound: boolean;
}

/**
 * The service proxy of a node agent (Kubernetes' userspace kube-proxy):
 * for every Service port, a TCP or UDP listener on its ClusterIP, its
 * NodePort and its LoadBalancer address, forwarding to the ready endpoints
 * (round robin, or sticky per client with `sessionAffinity: ClientIP`).
 * Rules follow Services and Endpoints through the node agent's informers.
 *
 * Several node agents on one machine share its addresses: whichever binds
 * a listener first serves it (every proxy forwards to every endpoint of the
 * cluster, so any will do), and the others retry every `retryMs`, taking
 * over when it goes.
 */
export class ServiceProxy {
  private readonly log = new Logger('ServiceProxy');
  private readonly listeners = new Map<string, Listener>();
  private readonly iface?: ClusterIPInterface;
  private subscriptions: Subscription[] = [];
  private retryTimer?: NodeJS.Timeout;
  private pending?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(
    private readonly informers: InformerFactory,
    private readonly opts: ServiceProxyOptions = {},
  ) {
    // One device per proxy process: several node agents on one machine must not delete each other's.
    if (opts.clusterIPInterface !== false) this.iface = new ClusterIPInterface(opts.clusterIPInterface ?? defaultClusterIPInterface());
  }

  async start(): Promise<void> {
    const services = this.informers.informerFor(kinds.Service);
    const endpoints = this.informers.informerFor(kinds.Endpoints);
    this.informers.start();
    this.subscriptions = [services.events$.subscribe(() => this.schedule()), endpoints.events$.subscribe(() => this.schedule())];
    // Resolves false when the informers stop: a stop() during start-up ends the start.
    await Promise.all([services.waitForSync(), endpoints.waitForSync()]);
    if (this.stopped) return;
    await this.schedule();
    this.retryTimer = setInterval(() => this.schedule(), this.opts.retryMs ?? 5_000);
    this.retryTimer.unref();
  }

  /** `protocol/address:port` of every listener bound by this proxy, with its backend count. */
  bound(): Map<string, number> {
    return new Map([...this.listeners].filter(([, l]) => l.bound).map(([k, l]) => [k, l.picker.size]));
  }

  /** Runs a sync now, or once more after the one running. */
  schedule(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.pending) {
      this.again = true;
      return this.pending;
    }
    this.pending = this.sync()
      .catch((err: Error) => this.log.error(`sync: ${err.message}`))
      .finally(() => {
        this.pending = undefined;
        if (this.again) {
          this.again = false;
          void this.schedule();
        }
      });
    return this.pending;
  }

  /** Makes the listeners match the Services and Endpoints in the caches. */
  async sync(): Promise<void> {
    const services = this.informers.informerFor(kinds.Service).lister;
    const endpoints = this.informers.informerFor(kinds.Endpoints).lister;
    const rules = proxyRules(services.list() as Service[], (ns, name) => endpoints.get(ns, name) as Endpoints | undefined, {
      nodePortAddress: this.opts.nodePortAddress ?? '0.0.0.0',
      clusterIPs: !!this.iface,
    });
    const wanted = new Map<string, { protocol: ProxyProtocol; address: string; port: number; rule: (typeof rules)[number] }>();
    for (const rule of rules) for (const l of rule.listeners) wanted.set(`${rule.protocol}/${l.address}:${l.port}`, { protocol: rule.protocol, address: l.address, port: l.port, rule });
    if (this.iface) {
      const ips = new Set(rules.flatMap((r) => r.listeners.filter((l) => l.kind === 'clusterIP').map((l) => l.address)));
      await this.iface.sync(ips);
    }
    for (const [key, l] of [...this.listeners]) {
      if (wanted.has(key)) continue;
      this.listeners.delete(key);
      await l.forwarder.close();
    }
    for (const [key, w] of wanted) {
      let l = this.listeners.get(key);
      if (!l) {
        const picker = new BackendPicker(w.rule.affinityTimeoutMs);
        const forwarder = w.protocol === 'TCP' ? new TcpForwarder(w.address, w.port, picker) : new UdpForwarder(w.address, w.port, picker);
        l = { protocol: w.protocol, forwarder, picker, bound: false };
        this.listeners.set(key, l);
      }
      l.picker.update(w.rule.backends, w.rule.affinityTimeoutMs);
      if (!l.bound) {
        try {
          await l.forwarder.listen();
          l.bound = true;
          this.log.log(`${w.rule.name}: listening on ${key} (${w.rule.backends.length} endpoints)`);
        } catch (err) {
          // In use (another node agent on this machine serves it) or not local: retried on the next sync.
          this.log.debug?.(`${w.rule.name}: cannot bind ${key}: ${(err as Error).message}`);
        }
      }
    }
  }

  /** Closes every listener and removes the ClusterIP device. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.retryTimer);
    for (const s of this.subscriptions) s.unsubscribe();
    await this.pending?.catch(() => undefined);
    for (const l of this.listeners.values()) await l.forwarder.close();
    this.listeners.clear();
    await this.iface?.close();
  }
}
