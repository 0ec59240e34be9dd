/**
 * The node lifecycle controller, one reconcile per Node:
 *
 * 1. Health: a node whose kubelet has shown no sign of life (renewed Lease
 *    in `kube-node-lease`, new Ready heartbeat) for the grace period gets
 *    Ready (and the pressure conditions) Unknown — "Kubelet stopped posting
 *    node status." The kubelet sets Ready back when it runs again.
 * 2. Taints: NoSchedule taints for the conditions (not-ready, unreachable,
 *    memory/disk/pid pressure, network-unavailable) and for cordoned nodes
 *    (`spec.unschedulable` → unschedulable); the NoExecute taint not-ready
 *    (Ready=False) or unreachable (Ready=Unknown), removed when Ready is
 *    True again. No NoExecute taint while the node's whole zone is down.
 * 3. Pods on a node whose Ready is Unknown get Ready=False (nobody else
 *    will say so: their kubelet is gone).
 * 4. Eviction: pods on a node with NoExecute taints they do not tolerate
 *    are deleted at once; those that tolerate them for tolerationSeconds
 *    (300 s by default, see taint-eviction.ts) when that time is up. Their
 *    controllers then make replacements that the scheduler places elsewhere.
 *
 * It requeues itself for the moment the grace period or a toleration runs
 * out, and every monitor period while the node is unhealthy.
 */
import { Inject, Optional } from '@nestjs/common';
import type { Lease, Node, Pod, Taint } from '@logbook/api';
import { isConflict, isNotFound } from '@logbook/machinery';
import { kinds, KubeObject, ReconcileContext, Reconciler, Request, Result } from '@logbook/sdk';
import { NodeHealthTracker, unknownConditions, zoneFullyDisrupted, zoneOf } from './node-health';
import { DEFAULT_TOLERATION_SECONDS, evictionDecision } from './taint-eviction';
import { noExecuteTaint, noScheduleTaints, readyCondition, reconcileTaints } from './taints';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const NODE_LIFECYCLE_OPTIONS = Symbol.for('logbook.controllers.node-lifecycle.options');

export interface NodeLifecycleOptions {
  /** Time without a sign of life before a node is Unknown (kube's --node-monitor-grace-period). Default 40 s. */
  gracePeriodMs?: number;
  /** The same for a node that never posted a Ready condition (--node-startup-grace-period). Default 60 s. */
  startupGracePeriodMs?: number;
  /** tolerationSeconds pods get for not-ready/unreachable when they set none (DefaultTolerationSeconds). Default 300. */
  defaultTolerationSeconds?: number;
  /** How often an unhealthy node is looked at again (--node-monitor-period). Default 5 s. */
  monitorPeriodMs?: number;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Pods whose node changed (a binding) or that appeared: their node may need to schedule an eviction. */
const podBoundOrAdded = (e: { type: string; object: KubeObject; oldObject?: KubeObject }): boolean => {
  const node = (e.object as Pod).spec?.nodeName;
  if (!node) return false;
  return e.type !== 'UPDATED' || (e.oldObject as Pod | undefined)?.spec?.nodeName !== node;
};

@Reconciler({
  name: 'node-lifecycle',
  for: kinds.Node,
  watches: [
    {
      kind: kinds.Lease,
      map: (lease) => (lease.metadata?.namespace === NODE_LEASE_NAMESPACE ? { namespace: '', name: lease.metadata.name! } : undefined),
    },
    { kind: kinds.Pod, map: (pod) => ({ namespace: '', name: (pod as Pod).spec!.nodeName! }), predicates: [podBoundOrAdded] },
  ],
  maxConcurrentReconciles: 4,
})
export class NodeLifecycleReconciler implements Reconciler {
  private readonly health = new NodeHealthTracker();
  readonly options: Required<NodeLifecycleOptions>;

  constructor(@Optional() @Inject(NODE_LIFECYCLE_OPTIONS) options?: NodeLifecycleOptions) {
    this.options = {
      gracePeriodMs: options?.gracePeriodMs ?? 40_000,
      startupGracePeriodMs: options?.startupGracePeriodMs ?? 60_000,
      defaultTolerationSeconds: options?.defaultTolerationSeconds ?? DEFAULT_TOLERATION_SECONDS,
      monitorPeriodMs: options?.monitorPeriodMs ?? 5_000,
    };
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    try {
      return await this.sync(req, ctx);
    } catch (err) {
      // The kubelet writes the same node and pods; a stale read is simply tried again.
      if (isConflict(err)) return { requeue: true };
      throw err;
    }
  }

  private async sync(req: Request, ctx: ReconcileContext): Promise<Result> {
    const now = Date.now();
    let node = await ctx.cache.get(kinds.Node, { name: req.name });
    if (!node) {
      this.health.forget(req.name);
      return {};
    }
    const lease = await ctx.cache.get(kinds.Lease, { namespace: NODE_LEASE_NAMESPACE, name: req.name });
    const wakeups: number[] = [];

    // 1. Health.
    const lastSeen = this.health.observe(node, lease as Lease | undefined, now);
    const grace = readyCondition(node) ? this.options.gracePeriodMs : this.options.startupGracePeriodMs;
    if (now >= lastSeen + grace) {
      const conditions = unknownConditions(node, now);
      if (conditions) {
        const wasReady = readyCondition(node)?.status === 'True';
        node = await ctx.client.patchStatus(kinds.Node, { name: req.name }, { metadata: { resourceVersion: node.metadata?.resourceVersion }, status: { conditions } }, { type: 'merge' });
        if (wasReady) void ctx.recorder.event(node, 'Normal', 'NodeNotReady', `Node ${req.name} status is now: NodeNotReady`);
      }
    } else {
      wakeups.push(lastSeen + grace);
    }

    // 2. Taints.
    const zone = zoneOf(node);
    const zoneNodes = (await ctx.cache.list(kinds.Node)).map((n) => (n.metadata?.name === req.name ? node! : n)).filter((n) => zoneOf(n) === zone);
    const evictionSuspended = zoneFullyDisrupted(zoneNodes);
    const wanted: Taint[] = [...noScheduleTaints(node)];
    const noExecute = noExecuteTaint(node, { evictionSuspended });
    if (noExecute) wanted.push(noExecute);
    const taints = reconcileTaints(node.spec?.taints, wanted, iso(now));
    if (taints) {
      node = await ctx.client.patch(kinds.Node, { name: req.name }, { metadata: { resourceVersion: node.metadata?.resourceVersion }, spec: { taints } }, { type: 'merge' });
    }

    // 3 and 4. Pods.
    const readyStatus = readyCondition(node)?.status;
    const noExecuteTaints = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
    if (readyStatus === 'Unknown' || noExecuteTaints.length) {
      const pods = (await ctx.cache.list(kinds.Pod)).filter((p) => p.spec?.nodeName === req.name);
      if (readyStatus === 'Unknown') await this.markPodsNotReady(pods, now, ctx);
      for (const pod of pods) {
        if (pod.metadata?.deletionTimestamp) continue;
        const decision = evictionDecision(pod, noExecuteTaints, { now, defaultTolerationSeconds: this.options.defaultTolerationSeconds });
        if (decision.kind === 'evict-now') await this.evict(pod, ctx);
        else if (decision.kind === 'evict-at') wakeups.push(decision.at);
      }
    }

    if (readyStatus !== 'True') wakeups.push(now + this.options.monitorPeriodMs);
    if (!wakeups.length) return {};
    return { requeueAfter: Math.max(10, Math.min(...wakeups) - Date.now() + 10) };
  }

  /** Ready=False on the node's pods that still say True (Kubernetes' MarkPodsNotReady). */
  private async markPodsNotReady(pods: Pod[], now: number, ctx: ReconcileContext): Promise<void> {
    for (const pod of pods) {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      if (!ready || ready.status === 'False' || pod.metadata?.deletionTimestamp) continue;
      const conditions = (pod.status?.conditions ?? []).map((c) => (c.type === 'Ready' ? { ...c, status: 'False' as const, lastTransitionTime: iso(now) } : c));
      try {
        await ctx.client.patchStatus(
          kinds.Pod,
          { namespace: pod.metadata?.namespace, name: pod.metadata!.name! },
          { metadata: { uid: pod.metadata?.uid, resourceVersion: pod.metadata?.resourceVersion }, status: { conditions } },
          { type: 'merge' },
        );
        void ctx.recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  /** Marks the pod as a disruption target, then deletes it (that very pod: uid precondition). */
  private async evict(pod: Pod, ctx: ReconcileContext): Promise<void> {
    const key = { namespace: pod.metadata?.namespace, name: pod.metadata!.name! };
    void ctx.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key.namespace}/${key.name}`);
    try {
      const conditions = [
        ...(pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'),
        { type: 'DisruptionTarget', status: 'True' as const, reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: iso(Date.now()) },
      ];
      await ctx.client.patchStatus(kinds.Pod, key, { metadata: { uid: pod.metadata?.uid }, status: { conditions } }, { type: 'merge' });
      await ctx.client.delete(kinds.Pod, key, { preconditions: { uid: pod.metadata?.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
