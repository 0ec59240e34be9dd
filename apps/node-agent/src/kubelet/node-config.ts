import type { Taint } from '@logbook/api';

/** What a node agent registers: the Node's name, labels, resources and taints. */
export interface NodeConfig {
  name: string;
  /** User labels, beside `kubernetes.io/hostname`, `kubernetes.io/os` and `kubernetes.io/arch`. */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Default cpu 4, memory 16Gi, pods 110, ephemeral-storage 100Gi. */
  capacity?: Record<string, string | number>;
  /** Default: the capacity. */
  allocatable?: Record<string, string | number>;
  /** Registered with the node (kubelet's `--register-with-taints`), on creation only. */
  taints?: Taint[];
  /** Registered as cordoned (`spec.unschedulable`), on creation only. */
  unschedulable?: boolean;
  /** The node's InternalIP (the pods' hostIP). */
  address?: string;
  /** Where pod IPs come from, e.g. `10.244.1.0/24`. */
  podCIDR?: string;
  /** The port of the kubelet's HTTP endpoint (logs, exec), advertised in `daemonEndpoints`. Default 10250. */
  kubeletPort?: number;
}

export const DEFAULT_CAPACITY: Readonly<Record<string, string>> = { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' };

/**
 * Fills in a node's address and pod CIDR from its position among the
 * simulated nodes of a process (or of a cluster): node n gets
 * `172.18.0.<n+1>` (as kind numbers its nodes) and `10.244.<n>.0/24`.
 */
export function withNetworkDefaults(config: NodeConfig, index: number): NodeConfig & { address: string; podCIDR: string } {
  if (index < 1 || index > 250) throw new Error(`node index ${index} is out of range 1..250 (set address and podCIDR for more nodes)`);
  return { ...config, address: config.address ?? `172.18.0.${index + 1}`, podCIDR: config.podCIDR ?? `10.244.${index}.0/24` };
}
