import type { Node, Pod } from '@logbook/api';
import { NodeAgent, NodeConfig, SimulatedRuntimeOptions } from '@logbook/node-agent';
import type { KubeletOptions } from '@logbook/node-agent';
import { PodScheduler, PodSchedulerOptions } from '@logbook/scheduler';
import { ControllerManager, kinds, KubeClient, ObjectKey } from '@logbook/sdk';
import { eventually, startTestApiServer, TestApiServer } from '@logbook/sdk/testing';
import type { TestApiServerOptions } from '@logbook/sdk/testing';
import { NodeBuilder } from './fixtures';

export type NodeSpec = NodeConfig | NodeBuilder;

export interface SimulatedClusterOptions {
  /** A count (`node-1`..`node-n`, default capacity) or the nodes themselves. Default 1. */
  nodes?: number | NodeSpec[];
  /** Run the scheduler (default true), with these options. */
  scheduler?: boolean | PodSchedulerOptions;
  /**
   * Timings and rules of the simulated runtime. Defaults for tests: pods
   * start in 10–50 ms, jobs run 500 ms, termination takes 20 ms, restarts
   * back off from 200 ms.
   */
  runtime?: Omit<SimulatedRuntimeOptions, 'podCIDR'>;
  kubelet?: Pick<KubeletOptions, 'leaseDurationSeconds' | 'renewIntervalMs' | 'statusReportIntervalMs' | 'workers' | 'recordEvents'>;
  /** Options for the apiserver process. */
  apiServer?: TestApiServerOptions;
}

/**
 * A cluster for tests: a real apiserver (its own process and database),
 * the scheduler and simulated nodes running in the test process, each with
 * its own client, as separate processes would be.
 */
export interface SimulatedCluster {
  readonly url: string;
  /** A client for the local admin. */
  readonly client: KubeClient;
  /** Names of the nodes running. */
  readonly nodes: string[];
  readonly apiServer: TestApiServer;
  readonly nodeAgent: NodeAgent;
  readonly scheduler?: PodScheduler;
  /** Starts another node and waits until it is Ready. */
  addNode(spec: NodeSpec): Promise<string>;
  /** Stops a node's kubelet as if its machine died: the Node stays, its Lease is no longer renewed. */
  stopNode(name: string): Promise<void>;
  /** Restarts the apiserver (same database and port); clients and informers reconnect. */
  restartApiServer(opts?: { kill?: boolean }): Promise<void>;
  /** Waits until the pod satisfies `cond`; returns it. */
  waitForPod(key: ObjectKey | string, cond: (pod: Pod) => boolean, opts?: { timeoutMs?: number; what?: string }): Promise<Pod>;
  /** Waits until the pod is Running with Ready=True. */
  waitForPodReady(key: ObjectKey | string, opts?: { timeoutMs?: number }): Promise<Pod>;
  /** Stops everything and drops the database. */
  stop(): Promise<void>;
}

const TEST_RUNTIME: Omit<SimulatedRuntimeOptions, 'podCIDR'> = {
  startDelayMs: [10, 50],
  runMs: 500,
  terminationDelayMs: 20,
  restartBackoffMs: 200,
  maxRestartBackoffMs: 5_000,
};

const toConfig = (spec: NodeSpec): NodeConfig => (spec instanceof NodeBuilder ? spec.build() : spec);
const toKey = (key: ObjectKey | string): ObjectKey => (typeof key === 'string' ? { namespace: 'default', name: key } : { namespace: key.namespace ?? 'default', name: key.name });

export const isPodReady = (pod: Pod | undefined): boolean =>
  pod?.status?.phase === 'Running' && !!pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
export const isNodeReady = (node: Node | undefined): boolean => !!node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/**
 * Starts a simulated cluster:
 *
 * ```ts
 * const cluster = await startSimulatedCluster({ nodes: [aNode('n1'), aNode('n2').withLabels({ gpu: 'true' })] });
 * await cluster.client.create(kinds.Pod, aPod('kubia-gpu').withNodeSelector({ gpu: 'true' }).build());
 * const pod = await cluster.waitForPodReady('kubia-gpu');   // pod.spec.nodeName === 'n2'
 * await cluster.stop();
 * ```
 *
 * Controllers under test run beside it on their own manager:
 * `new ControllerManager({ server: cluster.url })`.
 */
export async function startSimulatedCluster(options: SimulatedClusterOptions = {}): Promise<SimulatedCluster> {
  const apiServer = await startTestApiServer(options.apiServer);
  const url = apiServer.url;
  const specs = typeof options.nodes === 'number' || options.nodes === undefined ? nodeCount(options.nodes ?? 1) : options.nodes.map(toConfig);
  const nodeAgent = new NodeAgent({
    server: url,
    userAgent: 'logbook-node-agent',
    runtime: { kind: 'simulated', simulated: { ...TEST_RUNTIME, ...(options.runtime ?? {}) } },
    nodes: specs,
    kubelet: options.kubelet,
  });
  let schedulerManager: ControllerManager | undefined;
  let scheduler: PodScheduler | undefined;
  try {
    await nodeAgent.start();
    if (options.scheduler !== false) {
      schedulerManager = new ControllerManager({ server: url, userAgent: 'logbook-scheduler', identity: 'scheduler-under-test' });
      scheduler = new PodScheduler(typeof options.scheduler === 'object' ? options.scheduler : {}).addTo(schedulerManager);
      await schedulerManager.start();
      if (!(await schedulerManager.waitForCacheSync(30_000))) throw new Error('the scheduler caches did not sync');
    }
    await eventually(async () => (await apiServer.client.list(kinds.Node)).items.filter(isNodeReady).length >= specs.length, {
      timeoutMs: 30_000,
      what: `${specs.length} Ready node(s)`,
    });
  } catch (err) {
    await schedulerManager?.stop().catch(() => undefined);
    scheduler?.detach();
    await nodeAgent.stop().catch(() => undefined);
    await apiServer.stop();
    throw err;
  }

  const client = apiServer.client;
  const waitForPod = (key: ObjectKey | string, cond: (pod: Pod) => boolean, opts: { timeoutMs?: number; what?: string } = {}) => {
    const k = toKey(key);
    let last: Pod | undefined;
    return eventually(
      async () => {
        last = await client.get(kinds.Pod, k);
        return cond(last) ? last : undefined;
      },
      { timeoutMs: opts.timeoutMs ?? 15_000, what: opts.what ?? `pod ${k.namespace}/${k.name}` },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last seen: ${JSON.stringify({ nodeName: last?.spec?.nodeName, status: last?.status })}`);
    });
  };

  return {
    url,
    client,
    get nodes() {
      return nodeAgent.nodeNames;
    },
    apiServer,
    nodeAgent,
    scheduler,
    async addNode(spec) {
      const config = toConfig(spec);
      await nodeAgent.addNode(config);
      await eventually(async () => isNodeReady(await client.get(kinds.Node, { name: config.name })), { timeoutMs: 15_000, what: `node ${config.name} Ready` });
      return config.name;
    },
    stopNode: (name) => nodeAgent.stopNode(name),
    restartApiServer: (opts) => apiServer.restart(opts),
    waitForPod,
    waitForPodReady: (key, opts) => waitForPod(key, isPodReady, { ...opts, what: `pod ${toKey(key).name} Running and Ready` }),
    async stop() {
      await schedulerManager?.stop();
      scheduler?.detach();
      await nodeAgent.stop();
      await apiServer.stop();
    },
  };
}

function nodeCount(n: number): NodeConfig[] {
  return Array.from({ length: n }, (_, i) => ({ name: `node-${i + 1}` }));
}
