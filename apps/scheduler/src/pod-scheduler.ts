import type { Node, Pod, PodCondition } from '@logbook/api';
import { isConflict, isNotFound } from '@logbook/machinery';
import {
  ControllerManager,
  ControllerOptions,
  InformerEvent,
  kinds,
  KubeObject,
  Predicate,
  ReconcileContext,
  Reconciler,
  Request,
  Result,
} from '@logbook/sdk';
import { Subscription } from 'rxjs';
import { FitError, Profile, schedulePod } from './framework/schedule';
import { PodBinder } from './pod-binder';
import { SchedulerCache } from './scheduler-cache';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export interface PodSchedulerOptions {
  /** The `spec.schedulerName`s this scheduler serves. Default `['default-scheduler']`. */
  schedulerNames?: string[];
  /**
   * Pods scheduled at once: decisions are synchronous over the cache (one at
   * a time), so this bounds the bindings in flight. More (64 was tried) opens
   * as many TLS connections, whose handshakes time out on a starved machine
   * (UND_ERR_CONNECT_TIMEOUT). Default 16.
   */
  concurrency?: number;
  /** How long an unschedulable pod waits before it is tried again without any change (kube: at most 5 min). Default 60 s. */
  unschedulableRetryMs?: number;
  /** Filter and score plugins (defaults: kube-scheduler's). */
  profile?: Profile;
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const keyOf = (pod: Pod) => `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
const isTerminal = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/**
 * The scheduler: binds each pending pod to the node that fits it best.
 *
 * It is a reconciler of Pods (only those without `spec.nodeName`, for one
 * of its scheduler names, not being deleted). A decision is synchronous over
 * the `SchedulerCache` and the pod is *assumed* on its node before the
 * binding is sent, so concurrent bindings never double-book a node. A pod
 * that fits nowhere gets `PodScheduled=False` (reason `Unschedulable`) and a
 * `FailedScheduling` event worded as kube-scheduler words it, and is tried
 * again whenever a node appears or changes, a pod on a node goes away, or
 * after `unschedulableRetryMs`.
 *
 * Run it with `scheduler.addTo(manager)`; leader election is the manager's.
 */
export class PodScheduler implements Reconciler {
  readonly cache = new SchedulerCache();
  private readonly names: Set<string>;
  private readonly unschedulable = new Set<string>();
  private readonly subscriptions: Subscription[] = [];
  private binder?: PodBinder;

  constructor(private readonly options: PodSchedulerOptions = {}) {
    this.names = new Set(options.schedulerNames ?? [DEFAULT_SCHEDULER_NAME]);
  }

  /** Registers the scheduler (and its cache's informer subscriptions) with a manager. */
  addTo(manager: ControllerManager): this {
    this.binder = new PodBinder(manager.client);
    const pods = manager.informers.informerFor(kinds.Pod);
    const nodes = manager.informers.informerFor(kinds.Node);
    this.subscriptions.push(
      nodes.events$.subscribe((e) => this.cache.onNodeEvent(e)),
      pods.events$.subscribe((e) => {
        this.cache.onPodEvent(e);
        if (e.type === 'DELETED' || e.object.spec?.nodeName) this.unschedulable.delete(keyOf(e.object));
      }),
    );
    manager.add(this, this.controllerOptions());
    return this;
  }

  /** Stops following the informers (the manager stops the controller). */
  detach(): void {
    this.subscriptions.splice(0).forEach((s) => s.unsubscribe());
  }

  controllerOptions(): ControllerOptions {
    const pending: Predicate = (e) => e.type === 'DELETED' || this.responsibleFor(e.object as Pod);
    return {
      name: DEFAULT_SCHEDULER_NAME,
      for: { kind: kinds.Pod, predicates: [pending] },
      watches: [
        { kind: kinds.Node, map: () => this.retryUnschedulable(), predicates: [nodeMayFitMore] },
        { kind: kinds.Pod, map: () => this.retryUnschedulable(), predicates: [podFreesResources] },
      ],
      maxConcurrentReconciles: this.options.concurrency ?? 16,
    };
  }

  /** A pod this scheduler should place (once its scheduling gates are gone): unbound, ours, not being deleted, not finished. */
  responsibleFor(pod: Pod): boolean {
    return !pod.spec?.nodeName && this.names.has(pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME) && !pod.metadata?.deletionTimestamp && !isTerminal(pod);
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const pod = await ctx.cache.get(kinds.Pod, req);
    const key = `${req.namespace}/${req.name}`;
    if (!pod || !this.responsibleFor(pod)) {
      this.unschedulable.delete(key);
      return {};
    }
    if (this.cache.isAssumed(pod)) return {};
    if ((pod.spec?.schedulingGates ?? []).length) {
      this.unschedulable.delete(key);
      await this.setScheduledCondition(pod, 'SchedulingGated', 'Scheduling is blocked due to non-empty scheduling gates', ctx);
      return {};
    }

    const result = schedulePod(pod, this.cache.nodes(), this.options.profile);
    if ('error' in result) {
      this.unschedulable.add(key);
      await this.recordUnschedulable(pod, result.error, ctx);
      return { requeueAfter: this.options.unschedulableRetryMs ?? 60_000 };
    }

    this.unschedulable.delete(key);
    this.cache.assume(pod, result.node);
    try {
      await this.binder!.bind(pod, result.node, ctx.causeSeq);
    } catch (err) {
      this.cache.forget(pod);
      // Bound by someone else, or gone: nothing left to do.
      if (isConflict(err) || isNotFound(err)) return {};
      void ctx.recorder.event(pod, 'Warning', 'FailedScheduling', `Binding rejected: ${(err as Error).message}`);
      throw err;
    }
    void ctx.recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${req.namespace}/${req.name} to ${result.node}`);
    return {};
  }

  /**
   * `PodScheduled=False` with the reasons, and a `FailedScheduling` event —
   * unless this attempt was caused only by changes to the pod itself and the
   * condition already says the same (our own status write coming back).
   */
  private async recordUnschedulable(pod: Pod, error: FitError, ctx: ReconcileContext): Promise<void> {
    const message = error.message;
    const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    const unchanged = current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message;
    const onlyPodChanges = ctx.causes.length > 0 && ctx.causes.every((c) => c.kind.kind === 'Pod' && c.source === 'for');
    if (unchanged && onlyPodChanges) return;
    void ctx.recorder.event(pod, 'Warning', 'FailedScheduling', message);
    if (!unchanged) await this.setScheduledCondition(pod, 'Unschedulable', message, ctx);
  }

  /** `PodScheduled=False` with this reason and message, unless it says so already. */
  private async setScheduledCondition(pod: Pod, reason: string, message: string, ctx: ReconcileContext): Promise<void> {
    const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (current?.status === 'False' && current.reason === reason && current.message === message) return;
    const condition: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      reason,
      message,
      lastTransitionTime: current?.status === 'False' ? (current.lastTransitionTime ?? now()) : now(),
    };
    try {
      await ctx.client.patchStatus(kinds.Pod, { namespace: pod.metadata?.namespace, name: pod.metadata!.name! }, { status: { conditions: [condition] } }, { type: 'strategic' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private retryUnschedulable(): Request[] {
    return [...this.unschedulable].map((k) => {
      const [namespace, name] = k.split('/');
      return { namespace, name };
    });
  }
}

/** Node changes that can let a pending pod fit: a new node, or new labels, taints, capacity, schedulability or readiness. */
const nodeMayFitMore: Predicate = (e: InformerEvent<KubeObject>) => {
  if (e.type === 'ADDED') return true;
  if (e.type === 'DELETED') return false;
  const o = e.oldObject as Node;
  const n = e.object as Node;
  const ready = (x: Node) => x.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  return (
    JSON.stringify(o.metadata?.labels ?? {}) !== JSON.stringify(n.metadata?.labels ?? {}) ||
    JSON.stringify(o.spec ?? {}) !== JSON.stringify(n.spec ?? {}) ||
    JSON.stringify(o.status?.allocatable ?? {}) !== JSON.stringify(n.status?.allocatable ?? {}) ||
    ready(o) !== ready(n)
  );
};

/** A pod on a node went away or finished: its resources and ports are free. */
const podFreesResources: Predicate = (e: InformerEvent<KubeObject>) => {
  const pod = e.object as Pod;
  if (e.type === 'DELETED') return !!pod.spec?.nodeName;
  if (e.type === 'UPDATED') return !!pod.spec?.nodeName && isTerminal(pod) && !isTerminal(e.oldObject as Pod);
  return false;
};
