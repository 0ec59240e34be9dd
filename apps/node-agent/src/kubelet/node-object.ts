import { createHash } from 'crypto';
import * as os from 'os';
import type { Node, NodeCondition } from '@logbook/api';
import { DEFAULT_CAPACITY, NodeConfig } from './node-config';

export const KUBELET_VERSION = 'v1.32.0-logbook';

const arch = () => ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' })[process.arch as string] ?? process.arch;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const stringify = (list: Record<string, string | number>) => Object.fromEntries(Object.entries(list).map(([k, v]) => [k, String(v)]));

/** The labels a kubelet puts on its Node, then the user's. */
export function nodeLabels(config: NodeConfig): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': arch(),
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch(),
    'kubernetes.io/hostname': config.name,
    'kubernetes.io/os': 'linux',
    ...(config.labels ?? {}),
  };
}

/** Ready=True and no pressure: a healthy node, as of `now`. */
export function healthyConditions(now: number, previous: NodeCondition[] = []): NodeCondition[] {
  const at = iso(now);
  const make = (type: string, status: 'True' | 'False', reason: string, message: string): NodeCondition => {
    const prev = previous.find((c) => c.type === type);
    return { type, status, lastHeartbeatTime: at, lastTransitionTime: prev?.status === status ? (prev.lastTransitionTime ?? at) : at, reason, message };
  };
  return [
    make('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    make('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    make('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    make('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

/** A node's allocatable resources: the configured ones over its capacity (defaults included). */
export function allocatableOf(config: NodeConfig): Record<string, string> {
  const capacity = stringify({ ...DEFAULT_CAPACITY, ...(config.capacity ?? {}) });
  return config.allocatable ? stringify({ ...capacity, ...config.allocatable }) : capacity;
}

/** The Node a kubelet registers (status included: Nodes keep their status on create). */
export function nodeObject(
  config: NodeConfig & { address: string; podCIDR: string },
  runtime: { version: string; osImage: string },
  now: number,
): Node {
  const capacity = stringify({ ...DEFAULT_CAPACITY, ...(config.capacity ?? {}) });
  const allocatable = allocatableOf(config);
  const id = createHash('sha256').update(config.name).digest('hex');
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: config.name,
      labels: nodeLabels(config),
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true', ...(config.annotations ?? {}) },
    },
    spec: {
      podCIDR: config.podCIDR,
      podCIDRs: [config.podCIDR],
      ...(config.taints?.length ? { taints: config.taints } : {}),
      ...(config.unschedulable ? { unschedulable: true } : {}),
    },
    status: {
      capacity,
      allocatable,
      conditions: healthyConditions(now),
      addresses: [
        { type: 'InternalIP', address: config.address },
        { type: 'Hostname', address: config.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: config.kubeletPort ?? 10250 } },
      nodeInfo: {
        machineID: id.slice(0, 32),
        systemUUID: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`,
        bootID: createHash('sha256').update(`${config.name}/${now}`).digest('hex').slice(0, 32),
        kernelVersion: os.release(),
        osImage: runtime.osImage,
        containerRuntimeVersion: runtime.version,
        kubeletVersion: KUBELET_VERSION,
        kubeProxyVersion: KUBELET_VERSION,
        operatingSystem: 'linux',
        architecture: arch(),
      },
    },
  };
}
