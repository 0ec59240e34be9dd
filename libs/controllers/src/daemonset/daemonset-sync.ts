import type { DaemonSet, Node, Pod } from '@logbook/api';
import { parseApiVersion } from '@logbook/api';
import { isConflict, isForbidden, isNotFound, LabelSelector, labelSelectorFromSpec } from '@logbook/machinery';
import { Clock, CONTROLLER_UID_INDEX, controllerReferenceOf, InformerEvent, InformerFactory, kinds, realClock, ReconcileContext, Request, Result } from '@logbook/sdk';
import { Subscription } from 'rxjs';
import { claimObjects, ControllerExpectations, controllerRefFor, podFromTemplate, podNamePrefix, recheckOwner, slowStartBatch } from '../shared';
import { constructHistory, controllerRevisions, revisionsToDelete } from './daemonset-history';
import {
  calculateStatus,
  CONTROLLER_REVISION_HASH_LABEL,
  fitsOf,
  planNode,
  planRollingUpdate,
  podsByNode,
  podsForMissingNodes,
  POD_TEMPLATE_GENERATION_LABEL,
  templateGeneration,
} from './daemonset-plan';
import { affinityForNode, daemonTolerations } from './node-fit';

export interface DaemonSetControllerOptions {
  clock?: Clock;
  /** First delay before a failed daemon pod on a node is replaced again; doubles per failure. Default 1 s (kube). */
  failedPodBackoffMs?: number;
  /** Cap of that delay. Default 15 min (kube). */
  maxFailedPodBackoffMs?: number;
  /** How long unobserved creations/deletions hold a DaemonSet back at most. Default 5 min (kube). */
  expectationsTtlMs?: number;
}

export const DAEMONSET_CONTROLLER_OPTIONS = Symbol.for('logbook.controllers.daemonset.options');

/** At most this many pods are created or deleted in one sync (kube's BurstReplicas). */
const BURST_REPLICAS = 250;

const podKey = (p: Pod) => `${p.metadata?.namespace}/${p.metadata?.name}`;
const namespaceTerminating = (err: unknown) => isForbidden(err) && /being terminated/.test((err as Error).message);

/**
 * The DaemonSet controller's sync (kube's syncDaemonSet):
 *
 * 1. the DaemonSet from the cache; its pods (claimed: owned, or orphans it
 *    selects) by node; the nodes and whether each should run a daemon pod;
 * 2. its ControllerRevisions: the current one (created on a template
 *    change) gives the hash new pods are labelled with;
 * 3. once earlier creations and deletions were observed: create a pod on
 *    each node that should run one and has none — with node affinity to
 *    that node, so the scheduler binds it there — and delete pods on nodes
 *    that no longer fit, extra pods, and failed pods (with back-off); then
 *    one step of the rolling update; drop history beyond the limit;
 * 4. always write the status.
 */
export class DaemonSetSync {
  private readonly clock: Clock;
  private readonly creations: ControllerExpectations;
  private readonly deletions: ControllerExpectations;
  private readonly failedBackoff = new Map<string, { delayMs: number; at: number }>();
  private podEvents?: Subscription;

  constructor(
    private readonly informers: InformerFactory,
    private readonly options: DaemonSetControllerOptions = {},
  ) {
    this.clock = options.clock ?? realClock;
    const opts = { ttlMs: options.expectationsTtlMs, now: () => this.clock.now() };
    this.creations = new ControllerExpectations(opts);
    this.deletions = new ControllerExpectations(opts);
  }

  close(): void {
    this.podEvents?.unsubscribe();
  }

  /** Whether earlier creations and deletions of this DaemonSet's pods were all observed. */
  satisfied(key: string): boolean {
    return this.creations.satisfied(key) && this.deletions.satisfied(key);
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    this.observePods();
    const key = `${req.namespace}/${req.name}`;
    const cached = await ctx.cache.get(kinds.DaemonSet, req);
    if (!cached) {
      this.creations.delete(key);
      this.deletions.delete(key);
      return {};
    }
    const ds = structuredClone(cached) as DaemonSet;
    let selector: LabelSelector;
    try {
      selector = labelSelectorFromSpec(ds.spec?.selector);
    } catch (err) {
      ctx.log.error(`daemonset ${key}: invalid selector: ${(err as Error).message}`);
      return {};
    }
    if (selector.isEmpty()) {
      void ctx.recorder.event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return {};
    }
    const nodes = await ctx.cache.list(kinds.Node);
    const pods = await this.podsFor(ds, selector, ctx);
    if (ds.metadata?.deletionTimestamp) return {}; // its pods go with it (garbage collection)

    const { current, old } = await constructHistory(ds, pods, ctx);
    const hash = current.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
    const now = this.clock.now();
    const fits = fitsOf(ds, nodes);
    let requeueAfter: number | undefined;
    let syncError: unknown;

    if (this.satisfied(key)) {
      try {
        requeueAfter = await this.manage(ds, key, nodes, pods, fits, hash, now, ctx);
        if (this.satisfied(key) && (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
          const plan = planRollingUpdate(ds, nodes, podsByNode(pods), fits, hash, now);
          await this.syncNodes(ds, key, plan.deletePods, plan.createOnNodes, hash, ctx);
        }
        for (const r of revisionsToDelete(ds, old, pods)) {
          await ctx.client.delete(controllerRevisions, { namespace: r.metadata?.namespace, name: r.metadata!.name! }).catch((err) => {
            if (!isNotFound(err)) throw err;
          });
        }
      } catch (err) {
        syncError = err;
      }
    }

    // Status from what the cache shows (this sync's writes arrive as events and sync again).
    const status = calculateStatus(ds, nodes, podsByNode(pods), fits, hash, now);
    if (!sameStatus(ds.status, status)) {
      try {
        await storeStatus(ds, status, ctx);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        return {};
      }
    }
    if (syncError) throw syncError;
    // Look again when a Ready pod becomes available (minReadySeconds), as kube's resync after MinReadySeconds.
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && status.numberReady !== (status.numberAvailable ?? 0)) requeueAfter = Math.min(requeueAfter ?? Infinity, minReady * 1000);
    return requeueAfter !== undefined ? { requeueAfter } : {};
  }

  /** kube's manage: which nodes need a pod, which pods must go; failed pods are replaced with back-off. Returns a wait, if a back-off holds one back. */
  private async manage(ds: DaemonSet, key: string, nodes: readonly Node[], pods: readonly Pod[], fits: ReturnType<typeof fitsOf>, hash: string, now: number, ctx: ReconcileContext): Promise<number | undefined> {
    const byNode = podsByNode(pods);
    const create: string[] = [];
    const remove: Pod[] = [];
    let wait: number | undefined;
    for (const node of nodes) {
      const name = node.metadata!.name!;
      const plan = planNode(ds, fits.get(name)!, byNode.get(name), hash, now);
      if (plan.create) create.push(name);
      remove.push(...plan.delete);
      for (const pod of plan.failed) {
        const backoffKey = `${key}/${name}`;
        const held = this.backoffRemaining(backoffKey, now);
        if (held > 0) {
          wait = Math.min(wait ?? Infinity, held);
          continue;
        }
        this.nextBackoff(backoffKey, now);
        void ctx.recorder.event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${pod.metadata?.namespace}/${pod.metadata?.name} on node ${name}, will try to kill it`);
        remove.push(pod);
      }
    }
    remove.push(...podsForMissingNodes(nodes, byNode));
    await this.syncNodes(ds, key, remove, create, hash, ctx);
    return wait;
  }

  /**
   * Creates pods on `nodeNames` (slow-start batches) and deletes `podsToDelete`,
   * each expected first (kube's syncNodes). Throws the first error.
   */
  private async syncNodes(ds: DaemonSet, key: string, podsToDelete: readonly Pod[], nodeNames: readonly string[], hash: string, ctx: ReconcileContext): Promise<void> {
    const toCreate = nodeNames.slice(0, BURST_REPLICAS);
    const toDelete = podsToDelete.slice(0, BURST_REPLICAS);
    if (toCreate.length === 0 && toDelete.length === 0) return;
    if (toCreate.length) this.creations.expectCreations(key, toCreate.length);
    if (toDelete.length) this.deletions.expectDeletions(key, toDelete.map(podKey));
    const template = podTemplate(ds, hash);
    const ref = controllerRefFor(ds);
    const namespace = ds.metadata!.namespace!;
    const errors: unknown[] = [];
    const { successes, error } = await slowStartBatch(toCreate.length, async (i) => {
      const pod = podFromTemplate(template, namespace, ref, { generateName: podNamePrefix(ds.metadata!.name!) });
      pod.spec = { ...pod.spec!, affinity: affinityForNode(pod.spec?.affinity, toCreate[i]) };
      try {
        const created = await ctx.client.create(kinds.Pod, pod);
        void ctx.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
      } catch (err) {
        if (namespaceTerminating(err)) return;
        void ctx.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
        throw err;
      }
    });
    for (let i = successes; i < toCreate.length; i++) this.creations.creationObserved(key); // never to be observed
    if (error !== undefined) errors.push(error);
    await Promise.all(
      toDelete.map(async (pod) => {
        try {
          await ctx.client.delete(kinds.Pod, { namespace: pod.metadata?.namespace, name: pod.metadata!.name! }, { preconditions: { uid: pod.metadata?.uid } });
          void ctx.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata?.name}`);
        } catch (err) {
          this.deletions.deletionObserved(key, podKey(pod));
          if (isNotFound(err) || isConflict(err)) return;
          void ctx.recorder.event(ds, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
          errors.push(err);
        }
      }),
    );
    if (errors.length) throw errors[0];
  }

  /** The pods the DaemonSet controls (kube's getDaemonPods): its own, and orphans its selector matches (adopted). */
  private async podsFor(ds: DaemonSet, selector: LabelSelector, ctx: ReconcileContext): Promise<Pod[]> {
    const lister = await ctx.cache.lister(kinds.Pod);
    const ns = ds.metadata?.namespace ?? '';
    const candidates = new Map<string, Pod>();
    for (const p of lister.byIndex(CONTROLLER_UID_INDEX, ds.metadata?.uid ?? '')) if (p.metadata?.namespace === ns) candidates.set(p.metadata!.uid!, p);
    for (const p of lister.list(ns, selector)) candidates.set(p.metadata!.uid!, p);
    return claimObjects([...candidates.values()], {
      client: ctx.client,
      kind: kinds.Pod,
      owner: ds,
      selector,
      canAdopt: recheckOwner(ctx.client, kinds.DaemonSet, ds),
    });
  }

  // --- failed pod back-off (kube's failedPodsBackoff: 1 s doubling to 15 min, per DaemonSet and node) ---

  private backoffRemaining(key: string, now: number): number {
    const b = this.failedBackoff.get(key);
    if (!b) return 0;
    return Math.max(0, b.at + b.delayMs - now);
  }

  private nextBackoff(key: string, now: number): void {
    const base = this.options.failedPodBackoffMs ?? 1_000;
    const max = this.options.maxFailedPodBackoffMs ?? 15 * 60_000;
    const b = this.failedBackoff.get(key);
    // A node quiet for twice the cap starts over.
    const delayMs = !b || now - b.at > 2 * max ? base : Math.min(max, b.delayMs * 2);
    this.failedBackoff.set(key, { delayMs, at: now });
  }

  // --- expectations, from pod events ----------------------------------------------

  private observePods(): void {
    if (this.podEvents && !this.podEvents.closed) return;
    this.podEvents = this.informers.informerFor(kinds.Pod).events$.subscribe((e) => this.onPodEvent(e));
  }

  private ownerKey(pod: Pod): string | undefined {
    const ref = controllerReferenceOf(pod);
    if (!ref || ref.kind !== 'DaemonSet' || parseApiVersion(ref.apiVersion).group !== 'apps') return undefined;
    return `${pod.metadata?.namespace}/${ref.name}`;
  }

  private onPodEvent(e: InformerEvent<Pod>): void {
    switch (e.type) {
      case 'ADDED': {
        const key = this.ownerKey(e.object);
        if (!key) return;
        if (e.object.metadata?.deletionTimestamp) this.deletions.deletionObserved(key, podKey(e.object));
        else this.creations.creationObserved(key);
        return;
      }
      case 'UPDATED':
        if (e.object.metadata?.deletionTimestamp && !e.oldObject.metadata?.deletionTimestamp) {
          const key = this.ownerKey(e.object) ?? this.ownerKey(e.oldObject);
          if (key) this.deletions.deletionObserved(key, podKey(e.object));
        }
        return;
      case 'DELETED': {
        const key = this.ownerKey(e.object);
        if (key) this.deletions.deletionObserved(key, podKey(e.object));
        return;
      }
    }
  }
}

/**
 * The template daemon pods are made from (kube's CreatePodTemplate): the
 * DaemonSet's, with the tolerations every daemon pod gets and the labels of
 * the current revision.
 */
export function podTemplate(ds: DaemonSet, hash: string): NonNullable<DaemonSet['spec']>['template'] & object {
  const template = structuredClone(ds.spec?.template ?? {});
  template.spec = { ...(template.spec ?? { containers: [] }), tolerations: daemonTolerations(template.spec) };
  const labels = { ...(template.metadata?.labels ?? {}) };
  const generation = templateGeneration(ds);
  if (generation !== undefined) labels[POD_TEMPLATE_GENERATION_LABEL] = generation;
  if (hash) labels[CONTROLLER_REVISION_HASH_LABEL] = hash;
  template.metadata = { ...(template.metadata ?? {}), labels };
  return template;
}

/**
 * Writes the status; on a conflict (our cache lagging a write), once more
 * onto the DaemonSet as the server has it — if its spec is still the one
 * the status was computed for (kube's storeDaemonSetStatus).
 */
async function storeStatus(ds: DaemonSet, status: NonNullable<DaemonSet['status']>, ctx: ReconcileContext): Promise<void> {
  try {
    await ctx.client.updateStatus(kinds.DaemonSet, { ...ds, status });
  } catch (err) {
    if (!isConflict(err)) throw err;
    const fresh = await ctx.client.get(kinds.DaemonSet, { namespace: ds.metadata?.namespace, name: ds.metadata!.name! });
    if (fresh.metadata?.uid !== ds.metadata?.uid || fresh.metadata?.generation !== ds.metadata?.generation) throw err;
    if (sameStatus(fresh.status, status)) return;
    await ctx.client.updateStatus(kinds.DaemonSet, { ...fresh, status: { ...status, collisionCount: fresh.status?.collisionCount ?? status.collisionCount } });
  }
}

function sameStatus(a: DaemonSet['status'] | undefined, b: NonNullable<DaemonSet['status']>): boolean {
  if (!a) return false;
  const keys = ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable'] as const;
  return keys.every((k) => (a[k] ?? 0) === (b[k] ?? 0));
}
