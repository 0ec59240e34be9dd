import { Logger } from '@nestjs/common';
import { ClientConfig, InformerFactory, KubeClient } from '@logbook/sdk';
import { Kubelet, KubeletOptions } from './kubelet/kubelet';
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
}

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
  private readonly kubelets = new Map<string, { kubelet: Kubelet; runtime: ContainerRuntime }>();
  private readonly log = new Logger('NodeAgent');
  private nextIndex: number;
  private started = false;

  constructor(private readonly opts: NodeAgentOptions) {
    // The ClientConfig fields (server, token, TLS, kubeconfig) build the client.
    const { client, runtime, nodes, firstNodeIndex, kubelet, ...config } = opts;
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
    if (this.started) return;
    this.started = true;
    this.informers.start();
    await Promise.all(this.opts.nodes.map((n) => this.addNode(n)));
    if (this.opts.proxy) {
      this.proxy = new ServiceProxy(this.informers, this.opts.proxy);
      await this.proxy.start();
    }
  }

  /** The service proxy, when it runs. */
  proxy?: ServiceProxy;

  /** Starts one more node (at run time, e.g. a test adding capacity). */
  async addNode(config: NodeConfig): Promise<Kubelet> {
    if (this.kubelets.has(config.name)) throw new Error(`node ${config.name} runs already`);
    const node = withNetworkDefaults(config, this.nextIndex++);
    const runtime = createRuntime(this.opts.runtime, node);
    const kubelet = new Kubelet({ ...this.opts.kubelet, client: this.client, informers: this.informers, node, runtime, osImage: osImageOf(this.opts.runtime.kind) });
    this.kubelets.set(config.name, { kubelet, runtime });
    try {
      await kubelet.start();
    } catch (err) {
      this.kubelets.delete(config.name);
      await runtime.close();
      throw err;
    }
    return kubelet;
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
    await entry.runtime.close();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.proxy?.stop();
    this.proxy = undefined;
    await Promise.all(this.nodeNames.map((n) => this.stopNode(n)));
    await this.informers.stop();
    this.log.log('stopped');
  }
}
