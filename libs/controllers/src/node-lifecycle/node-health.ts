/**
 * Is the kubelet still there? As Kubernetes' tryUpdateNodeHealth: the
 * controller remembers, per node, when it last *saw* a sign of life — a
 * renewed Lease (`kube-node-lease/<node>`) or a new heartbeat on the Ready
 * condition — by its own clock (so clock skew between machines does not
 * matter). A node with no sign of life for the grace period gets its
 * Ready, MemoryPressure, DiskPressure and PIDPressure conditions set to
 * Unknown. After a restart of the controller (or a change of leader) every
 * node starts with a full grace period.
 */
import type { Lease, Node, NodeCondition } from '@logbook/api';
import { readyCondition } from './taints';

interface Seen {
  probeAt: number;
  renewTime?: string;
  heartbeat?: string;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class NodeHealthTracker {
  private readonly seen = new Map<string, Seen>();

  /**
   * Records what the node and its lease show now and returns when the
   * controller last saw a sign of life (ms). A node not seen before counts
   * from now: a full grace period.
   */
  observe(node: Node, lease: Lease | undefined, now: number): number {
    const name = node.metadata?.name ?? '';
    const renewTime = lease?.spec?.renewTime ?? undefined;
    const heartbeat = readyCondition(node)?.lastHeartbeatTime ?? undefined;
    const prev = this.seen.get(name);
    if (!prev) {
      this.seen.set(name, { probeAt: now, renewTime, heartbeat });
      return now;
    }
    const renewed = renewTime !== undefined && renewTime !== prev.renewTime && (!prev.renewTime || Date.parse(renewTime) > Date.parse(prev.renewTime));
    const heartbeatMoved = heartbeat !== undefined && heartbeat !== prev.heartbeat;
    if (renewed || heartbeatMoved) prev.probeAt = now;
    prev.renewTime = renewTime;
    prev.heartbeat = heartbeat;
    return prev.probeAt;
  }

  forget(name: string): void {
    this.seen.delete(name);
  }
}

const WATCHED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

/**
 * The node's conditions after its kubelet went silent: Ready and the
 * pressure conditions Unknown (NetworkUnavailable is the network plugin's,
 * left alone). Conditions that were never posted are added as
 * NodeStatusNeverUpdated. Undefined when they are all Unknown already.
 */
export function unknownConditions(node: Node, now: number): NodeCondition[] | undefined {
  const at = iso(now);
  const conditions = (node.status?.conditions ?? []).map((c) => ({ ...c }));
  let changed = false;
  for (const type of WATCHED_CONDITIONS) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata?.creationTimestamp ?? at,
        lastTransitionTime: at,
      });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = at;
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}

/** The zone a node is in, for disruption accounting ('' when unlabelled). */
export function zoneOf(node: Node): string {
  const labels = node.metadata?.labels ?? {};
  return labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? '';
}

/**
 * A zone is fully disrupted when none of its nodes is Ready (and at least
 * one is not): Kubernetes then stops evicting there, since losing every
 * node at once more likely means the control plane lost its network.
 */
export function zoneFullyDisrupted(nodes: readonly Node[]): boolean {
  let ready = 0;
  let notReady = 0;
  for (const n of nodes) {
    if (readyCondition(n)?.status === 'True') ready++;
    else notReady++;
  }
  return ready === 0 && notReady > 0;
}
