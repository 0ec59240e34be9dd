import type { Node, Pod } from '@logbook/api';
import { allocatableOf, nonZeroRequests, podRequests, ResourceList } from './resources';

/** The uid of the object that controls a pod (its ReplicaSet, Job, ...), if any. */
export function controllerUidOf(pod: Pod): string | undefined {
  return pod.metadata?.ownerReferences?.find((r) => r.controller)?.uid;
}

/** The host ports a pod's containers ask for, as `protocol/hostIP/hostPort`. */
export function hostPortsOf(pod: Pod): string[] {
  const out: string[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      out.push(`${p.protocol ?? 'TCP'}/${p.hostIP || '0.0.0.0'}/${p.hostPort}`);
    }
  }
  return out;
}

/** What one pod takes from a node, computed once when it is counted. */
interface PodUsage {
  pod: Pod;
  requests: ResourceList;
  nonZero: { milliCPU: number; memory: number };
  ports: string[];
  owner?: string;
}

/**
 * A node with the pods the scheduler counts on it (kube-scheduler's
 * `NodeInfo`): the sums of what they request, the host ports they hold, and
 * how many belong to each controller (for spreading). Pods are keyed by uid,
 * so adding a pod again replaces it.
 */
export class NodeInfo {
  private readonly usage = new Map<string, PodUsage>();
  /** Sum of the pods' requests. */
  readonly requested: ResourceList = {};
  /** Sum of CPU/memory requests with the scoring defaults for containers that ask for none. */
  readonly nonZeroRequested = { milliCPU: 0, memory: 0 };
  private readonly ports = new Map<string, number>();
  private readonly byController = new Map<string, number>();

  private allocatableFor?: { node: Node; list: ResourceList };

  constructor(public node: Node) {}

  /**
   * The node's allocatable resources, parsed once per version of the Node
   * (every filter and score of every pod asks; quantities are not cheap).
   */
  get allocatable(): ResourceList {
    if (this.allocatableFor?.node !== this.node) this.allocatableFor = { node: this.node, list: allocatableOf(this.node) };
    return this.allocatableFor.list;
  }

  get name(): string {
    return this.node.metadata?.name ?? '';
  }

  get podCount(): number {
    return this.usage.size;
  }

  get pods(): Pod[] {
    return [...this.usage.values()].map((u) => u.pod);
  }

  /** `protocol/hostIP/hostPort` of every host port in use. */
  get usedPorts(): string[] {
    return [...this.ports.keys()];
  }

  hasPod(uid: string): boolean {
    return this.usage.has(uid);
  }

  addPod(pod: Pod): void {
    const uid = pod.metadata?.uid ?? `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    this.removePod(uid);
    const u: PodUsage = { pod, requests: podRequests(pod), nonZero: nonZeroRequests(pod), ports: hostPortsOf(pod), owner: controllerUidOf(pod) };
    this.usage.set(uid, u);
    this.account(u, 1);
  }

  removePod(uid: string): boolean {
    const u = this.usage.get(uid);
    if (!u) return false;
    this.usage.delete(uid);
    this.account(u, -1);
    return true;
  }

  /** Pods on this node controlled by the object with this uid. */
  podsOf(controllerUid: string): number {
    return this.byController.get(controllerUid) ?? 0;
  }

  private account(u: PodUsage, sign: 1 | -1): void {
    for (const [k, v] of Object.entries(u.requests)) this.requested[k] = (this.requested[k] ?? 0) + sign * v;
    this.nonZeroRequested.milliCPU += sign * u.nonZero.milliCPU;
    this.nonZeroRequested.memory += sign * u.nonZero.memory;
    for (const p of u.ports) bump(this.ports, p, sign);
    if (u.owner) bump(this.byController, u.owner, sign);
  }
}

function bump(m: Map<string, number>, key: string, by: number): void {
  const n = (m.get(key) ?? 0) + by;
  if (n > 0) m.set(key, n);
  else m.delete(key);
}
