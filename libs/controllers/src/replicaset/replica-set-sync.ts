import type { Pod } from '@logbook/api';
import { parseApiVersion } from '@logbook/api';
import { isNotFound } from '@logbook/machinery';
import {
  controllerReferenceOf,
  InformerEvent,
  InformerFactory,
  kinds,
  KubeObject,
  ReconcileContext,
  Request,
  Result,
  WatchMapContext,
  WatchSource,
} from '@logbook/sdk';
import { Subscription } from 'rxjs';
import { claimObjects, ControllerExpectations, filterActivePods, isPodReady, msUntilAvailable, recheckOwner } from '../shared';
import { manageReplicas, objectKey, podKey } from './manage-replicas';
import type { ReplicaSetKind } from './replica-set-kind';
import { calculateStatus, ManageReplicasError, updateReplicaSetStatus } from './replica-set-status';

/**
 * The ReplicaSet controller's sync, shared by ReplicaSets and
 * ReplicationControllers (Kubernetes' syncReplicaSet):
 *
 * 1. read the replica set from the cache (gone: forget its expectations);
 * 2. claim the active pods of its namespace: keep those it controls and
 *    that match, release those that stopped matching, adopt matching
 *    orphans;
 * 3. if its expectations are satisfied (its cache has seen its own
 *    previous creates and deletes) and it is not being deleted, create or
 *    delete pods (`manageReplicas`);
 * 4. always write the status.
 *
 * Expectations are counted off by a subscription to the pod informer, as
 * Kubernetes' pod event handlers do.
 */
export class ReplicaSetSync<T extends KubeObject> {
  readonly expectations: ControllerExpectations;
  private podEvents?: Subscription;

  constructor(
    readonly k: ReplicaSetKind<T>,
    private readonly informers: InformerFactory,
    opts: { expectationsTtlMs?: number; now?: () => number } = {},
  ) {
    this.expectations = new ControllerExpectations({ ttlMs: opts.expectationsTtlMs, now: opts.now });
    this.now = opts.now ?? Date.now;
    this.observePods();
  }

  private readonly now: () => number;

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    this.observePods();
    const key = req.namespace ? `${req.namespace}/${req.name}` : req.name;
    const rs = await ctx.cache.get(this.k.kind, req);
    if (!rs) {
      this.expectations.delete(key);
      return {};
    }
    const needsSync = this.expectations.satisfied(key);
    let selector;
    try {
      selector = this.k.selector(rs);
    } catch (err) {
      ctx.log.error(`${this.k.kind.kind} ${key}: invalid selector: ${(err as Error).message}`);
      return {};
    }
    const podLister = await ctx.cache.lister(kinds.Pod);
    const owners = await ctx.cache.lister(this.k.kind);
    const active = filterActivePods(podLister.list(req.namespace));
    const pods = await claimObjects(active, {
      client: ctx.client,
      kind: kinds.Pod,
      owner: rs,
      selector,
      canAdopt: recheckOwner(ctx.client, this.k.kind, rs),
      onAdopt: (p) => ctx.log.log(`${this.k.kind.kind} ${key} adopted pod ${p.metadata?.name}`),
      onRelease: (p) => ctx.log.log(`${this.k.kind.kind} ${key} released pod ${p.metadata?.name}`),
    });

    let manageError: ManageReplicasError | undefined;
    if (needsSync && !rs.metadata?.deletionTimestamp) {
      try {
        await manageReplicas({ k: this.k, expectations: this.expectations, ctx, owners, pods: podLister }, rs, pods);
      } catch (err) {
        if (!(err instanceof ManageReplicasError)) throw err;
        manageError = err;
      }
    }
    const now = this.now();
    const status = calculateStatus(this.k, rs, pods, manageError, now);
    try {
      await updateReplicaSetStatus(ctx.client, this.k, rs, status);
    } catch (err) {
      if (isNotFound(err)) return {}; // deleted meanwhile: nothing to report on
      throw err;
    }
    if (manageError) throw manageError;
    // Look again when the next Ready pod becomes available (minReadySeconds).
    const minReady = this.k.minReadySeconds(rs);
    if (minReady > 0) {
      const waits = pods.filter(isPodReady).map((p) => msUntilAvailable(p, minReady, now) ?? minReady * 1000).filter((ms) => ms > 0);
      if (waits.length) return { requeueAfter: Math.min(...waits) + 100 };
    }
    return {};
  }

  /**
   * `watches` entry that queues the replica sets selecting an orphan pod
   * (no controller), so they can adopt it: Kubernetes' addPod/updatePod
   * for orphans. Pods with a controller reach their owner through `owns`.
   */
  static orphanPods<T extends KubeObject>(k: ReplicaSetKind<T>): WatchSource {
    return {
      kind: kinds.Pod,
      map: (pod: KubeObject, ctx: WatchMapContext): Request[] => {
        if (controllerReferenceOf(pod) || pod.metadata?.deletionTimestamp) return [];
        const namespace = pod.metadata?.namespace ?? '';
        const labels = pod.metadata?.labels ?? {};
        return ctx
          .lister(k.kind)
          .list(namespace)
          .filter((rs) => {
            try {
              return k.selector(rs).matches(labels);
            } catch {
              return false;
            }
          })
          .map((rs) => ({ namespace, name: rs.metadata!.name! }));
      },
    };
  }

  /** Stops counting off expectations (the reconciler is going away). */
  close(): void {
    this.podEvents?.unsubscribe();
  }

  // --- expectations, from pod events ------------------------------------------------------

  private observePods(): void {
    if (this.podEvents && !this.podEvents.closed) return;
    this.podEvents = this.informers.informerFor(kinds.Pod).events$.subscribe((e) => this.onPodEvent(e));
  }

  /** The key of the replica set of this kind controlling `pod`, if any. */
  private ownerKey(pod: Pod): string | undefined {
    const ref = controllerReferenceOf(pod);
    if (!ref || ref.kind !== this.k.kind.kind || parseApiVersion(ref.apiVersion).group !== this.k.kind.group) return undefined;
    const owner = this.informers.find(this.k.kind)?.lister.get(pod.metadata?.namespace, ref.name);
    if (owner && owner.metadata?.uid !== ref.uid) return undefined;
    return objectKey({ metadata: { namespace: pod.metadata?.namespace, name: ref.name } });
  }

  private onPodEvent(e: InformerEvent<Pod>): void {
    switch (e.type) {
      case 'ADDED': {
        const key = this.ownerKey(e.object);
        if (!key) return;
        // A pod that shows up already terminating counts as a deletion, not a creation.
        if (e.object.metadata?.deletionTimestamp) this.expectations.deletionObserved(key, podKey(e.object));
        else this.expectations.creationObserved(key);
        return;
      }
      case 'UPDATED': {
        if (e.object.metadata?.deletionTimestamp && !e.oldObject.metadata?.deletionTimestamp) {
          for (const pod of [e.object, e.oldObject]) {
            const key = this.ownerKey(pod);
            if (key) this.expectations.deletionObserved(key, podKey(pod));
          }
        }
        return;
      }
      case 'DELETED': {
        const key = this.ownerKey(e.object);
        if (key) this.expectations.deletionObserved(key, podKey(e.object));
        return;
      }
    }
  }
}
