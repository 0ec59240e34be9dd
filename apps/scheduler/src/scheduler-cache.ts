import type { Node, Pod } from '@logbook/api';
import type { InformerEvent } from '@logbook/sdk';
import { NodeInfo } from './framework/node-info';

const uidOf = (pod: Pod) => pod.metadata?.uid ?? `${pod.metadata?.namespace}/${pod.metadata?.name}`;
const isTerminal = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** How long a binding may go unseen by the informer before its assumption is dropped (kube: 30 s after binding). */
export const ASSUMED_POD_TTL_MS = 30_000;

/**
 * The scheduler's view of the cluster (kube-scheduler's `internal/cache`):
 * nodes with the pods counted on them, kept up to date from the informers'
 * events, plus pods *assumed* on a node — bound by this scheduler but not
 * yet seen bound by the informer — so that the next decision, made before
 * the watch catches up, already counts them. An assumption ends when the
 * informer shows the pod bound (or gone), when the binding fails, or after
 * a TTL.
 *
 * Pods in a terminal phase (Succeeded, Failed) take nothing from a node.
 */
export class SchedulerCache {
  private readonly infos = new Map<string, NodeInfo>();
  private readonly present = new Set<string>();
  /** uid → the node it is counted on. */
  private readonly countedOn = new Map<string, string>();
  private readonly assumed = new Map<string, { node: string; deadline: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  onNodeEvent(e: InformerEvent<Node>): void {
    const name = e.object.metadata?.name;
    if (!name) return;
    if (e.type === 'DELETED') {
      this.present.delete(name);
      const info = this.infos.get(name);
      if (info && info.podCount === 0) this.infos.delete(name);
      return;
    }
    this.present.add(name);
    const info = this.infos.get(name);
    if (info) info.node = e.object;
    else this.infos.set(name, new NodeInfo(e.object));
  }

  onPodEvent(e: InformerEvent<Pod>): void {
    const pod = e.object;
    const uid = uidOf(pod);
    if (e.type === 'DELETED') {
      this.assumed.delete(uid);
      this.uncount(uid);
      return;
    }
    const node = pod.spec?.nodeName;
    if (node && !isTerminal(pod)) {
      this.assumed.delete(uid);
      this.count(uid, node, pod);
    } else if (!node && this.assumed.has(uid)) {
      // Bound by us; the watch has not shown it yet.
    } else {
      this.assumed.delete(uid);
      this.uncount(uid);
    }
  }

  /** Counts `pod` on `node` before its binding is seen. */
  assume(pod: Pod, node: string): void {
    const uid = uidOf(pod);
    this.assumed.set(uid, { node, deadline: this.now() + ASSUMED_POD_TTL_MS });
    this.count(uid, node, { ...pod, spec: { ...pod.spec!, nodeName: node } });
  }

  /** Drops an assumption (the binding failed). */
  forget(pod: Pod): void {
    const uid = uidOf(pod);
    if (!this.assumed.delete(uid)) return;
    this.uncount(uid);
  }

  isAssumed(pod: Pod): boolean {
    this.expire();
    return this.assumed.has(uidOf(pod));
  }

  /** The nodes that exist, with what is counted on them. */
  nodes(): NodeInfo[] {
    this.expire();
    const out: NodeInfo[] = [];
    for (const name of this.present) out.push(this.infos.get(name)!);
    return out;
  }

  node(name: string): NodeInfo | undefined {
    return this.present.has(name) ? this.infos.get(name) : undefined;
  }

  private expire(): void {
    const now = this.now();
    for (const [uid, a] of this.assumed) {
      if (a.deadline > now) continue;
      this.assumed.delete(uid);
      this.uncount(uid);
    }
  }

  private count(uid: string, node: string, pod: Pod): void {
    const previous = this.countedOn.get(uid);
    if (previous && previous !== node) this.uncount(uid);
    let info = this.infos.get(node);
    if (!info) {
      info = new NodeInfo({ metadata: { name: node } });
      this.infos.set(node, info);
    }
    info.addPod(pod);
    this.countedOn.set(uid, node);
  }

  private uncount(uid: string): void {
    const node = this.countedOn.get(uid);
    if (!node) return;
    this.countedOn.delete(uid);
    const info = this.infos.get(node);
    info?.removePod(uid);
    if (info && info.podCount === 0 && !this.present.has(node)) this.infos.delete(node);
  }
}
