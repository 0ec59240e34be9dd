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

/**
 * A CacheReader for one reconcile: remembers the highest resourceVersion it
 * wrote per kind, and before reading a kind waits until that kind's
 * informer has seen it.
 */
export class ReadYourWritesCache implements CacheReader {
  private readonly written = new Map<string, { kind: ResourceKind<unknown>; rv: string }>();

  constructor(
    private readonly informers: InformerFactory,
    private readonly timeoutMs: number,
    private readonly signal?: AbortSignal,
  ) {}

  /** Feed it every write of the reconcile (KubeClient.observeWrites). */
  readonly recordWrite = (w: ObservedWrite): void => {
    const rv = w.object?.metadata?.resourceVersion;
    if (!rv) return;
    const key = kindKey(w.kind);
    const prev = this.written.get(key);
    if (!prev || compareResourceVersions(rv, prev.rv) > 0) this.written.set(key, { kind: w.kind, rv });
  };

  async get<T extends KubeObject>(kind: ResourceKind<T>, key: ObjectKey): Promise<T | undefined> {
    return (await this.lister(kind)).get(kind.namespaced ? key.namespace : undefined, key.name);
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
