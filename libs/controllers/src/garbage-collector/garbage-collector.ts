import type { OwnerReference } from '@logbook/api';
import { isConflict, isInvalid, isNotFound } from '@logbook/machinery';
import {
  compareResourceVersions,
  InformerEvent,
  InformerFactory,
  kindKey,
  kinds,
  KubeClient,
  KubeObject,
  LOW_PRIORITY,
  NORMAL_PRIORITY,
  OWNER_UID_INDEX,
  patchFinalizers,
  ResourceKind,
  SdkLogger,
  WorkQueue,
} from '@logbook/sdk';
import { Logger } from '@nestjs/common';
import { Subscription } from 'rxjs';
import type { LeaderGatedRunnable } from '../shared';
import {
  ClassifiedOwners,
  decide,
  FOREGROUND_DELETION,
  isDeleting,
  isDeletingDependents,
  isOrphaning,
  ORPHAN,
  ownerRefs,
  ownerRefsChanged,
  removeReferencesPatch,
} from './owner-references';
import { ResourceCatalog } from './resource-catalog';

export interface GarbageCollectorOptions {
  /** Items processed at once. Default 20 (kube-controller-manager's --concurrent-gc-syncs). */
  workers?: number;
  /** How often to look for new kinds (CRDs are also noticed at once through their own informer). Default 30 s. */
  discoveryIntervalMs?: number;
  logger?: SdkLogger;
}

/** One queued unit of work: an object to check (`delete`) or to detach its dependents from (`orphan`). */
interface Item {
  op: 'delete' | 'orphan';
  kind: ResourceKind<KubeObject>;
  namespace: string;
  name: string;
  uid: string;
  /** The resourceVersion of the latest event that queued it: what its writes record as their cause. */
  cause?: string;
}

const FIELD_MANAGER = 'garbage-collector';

/**
 * Cascading deletion through ownerReferences, for every kind the server
 * serves (Kubernetes' garbage collector, without its separate graph: the
 * informers' owner-uid indexes are the graph).
 *
 * - **Background**: an object whose owners are all gone (verified against
 *   the server, by uid: an owner re-created under the same name is another
 *   owner) is deleted.
 * - **Foreground**: an owner being deleted with the `foregroundDeletion`
 *   finalizer gets its dependents deleted; once none that blocks it
 *   (`blockOwnerDeletion`) is left, the finalizer is removed and the server
 *   deletes the owner.
 * - **Orphan**: an owner being deleted with the `orphan` finalizer gets its
 *   reference removed from every dependent, then the finalizer.
 *
 * Informers are added per kind as discovery finds them (custom resources
 * included). Writes are attributed to the event that caused them.
 */
export class GarbageCollector implements LeaderGatedRunnable {
  readonly catalog: ResourceCatalog;
  private readonly log: SdkLogger;
  private readonly monitors = new Map<string, { kind: ResourceKind<KubeObject>; sub: Subscription }>();
  private readonly items = new Map<string, Item>();
  private readonly absentOwners = new Set<string>();
  private queue?: WorkQueue<string>;
  private workers: Promise<void>[] = [];
  private timer?: NodeJS.Timeout;
  private crdSub?: Subscription;
  private rediscovery?: Promise<void>;
  private rediscoverAgain = false;

  constructor(
    private readonly client: KubeClient,
    private readonly informers: InformerFactory,
    private readonly opts: GarbageCollectorOptions = {},
  ) {
    this.catalog = new ResourceCatalog(client);
    this.log = opts.logger ?? new Logger('GarbageCollector');
  }

  get isRunning(): boolean {
    return this.queue !== undefined;
  }

  /** The kinds watched (plural.group). */
  monitoredKinds(): string[] {
    return [...this.monitors.values()].map((m) => (m.kind.group ? `${m.kind.plural}.${m.kind.group}` : m.kind.plural));
  }

  async start(): Promise<void> {
    if (this.queue) return;
    const queue = (this.queue = new WorkQueue<string>({ name: 'garbage-collector' }));
    await this.resyncMonitors().catch((err) => this.log.error(`discovery failed: ${(err as Error).message}; retrying`));
    this.crdSub = this.informers.informerFor(kinds.CustomResourceDefinition).events$.subscribe(() => this.scheduleRediscovery());
    this.timer = setInterval(() => this.scheduleRediscovery(), this.opts.discoveryIntervalMs ?? 30_000);
    this.timer.unref?.();
    await this.waitForMonitors(queue);
    if (this.queue !== queue) return;
    this.workers = Array.from({ length: this.opts.workers ?? 20 }, () => this.work(queue));
    this.log.log(`started, watching ${this.monitors.size} kinds`);
  }

  async stop(): Promise<void> {
    const queue = this.queue;
    if (!queue) return;
    this.queue = undefined;
    clearInterval(this.timer);
    this.crdSub?.unsubscribe();
    for (const m of this.monitors.values()) m.sub.unsubscribe();
    this.monitors.clear();
    this.items.clear();
    queue.shutDown();
    await Promise.all(this.workers.splice(0));
    await this.rediscovery;
  }

  // --- monitors: one informer per collectable kind ------------------------------------------------

  private scheduleRediscovery(): void {
    if (!this.queue) return;
    if (this.rediscovery) {
      this.rediscoverAgain = true;
      return;
    }
    this.rediscovery = (async () => {
      do {
        this.rediscoverAgain = false;
        await this.resyncMonitors().catch((err) => this.log.warn(`discovery failed: ${(err as Error).message}`));
      } while (this.rediscoverAgain && this.queue);
    })().finally(() => (this.rediscovery = undefined));
  }

  private async resyncMonitors(): Promise<void> {
    const resources = await this.catalog.refresh();
    if (!this.queue) return;
    const wanted = new Map(resources.map((r) => [kindKey(r.kind), r.kind as ResourceKind<KubeObject>]));
    for (const [key, kind] of wanted) {
      if (this.monitors.has(key)) continue;
      const informer = this.informers.informerFor(kind);
      const sub = informer.events$.subscribe({ next: (e) => this.onEvent(kind, e) });
      this.monitors.set(key, { kind, sub });
      this.log.log(`watching ${kind.group ? `${kind.plural}.${kind.group}` : kind.plural}`);
    }
    for (const [key, m] of this.monitors) {
      if (wanted.has(key)) continue;
      m.sub.unsubscribe();
      this.monitors.delete(key);
    }
  }

  private async waitForMonitors(queue: WorkQueue<string>): Promise<void> {
    while (this.queue === queue) {
      const pending = [...this.monitors.values()].map((m) => this.informers.informerFor(m.kind)).filter((i) => !i.hasSynced);
      if (!pending.length) return;
      await Promise.all(pending.map((i) => i.waitForSync({ timeoutMs: 1000 })));
    }
  }

  private monitorsSynced(): boolean {
    return [...this.monitors.values()].every((m) => this.informers.informerFor(m.kind).hasSynced);
  }

  // --- events to work ---------------------------------------------------------------------------

  private onEvent(kind: ResourceKind<KubeObject>, e: InformerEvent<KubeObject>): void {
    const o = e.object;
    const background = e.type === 'ADDED' && e.initialList;
    switch (e.type) {
      case 'ADDED':
        if (ownerRefs(o).length && !this.allOwnersCached(o)) this.enqueue('delete', kind, o, background);
        this.enqueueIfDeleting(kind, o, background);
        return;
      case 'UPDATED':
        if (e.resync) return;
        if (ownerRefsChanged(e.oldObject, o)) {
          if (!this.allOwnersCached(o)) this.enqueue('delete', kind, o);
          // An owner waiting for its dependents may be waiting for this one no longer.
          for (const ref of ownerRefs(e.oldObject)) this.enqueueOwner(ref, o);
        }
        if (isDeleting(o) && (!isDeleting(e.oldObject) || (o.metadata?.finalizers ?? []).join() !== (e.oldObject.metadata?.finalizers ?? []).join())) {
          this.enqueueIfDeleting(kind, o, false);
        }
        return;
      case 'DELETED':
        this.absentOwners.delete(o.metadata?.uid ?? '');
        for (const d of this.dependentsOf(o.metadata?.uid)) this.enqueue('delete', d.kind, d.object, false, o.metadata?.resourceVersion);
        for (const ref of ownerRefs(o)) this.enqueueOwner(ref, o);
        return;
    }
  }

  private enqueueIfDeleting(kind: ResourceKind<KubeObject>, o: KubeObject, background: boolean): void {
    if (isOrphaning(o)) this.enqueue('orphan', kind, o, background);
    if (isDeletingDependents(o)) this.enqueue('delete', kind, o, background);
  }

  /** Queues the owner `ref` names if it is in the cache (a foreground deletion may be waiting on `dependent`). */
  private enqueueOwner(ref: OwnerReference, dependent: KubeObject): void {
    const kind = this.catalog.kindFor(ref.apiVersion, ref.kind) as ResourceKind<KubeObject> | undefined;
    if (!kind || !this.monitors.has(kindKey(kind))) return;
    const owner = this.informers.informerFor(kind).lister.get(kind.namespaced ? dependent.metadata?.namespace : undefined, ref.name);
    if (owner?.metadata?.uid === ref.uid && isDeletingDependents(owner)) this.enqueue('delete', kind, owner, false, dependent.metadata?.resourceVersion);
  }

  private enqueue(op: Item['op'], kind: ResourceKind<KubeObject>, o: KubeObject, background = false, cause?: string): void {
    const queue = this.queue;
    const uid = o.metadata?.uid;
    if (!queue || !uid || !o.metadata?.name) return;
    const key = `${op}|${kindKey(kind)}|${o.metadata.namespace ?? ''}|${o.metadata.name}|${uid}`;
    const rv = cause ?? o.metadata.resourceVersion;
    const prev = this.items.get(key);
    const latest = prev?.cause && rv && compareResourceVersions(prev.cause, rv) > 0 ? prev.cause : rv;
    this.items.set(key, { op, kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name, uid, cause: latest });
    queue.add(key, { priority: background ? LOW_PRIORITY : NORMAL_PRIORITY });
  }

  /** Whether every owner of `o` is in the cache under its uid (then there is nothing to check). */
  private allOwnersCached(o: KubeObject): boolean {
    return ownerRefs(o).every((ref) => {
      const kind = this.catalog.kindFor(ref.apiVersion, ref.kind) as ResourceKind<KubeObject> | undefined;
      if (!kind || !this.monitors.has(kindKey(kind))) return false;
      const owner = this.informers.informerFor(kind).lister.get(kind.namespaced ? o.metadata?.namespace : undefined, ref.name);
      return owner?.metadata?.uid === ref.uid;
    });
  }

  /** Every cached object that lists `uid` among its owners, with its kind. */
  private dependentsOf(uid: string | undefined): Array<{ kind: ResourceKind<KubeObject>; object: KubeObject }> {
    if (!uid) return [];
    const out: Array<{ kind: ResourceKind<KubeObject>; object: KubeObject }> = [];
    for (const m of this.monitors.values()) {
      for (const object of this.informers.informerFor(m.kind).lister.byIndex(OWNER_UID_INDEX, uid)) out.push({ kind: m.kind, object });
    }
    return out;
  }

  // --- workers ----------------------------------------------------------------------------------

  private async work(queue: WorkQueue<string>): Promise<void> {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      const item = this.items.get(key);
      try {
        if (!item) continue;
        this.items.delete(key);
        const again = item.op === 'orphan' ? await this.orphanDependents(item) : await this.attemptToDelete(item);
        if (again) {
          this.items.set(key, this.items.get(key) ?? item);
          queue.addRateLimited(key);
        } else {
          queue.forget(key);
        }
      } catch (err) {
        if (item) this.items.set(key, this.items.get(key) ?? item);
        queue.addRateLimited(key);
        this.log.warn(`${item?.op} ${item?.kind.kind} ${item?.namespace}/${item?.name} failed (retrying): ${(err as Error).message}`);
      } finally {
        queue.done(key);
      }
    }
  }

  private clientFor(item: Item): KubeClient {
    return this.client.withCause(item.cause).withFieldManager(FIELD_MANAGER);
  }

  /** The item as it is now: cache first, the server if the cache does not have it under its uid. */
  private async current(item: Item): Promise<KubeObject | undefined> {
    const key = { namespace: item.kind.namespaced ? item.namespace : undefined, name: item.name };
    const cached = this.informers.informerFor(item.kind).lister.get(key.namespace, key.name);
    if (cached?.metadata?.uid === item.uid) return cached;
    try {
      const live = await this.client.get(item.kind, key);
      return live.metadata?.uid === item.uid ? live : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * Kubernetes' attemptToDeleteItem. Returns true to look again later
   * (an owner whose kind is unknown; dependents still to go).
   */
  private async attemptToDelete(item: Item): Promise<boolean> {
    const obj = await this.current(item);
    if (!obj) return false;
    if (isDeleting(obj) && !isDeletingDependents(obj)) return false;
    if (isDeletingDependents(obj)) return this.processDeletingDependents(item, obj);
    const refs = ownerRefs(obj);
    if (!refs.length) return false;
    const owners = await this.classify(obj, refs);
    if (!owners) return true;
    const verdict = decide(obj, owners, this.dependentsOf(obj.metadata?.uid).length > 0);
    const client = this.clientFor(item);
    const key = { namespace: item.kind.namespaced ? item.namespace : undefined, name: item.name };
    switch (verdict.action) {
      case 'keep':
        return false;
      case 'removeReferences':
        try {
          await client.patch(item.kind, key, removeReferencesPatch(obj, verdict.uids), { type: 'json' });
        } catch (err) {
          if (isNotFound(err)) return false;
          throw err;
        }
        return false;
      case 'delete':
        this.log.log(
          `deleting ${item.kind.kind} ${item.namespace ? `${item.namespace}/` : ''}${item.name} (owners gone: ${[...owners.dangling, ...owners.waitingForDependentsDeletion].map((r) => `${r.kind} ${r.name}`).join(', ')}; propagation ${verdict.propagationPolicy})`,
        );
        try {
          await client.delete(item.kind, key, { propagationPolicy: verdict.propagationPolicy, preconditions: { uid: item.uid } });
        } catch (err) {
          if (isNotFound(err) || isConflict(err)) return false; // gone, or another object now has the name
          throw err;
        }
        return false;
    }
  }

  /** Sorts `obj`'s owners into solid, dangling and waiting; undefined if one cannot be resolved yet. */
  private async classify(obj: KubeObject, refs: OwnerReference[]): Promise<ClassifiedOwners | undefined> {
    const out: ClassifiedOwners = { solid: [], dangling: [], waitingForDependentsDeletion: [] };
    for (const ref of refs) {
      const kind = this.catalog.kindFor(ref.apiVersion, ref.kind) as ResourceKind<KubeObject> | undefined;
      if (!kind) {
        this.log.warn(`${obj.kind} ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}: owner kind ${ref.kind} (${ref.apiVersion}) is not served; will look again`);
        return undefined;
      }
      if (kind.namespaced && !obj.metadata?.namespace) {
        // A cluster-scoped object cannot have a namespaced owner: the reference is invalid; never collect for it.
        out.solid.push(ref);
        continue;
      }
      const owner = await this.owner(kind, obj.metadata?.namespace, ref);
      if (!owner) out.dangling.push(ref);
      else if (isDeletingDependents(owner)) out.waitingForDependentsDeletion.push(ref);
      else out.solid.push(ref);
    }
    return out;
  }

  /** The owner `ref` names, if it exists under that uid (the cache, then the server). */
  private async owner(kind: ResourceKind<KubeObject>, namespace: string | undefined, ref: OwnerReference): Promise<KubeObject | undefined> {
    if (this.absentOwners.has(ref.uid)) return undefined;
    const ns = kind.namespaced ? namespace : undefined;
    const cached = this.monitors.has(kindKey(kind)) ? this.informers.informerFor(kind).lister.get(ns, ref.name) : undefined;
    if (cached?.metadata?.uid === ref.uid) return cached;
    try {
      const live = await this.client.get(kind, { namespace: ns, name: ref.name });
      if (live.metadata?.uid === ref.uid) return live;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.rememberAbsent(ref.uid);
    return undefined;
  }

  private rememberAbsent(uid: string): void {
    this.absentOwners.add(uid);
    if (this.absentOwners.size > 10_000) this.absentOwners.delete(this.absentOwners.values().next().value as string);
  }

  /**
   * Foreground deletion of `owner` (Kubernetes' processDeletingDependentsItem):
   * queue every dependent for deletion; once no dependent blocks the owner,
   * remove the `foregroundDeletion` finalizer.
   */
  private async processDeletingDependents(item: Item, owner: KubeObject): Promise<boolean> {
    if (!this.monitorsSynced()) return true;
    const dependents = this.dependentsOf(item.uid);
    const blocking = dependents.filter((d) => ownerRefs(d.object).some((r) => r.uid === item.uid && r.blockOwnerDeletion));
    if (!blocking.length) {
      await this.dropFinalizer(item, owner, FOREGROUND_DELETION);
      return false;
    }
    for (const d of dependents) this.enqueue('delete', d.kind, d.object, false, item.cause);
    // Their deletions queue the owner again; this is the safety net.
    return true;
  }

  /**
   * Orphan deletion of an owner (Kubernetes' orphanDependents): remove its
   * reference from every dependent, then the `orphan` finalizer.
   */
  private async orphanDependents(item: Item): Promise<boolean> {
    const owner = await this.current(item);
    if (!owner || !isOrphaning(owner)) return false;
    if (!this.monitorsSynced()) return true;
    const client = this.clientFor(item);
    for (const d of this.dependentsOf(item.uid)) {
      const key = { namespace: d.kind.namespaced ? d.object.metadata?.namespace : undefined, name: d.object.metadata!.name! };
      for (let attempt = 0; ; attempt++) {
        const dep = attempt === 0 ? d.object : await client.get(d.kind, key).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
        if (!dep || dep.metadata?.uid !== d.object.metadata?.uid || !ownerRefs(dep).some((r) => r.uid === item.uid)) break;
        try {
          await client.patch(d.kind, key, removeReferencesPatch(dep, [item.uid]), { type: 'json' });
          break;
        } catch (err) {
          if (isNotFound(err)) break;
          // A failed test (the dependent changed since it was read): read it again.
          if (!(isConflict(err) || isInvalid(err)) || attempt >= 3) throw err;
        }
      }
    }
    await this.dropFinalizer(item, owner, ORPHAN);
    return false;
  }

  /** Removes `finalizer` from the owner, re-reading it on a conflict. */
  private async dropFinalizer(item: Item, owner: KubeObject, finalizer: string): Promise<void> {
    const client = this.clientFor(item);
    let current: KubeObject | undefined = owner;
    for (let attempt = 0; current; attempt++) {
      if (current.metadata?.uid !== item.uid || !(current.metadata?.finalizers ?? []).includes(finalizer)) return;
      try {
        await patchFinalizers(client, item.kind, current, (current.metadata?.finalizers ?? []).filter((f) => f !== finalizer));
        this.log.log(`removed ${finalizer} from ${item.kind.kind} ${item.namespace ? `${item.namespace}/` : ''}${item.name}`);
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt >= 3) throw err;
        current = await client.get(item.kind, { namespace: item.kind.namespaced ? item.namespace : undefined, name: item.name }).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
      }
    }
  }
}
