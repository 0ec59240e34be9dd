import { Logger } from '@nestjs/common';
import { ClientConfig, InformerFactory, kinds, KubeClient, resolveClientConfig } from '@logbook/sdk';
import { Kubelet, KubeletOptions } from './kubelet/kubelet';
import { KubeletServer } from './kubelet/kubelet-server';
import { allocatableOf } from './kubelet/node-object';
import { NodeConfig, withNetworkDefaults } from './kubelet/node-config';
import type { ContainerRuntime } from './runtime/container-runtime';
import { createRuntime, osImageOf, RuntimeSettings } from './runtime/runtime-factory';
import { ServiceProxy, ServiceProxyOptions } from './proxy';

export interface NodeAgentOptions extends ClientConfig {
  /** Use this client instead of building one from the ClientConfig fields. */
  client?: KubeClient;
  runtime: RuntimeSettings;
  /** The nodes this process runs (one for a real node; several simulated ones for tests and benchmarks). */
  nodes: NodeConfig[];
  /**
   * Position of the first node among all nodes of the cluster, for the
   * default address and pod CIDR (`172.18.0.<i+1>`, `10.244.<i>.0/24`).
   * Default 1.
   */
  firstNodeIndex?: number;
  /** Run the service proxy (`proxy/`) with these options; off when absent. */
  proxy?: ServiceProxyOptions;
  kubelet?: Pick<KubeletOptions, 'leaseDurationSeconds' | 'renewIntervalMs' | 'statusReportIntervalMs' | 'workers' | 'recordEvents'>;
  /**
   * Each node's own credentials (`system:node:<name>`), by node name: its
   * kubelet and runtime write and read through a client of its own, so the
   * Node authorizer and NodeRestriction see each node as itself. Nodes not
   * named here use the shared client (as do the shared informers).
   */
  nodeClients?: Record<string, ClientConfig>;
}

/** On a Node whose runtime lacks features here (the process runtime without root): which ones. */
export const MISSING_FEATURES_ANNOTATION = 'node.logbook.io/missing-features';

/** `node-1` .. `node-n`. */
export function simulatedNodeNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `node-${i + 1}`);
}

/**
 * A node agent process: one kubelet per configured node, sharing one
 * client and one Pod informer. With the `simulated` runtime a process can
 * stand in for many nodes (as KWOK does).
 */
export class NodeAgent {
  readonly client: KubeClient;
  readonly informers: InformerFactory;
  private readonly kubelets = new Map<string, { kubelet: Kubelet; runtime: ContainerRuntime; server?: KubeletServer }>();
  private readonly log = new Logger('NodeAgent');
  private nextIndex: number;
  private started = false;
  /** Set by stop(): nodes still starting give up, and nothing starts any more. */
  private stopping = false;
  private readonly adding = new Set<Promise<unknown>>();

  constructor(private readonly opts: NodeAgentOptions) {
    // The ClientConfig fields (server, token, TLS, kubeconfig) build the client.
    const { client, runtime, nodes, firstNodeIndex, kubelet, nodeClients, ...config } = opts;
    this.client = client ?? new KubeClient({ ...config, userAgent: opts.userAgent ?? 'logbook-node-agent' });
    this.informers = new InformerFactory(this.client);
    this.nextIndex = opts.firstNodeIndex ?? 1;
    const names = opts.nodes.map((n) => n.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw new Error(`node ${dup} is configured twice`);
  }

  /** The nodes running here. */
  get nodeNames(): string[] {
    return [...this.kubelets.keys()];
  }

  kubelet(name: string): Kubelet | undefined {
    return this.kubelets.get(name)?.kubelet;
  }

  runtime(name: string): ContainerRuntime | undefined {
    return this.kubelets.get(name)?.runtime;
  }

  /** Starts the Pod informer and registers every node. */
  async start(): Promise<void> {
    if (this.started || this.stopping) return;
    this.started = true;
    this.informers.start();
    await Promise.all(this.opts.nodes.map((n) => this.addNode(n)));
    if (this.opts.proxy && !this.stopping) {
      this.proxy = new ServiceProxy(this.informers, this.opts.proxy);
      await this.proxy.start();
    }
  }

  /** The service proxy, when it runs. */
  proxy?: ServiceProxy;

  /**
   * The cluster CA a node trusts (from its own client settings, else the
   * agent's, or their kubeconfig): kubelet requests must carry tickets it signed.
   */
  private clusterCa(own: ClientConfig | undefined): string | undefined {
    const { client, runtime, nodes, firstNodeIndex, kubelet, proxy, nodeClients, ...config } = this.opts;
    const ca = resolveClientConfig(own ?? config).tls?.ca;
    return ca === undefined ? undefined : ca.toString();
  }

  /** Starts one more node (at run time, e.g. a test adding capacity). */
  addNode(config: NodeConfig): Promise<Kubelet> {
    const adding = this.startNode(config);
    this.adding.add(adding);
    void adding.catch(() => undefined).finally(() => this.adding.delete(adding));
    return adding;
  }

  private async startNode(config: NodeConfig): Promise<Kubelet> {
    if (this.stopping) throw new Error(`the node agent is stopping: node ${config.name} not started`);
    if (this.kubelets.has(config.name)) throw new Error(`node ${config.name} runs already`);
    const defaults = withNetworkDefaults(config, this.nextIndex++);
    const own = this.opts.nodeClients?.[config.name];
    const client = own ? new KubeClient({ ...own, userAgent: this.opts.userAgent ?? 'logbook-node-agent' }) : this.client;
    const runtime = createRuntime(this.opts.runtime, { ...defaults, allocatable: allocatableOf(defaults) }, client);
    let server: KubeletServer | undefined;
    try {
      await runtime.prepare?.();
      if (this.stopping) throw new Error(`the node agent is stopping: node ${config.name} not started`);
      // A runtime with its own pod network decides the node's address (its bridge's).
      const node = { ...defaults, address: config.address ?? runtime.nodeAddress ?? defaults.address };
      if (runtime.missingFeatures?.length) {
        node.annotations = { ...(node.annotations ?? {}), [MISSING_FEATURES_ANNOTATION]: runtime.missingFeatures.join('; ') };
      }
      if (runtime.containerLog) {
        const ca = this.clusterCa(own);
        server = new KubeletServer(
          runtime,
          (namespace, name) => {
            const pod = this.informers.informerFor(kinds.Pod).lister.get(namespace, name);
            return pod?.spec?.nodeName === config.name ? pod.metadata?.uid : undefined;
          },
          ca ? { ca, node: config.name } : undefined,
        );
        if (!ca) this.log.warn(`node ${config.name}: no cluster CA configured (plain HTTP to the API server), so the kubelet endpoint (logs, exec, port-forward) accepts anyone who reaches ${node.address}`);
        node.kubeletPort = await server.listen(node.address, config.kubeletPort ?? 0);
      }
      const kubelet = new Kubelet({ ...this.opts.kubelet, client, informers: this.informers, node, runtime, osImage: osImageOf(this.opts.runtime.kind) });
      this.kubelets.set(config.name, { kubelet, runtime, server });
      await kubelet.start();
      return kubelet;
    } catch (err) {
      this.kubelets.delete(config.name);
      await server?.close();
      await runtime.close();
      throw err;
    }
  }

  /**
   * Stops one node's kubelet and runtime, as if the machine died: the Node
   * stays, its Lease stops being renewed, its pods stay as they were.
   */
  async stopNode(name: string): Promise<void> {
    const entry = this.kubelets.get(name);
    if (!entry) return;
    this.kubelets.delete(name);
    await entry.kubelet.stop();
    await entry.server?.close();
    await entry.runtime.close();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (!this.started) return;
    this.started = false;
    await this.proxy?.stop();
    this.proxy = undefined;
    await Promise.all(this.nodeNames.map((n) => this.stopNode(n)));
    // Nodes that were still registering: stopped above (their kubelet gives up) or failing now.
    await Promise.allSettled([...this.adding]);
    await Promise.all(this.nodeNames.map((n) => this.stopNode(n)));
    await this.informers.stop();
    this.log.log('stopped');
  }
}
