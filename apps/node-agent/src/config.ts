import type { Taint } from '@logbook/api';
import type { NodeAgentOptions } from './node-agent';
import { simulatedNodeNames } from './node-agent';
import type { NodeConfig } from './kubelet/node-config';
import type { RuntimeKind } from './runtime/runtime-factory';

/**
 * The node agent's settings from the environment:
 *
 * | variable | meaning |
 * |---|---|
 * | `LOGBOOK_RUNTIME` | `simulated` or `process` (default `process`) |
 * | `LOGBOOK_SIMULATED_NODES` | simulated runtime: a count (`3` → `node-1..3`) or names (`a,b,c`); default 1 |
 * | `LOGBOOK_NODE_NAME` | the node's name when one node runs (default: the count's `node-1`) |
 * | `LOGBOOK_NODES` | JSON array of node configs (`[{"name":"n1","labels":{"gpu":"true"},"capacity":{"cpu":"8"}}]`); wins over the above |
 * | `LOGBOOK_NODE_LABELS` | labels for every node: `gpu=true,disk=ssd` |
 * | `LOGBOOK_NODE_TAINTS` | taints for every node: `dedicated=infra:NoSchedule,gpu:NoSchedule` |
 * | `LOGBOOK_NODE_CPU`, `LOGBOOK_NODE_MEMORY`, `LOGBOOK_NODE_PODS` | capacity of every node (default 4, 16Gi, 110) |
 * | `LOGBOOK_NODE_INDEX` | position of the first node in the cluster, for its address and pod CIDR (default 1) |
 * | `LOGBOOK_SIMULATED_START_DELAY_MS` | `min-max` from seeing a pod to running it (default `100-300`) |
 * | `LOGBOOK_SIMULATED_RUN_MS` | how long a job's container runs (default 1000) |
 * | `LOGBOOK_KUBELET_EVENTS` | `false`: record no Pulled/Created/Started/Killing events (fewer API writes) |
 * | `LOGBOOK_PROXY` | `true`/`false`: run the service proxy (default: with the process runtime only) |
 * | `LOGBOOK_PROXY_NODEPORT_ADDRESS` | where NodePorts are bound (default `0.0.0.0`) |
 * | `LOGBOOK_PROXY_INTERFACE` | the device ClusterIPs go on (default `lbsvc<pid>`; `none`: no ClusterIP listeners) |
 * | `LOGBOOK_CLUSTER_DNS` | process runtime: the cluster DNS server's IP, written into pods' /etc/resolv.conf |
 * | `LOGBOOK_CLUSTER_DOMAIN` | process runtime: the cluster domain (default `cluster.local`) |
 * | `LOGBOOK_KUBELET_DIR` | process runtime: where pods' logs and files live (default: a temporary directory per node) |
 * | `LOGBOOK_POD_ISOLATION` | process runtime: `auto` (namespaces when root, the default) or `off` (pods share the host's network) |
 * | `LOGBOOK_RESTART_BACKOFF_MS` | process runtime: the first crash back-off (default 10000, doubling to 5 min) |
 * | `LOGBOOK_IMAGE_CATALOG` | process runtime: the image catalog file (default apps/node-agent/images/catalog.yaml) |
 * | `LOGBOOK_SERVER`, `LOGBOOK_TOKEN` | the API server and a bearer token |
 */
export function nodeAgentOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): NodeAgentOptions {
  const kind = (env.LOGBOOK_RUNTIME || 'process') as RuntimeKind;
  if (kind !== 'simulated' && kind !== 'process') throw new Error(`LOGBOOK_RUNTIME must be simulated or process, not ${JSON.stringify(kind)}`);
  const common: Partial<NodeConfig> = {};
  if (env.LOGBOOK_NODE_LABELS) common.labels = parseLabels(env.LOGBOOK_NODE_LABELS);
  if (env.LOGBOOK_NODE_TAINTS) common.taints = parseTaints(env.LOGBOOK_NODE_TAINTS);
  const capacity: Record<string, string> = {};
  if (env.LOGBOOK_NODE_CPU) capacity.cpu = env.LOGBOOK_NODE_CPU;
  if (env.LOGBOOK_NODE_MEMORY) capacity.memory = env.LOGBOOK_NODE_MEMORY;
  if (env.LOGBOOK_NODE_PODS) capacity.pods = env.LOGBOOK_NODE_PODS;
  if (Object.keys(capacity).length) common.capacity = capacity;

  let nodes: NodeConfig[];
  if (env.LOGBOOK_NODES) {
    const parsed = JSON.parse(env.LOGBOOK_NODES) as NodeConfig[];
    if (!Array.isArray(parsed) || parsed.some((n) => !n || typeof n.name !== 'string')) throw new Error('LOGBOOK_NODES must be a JSON array of objects with a name');
    nodes = parsed.map((n) => ({ ...common, ...n, labels: { ...(common.labels ?? {}), ...(n.labels ?? {}) } }));
  } else {
    nodes = nodeNames(env, kind).map((name) => ({ name, ...common }));
  }

  const delay = env.LOGBOOK_SIMULATED_START_DELAY_MS;
  let startDelayMs: [number, number] | undefined;
  if (delay) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(delay.trim());
    if (!m) throw new Error(`LOGBOOK_SIMULATED_START_DELAY_MS must be "min-max" or a number of ms, not ${JSON.stringify(delay)}`);
    startDelayMs = [Number(m[1]), Number(m[2] ?? m[1])];
  }
  const runMs = env.LOGBOOK_SIMULATED_RUN_MS ? positiveInt('LOGBOOK_SIMULATED_RUN_MS', env.LOGBOOK_SIMULATED_RUN_MS) : undefined;
  const isolation = env.LOGBOOK_POD_ISOLATION || 'auto';
  if (isolation !== 'auto' && isolation !== 'off') throw new Error(`LOGBOOK_POD_ISOLATION must be auto or off, not ${JSON.stringify(isolation)}`);
  if (env.LOGBOOK_CLUSTER_DNS && !/^\d+\.\d+\.\d+\.\d+$/.test(env.LOGBOOK_CLUSTER_DNS)) throw new Error(`LOGBOOK_CLUSTER_DNS must be an IPv4 address, not ${JSON.stringify(env.LOGBOOK_CLUSTER_DNS)}`);
  const processSettings = {
    ...(env.LOGBOOK_CLUSTER_DNS ? { clusterDNS: env.LOGBOOK_CLUSTER_DNS } : {}),
    ...(env.LOGBOOK_CLUSTER_DOMAIN ? { clusterDomain: env.LOGBOOK_CLUSTER_DOMAIN } : {}),
    ...(env.LOGBOOK_KUBELET_DIR ? { stateDir: env.LOGBOOK_KUBELET_DIR } : {}),
    ...(isolation === 'off' ? { isolate: false } : {}),
    ...(env.LOGBOOK_RESTART_BACKOFF_MS ? { restartBackoffMs: positiveInt('LOGBOOK_RESTART_BACKOFF_MS', env.LOGBOOK_RESTART_BACKOFF_MS) } : {}),
  };
  return {
    server: env.LOGBOOK_SERVER,
    token: env.LOGBOOK_TOKEN,
    runtime: { kind, simulated: { ...(startDelayMs ? { startDelayMs } : {}), ...(runMs !== undefined ? { runMs } : {}) }, ...(kind === 'process' ? { process: processSettings } : {}) },
    nodes,
    firstNodeIndex: env.LOGBOOK_NODE_INDEX ? positiveInt('LOGBOOK_NODE_INDEX', env.LOGBOOK_NODE_INDEX) : 1,
    ...(env.LOGBOOK_KUBELET_EVENTS === 'false' ? { kubelet: { recordEvents: false } } : {}),
    ...((env.LOGBOOK_PROXY ?? (kind === 'process' ? 'true' : 'false')) === 'true'
      ? {
          proxy: {
            nodePortAddress: env.LOGBOOK_PROXY_NODEPORT_ADDRESS || undefined,
            clusterIPInterface: env.LOGBOOK_PROXY_INTERFACE === 'none' ? false : env.LOGBOOK_PROXY_INTERFACE || undefined,
          },
        }
      : {}),
  };
}

function nodeNames(env: NodeJS.ProcessEnv, kind: RuntimeKind): string[] {
  const spec = env.LOGBOOK_SIMULATED_NODES?.trim();
  if (kind === 'simulated' && spec) {
    if (/^\d+$/.test(spec)) {
      const n = Number(spec);
      if (n < 1) throw new Error('LOGBOOK_SIMULATED_NODES must be at least 1');
      return n === 1 && env.LOGBOOK_NODE_NAME ? [env.LOGBOOK_NODE_NAME] : simulatedNodeNames(n);
    }
    return spec.split(',').map((s) => s.trim()).filter(Boolean);
  }
  return [env.LOGBOOK_NODE_NAME || 'node-1'];
}

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, not ${JSON.stringify(value)}`);
  return n;
}

/** `a=b,c=d`. */
export function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`a label must be key=value, not ${JSON.stringify(part)}`);
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** `key=value:Effect` or `key:Effect`, comma-separated (kubelet's --register-with-taints). */
export function parseTaints(text: string): Taint[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(part);
      if (!m) throw new Error(`a taint must be key[=value]:NoSchedule|PreferNoSchedule|NoExecute, not ${JSON.stringify(part)}`);
      return { key: m[1], ...(m[2] !== undefined ? { value: m[2] } : {}), effect: m[3] as Taint['effect'] };
    });
}
