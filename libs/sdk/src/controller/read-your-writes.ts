import type { LabelSelector } from '@logbook/machinery';
import { InformerFactory, Lister } from '../cache';
import { compareResourceVersions } from '../cache';
import { KubeObject, kindKey, ObjectKey, ObservedWrite, ResourceKind } from '../client';
import type { CacheReader } from './reconciler';

/** The cache did not catch up with a write of this reconcile in time; the request is retried. */
export class StaleCacheError extends Error {
  constructor(kind: ResourceKind<unknown>, resourceVersion: string, timeoutMs: number) {
    super(`the ${kind.kind} cache did not reach resourceVersion ${resourceVersion} (this reconcile's own write) within ${timeoutMs} ms`);
    this.name = 'StaleCacheError';
  }
}

/** Objects remembered by a controller's RecentWrites; the least recently written go first. */
const RECENT_WRITES_LIMIT = 4096;

/**
 * The resourceVersion of each object a controller wrote lately, across its
 * reconciles. A reconcile only waits for its *own* writes; without this,
 * the next reconcile of the same object — often queued by that very write,
 * and started before the watch delivered it — reads the older copy from
 * the cache and its update fails with 409 Conflict. `get` waits for the
 * controller's last write of the object instead (the work Kubernetes
 * controllers leave to conflicts and retries).
 */
export class RecentWrites {
  private readonly rvs = new Map<string, string>();

  record(w: ObservedWrite): void {
    const rv = w.object?.metadata?.resourceVersion;
    const name = w.object?.metadata?.name;
    if (!rv || !name) return;
    const key = `${kindKey(w.kind)} ${w.kind.namespaced ? (w.object.metadata?.namespace ?? '') : ''}/${name}`;
    const prev = this.rvs.get(key);
    if (prev && compareResourceVersions(rv, prev) <= 0) return;
    this.rvs.delete(key);
    this.rvs.set(key, rv);
    if (this.rvs.size > RECENT_WRITES_LIMIT) this.rvs.delete(this.rvs.keys().next().value!);
  }

  /** The last resourceVersion written for this object, if the controller wrote it lately. */
  lastWrite(kind: ResourceKind<unknown>, key: ObjectKey): string | undefined {
    return this.rvs.get(`${kindKey(kind)} ${kind.namespaced ? (key.namespace ?? '') : ''}/${key.name}`);
  }

  /** Forgets an object's entry once the cache has caught up with it. */
  observed(kind: ResourceKind<unknown>, key: ObjectKey, rv: string): void {
    const k = `${kindKey(kind)} ${kind.namespaced ? (key.namespace ?? '') : ''}/${key.name}`;
    if (this.rvs.get(k) === rv) this.rvs.delete(k);
  }
}

/**
 * A CacheReader for one reconcile: remembers the highest resourceVersion it
 * wrote per kind, and before reading a kind waits until that kind's
 * informer has seen it. With a controller's RecentWrites, `get` of one
 * object also waits for the controller's last write of it (by any
 * reconcile).
 */
export class ReadYourWritesCache implements CacheReader {
  private readonly written = new Map<string, { kind: ResourceKind<unknown>; rv: string }>();

  constructor(
    private readonly informers: InformerFactory,
    private readonly timeoutMs: number,
    private readonly signal?: AbortSignal,
    private readonly recent?: RecentWrites,
  ) {}

  /** Feed it every write of the reconcile (KubeClient.observeWrites). */
  readonly recordWrite = (w: ObservedWrite): void => {
    this.recent?.record(w);
    const rv = w.object?.metadata?.resourceVersion;
    if (!rv) return;
    const key = kindKey(w.kind);
    const prev = this.written.get(key);
    if (!prev || compareResourceVersions(rv, prev.rv) > 0) this.written.set(key, { kind: w.kind, rv });
  };

  async get<T extends KubeObject>(kind: ResourceKind<T>, key: ObjectKey): Promise<T | undefined> {
    const lister = await this.lister(kind);
    const rv = this.recent?.lastWrite(kind, key);
    if (rv !== undefined) {
      // A timeout is not an error here: the object may have been written by others since; read what there is.
      if (await this.informers.informerFor(kind).waitForResourceVersion(rv, this.timeoutMs)) this.recent!.observed(kind, key, rv);
    }
    return lister.get(kind.namespaced ? key.namespace : undefined, key.name);
  }

  async list<T extends KubeObject>(kind: ResourceKind<T>, opts: { namespace?: string; labelSelector?: string | LabelSelector } = {}): Promise<T[]> {
    return (await this.lister(kind)).list(opts.namespace, opts.labelSelector);
  }

  async lister<T extends KubeObject>(kind: ResourceKind<T>): Promise<Lister<T>> {
    const informer = this.informers.informerFor(kind);
    if (!informer.hasSynced && !(await informer.waitForSync({ timeoutMs: this.timeoutMs, signal: this.signal }))) {
      throw new Error(`the ${kind.kind} cache did not sync within ${this.timeoutMs} ms`);
    }
    const written = this.written.get(kindKey(kind));
    if (written && !(await informer.waitForResourceVersion(written.rv, this.timeoutMs))) {
      throw new StaleCacheError(kind, written.rv, this.timeoutMs);
    }
    return informer.lister;
  }
}
