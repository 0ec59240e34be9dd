import { isResourceVersionTooOld } from '@logbook/machinery';
import { Observable, Subject, Subscription } from 'rxjs';
import { KubeClient, KubeObject, ResourceKind, WatchEvent } from '../client';
import { Clock, realClock, sleep, TimerHandle } from '../clock';
import { defaultLogger, errorMessage, SdkLogger } from '../logging';
import { Backoff, BackoffOptions } from './backoff';
import { InformerEvent } from './informer-event';
import { compareResourceVersions, deepFreeze, objectKey } from './object-key';
import { IndexFunc, Lister, Store } from './store';

export interface InformerOptions {
  /** Only this namespace (default: all). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * Re-deliver every cached object as an UPDATED (resync) event this often.
   * Default 0: off. Level-based reconcilers that need periodic work return
   * `requeueAfter`; a resync only papers over lost events, which this
   * informer does not lose (it relists on 410 and restarts dead watches).
   */
  resyncPeriodMs?: number;
  /** Objects per list request. Default 500. */
  pageSize?: number;
  /**
   * A watch that delivers no event and no bookmark for this long is
   * considered dead and restarted. Logbook sends a bookmark every ~10 s;
   * default 30 s.
   */
  watchIdleTimeoutMs?: number;
  /** Each watch asks the server to end it after a random time in this range (client-go: 5–10 min). */
  watchTimeoutSeconds?: [number, number];
  backoff?: BackoffOptions;
  clock?: Clock;
  logger?: SdkLogger;
}

/** How an informer is doing, for health checks and tests. */
export interface InformerStatus {
  synced: boolean;
  watching: boolean;
  resourceVersion?: string;
  /** Lists done (the first one included). */
  lists: number;
  /** Watches opened. */
  watches: number;
  /** Watches found dead (idle past the deadline) and restarted. */
  deadWatches: number;
  /** Relists forced by 410 Gone/Expired. */
  expired: number;
  lastError?: string;
}

interface RvWaiter {
  rv: string;
  resolve: (ok: boolean) => void;
  timer: TimerHandle;
}

/**
 * List, then watch, a kind; keep a cache of it (with indexes); tell
 * handlers what changed (client-go's SharedIndexInformer with its
 * reflector).
 *
 * - A watch that ends, breaks or goes silent is resumed from the last
 *   resourceVersion seen (bookmarks advance it); a 410 relists, diffing the
 *   new list against the cache, so no final state is missed.
 * - `events$` first replays the cache as ADDED (`initialList: true`) to each
 *   new subscriber, then delivers changes as they happen.
 * - Objects are frozen: never mutate what the cache hands out.
 */
export class SharedInformer<T extends KubeObject = KubeObject> {
  private readonly store = new Store<T>();
  private readonly subject = new Subject<InformerEvent<T>>();
  private readonly clock: Clock;
  private readonly log: SdkLogger;
  private readonly backoff: Backoff;
  private readonly rvWaiters = new Set<RvWaiter>();
  private readonly syncWaiters: Array<(synced: boolean) => void> = [];
  private readonly state: InformerStatus = { synced: false, watching: false, lists: 0, watches: 0, deadWatches: 0, expired: 0 };
  private rv?: string;
  private running?: Promise<void>;
  private abort?: AbortController;
  private endWatch?: () => void;
  private resyncTimer?: TimerHandle;
  private lastActivity = 0;

  constructor(
    readonly client: KubeClient,
    readonly kind: ResourceKind<T>,
    readonly options: InformerOptions = {},
  ) {
    this.clock = options.clock ?? realClock;
    this.log = options.logger ?? defaultLogger(`Informer ${kind.kind}${options.namespace ? ` in ${options.namespace}` : ''}`);
    this.backoff = new Backoff(options.backoff, this.clock);
  }

  /** Read access to the cache. */
  get lister(): Lister<T> {
    return this.store;
  }

  /** Adds an index; allowed at any time. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    this.store.addIndexer(name, fn);
  }

  /** The cache's current objects as ADDED (initialList), then every change. */
  get events$(): Observable<InformerEvent<T>> {
    return new Observable<InformerEvent<T>>((subscriber) => {
      for (const object of this.store.list()) subscriber.next({ type: 'ADDED', object, initialList: true });
      return this.subject.subscribe(subscriber);
    });
  }

  get hasSynced(): boolean {
    return this.state.synced;
  }

  /** The last resourceVersion the cache has caught up to. */
  get resourceVersion(): string | undefined {
    return this.rv;
  }

  get status(): Readonly<InformerStatus> {
    return { ...this.state, resourceVersion: this.rv };
  }

  /** When the informer last heard from the server (ms since epoch). */
  get lastActivityAt(): number {
    return this.lastActivity;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  start(): void {
    if (this.running) return;
    this.abort = new AbortController();
    this.running = this.run(this.abort.signal);
    const period = this.options.resyncPeriodMs ?? 0;
    if (period > 0) this.scheduleResync(period);
  }

  /** Stops listing and watching; the cache keeps its content. Handlers' streams complete if `complete` is set. */
  async stop(opts: { complete?: boolean } = {}): Promise<void> {
    this.abort?.abort();
    this.endWatch?.();
    this.resyncTimer?.cancel();
    await this.running;
    this.running = undefined;
    // A stopped informer will not sync or catch up: nobody waits on it for ever.
    for (const w of this.rvWaiters) {
      w.timer.cancel();
      w.resolve(false);
    }
    this.rvWaiters.clear();
    if (!this.state.synced) this.syncWaiters.splice(0).forEach((w) => w(false));
    if (opts.complete) this.subject.complete();
  }

  /** Resolves when the first list is in the cache; false if `timeoutMs` passes, the signal aborts or the informer stops first. */
  waitForSync(opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    if (this.state.synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      let done = false;
      const finish = (ok: boolean) => {
        if (done) return;
        done = true;
        timer?.cancel();
        resolve(ok);
      };
      const timer = opts.timeoutMs !== undefined ? this.clock.setTimeout(() => finish(false), opts.timeoutMs) : undefined;
      opts.signal?.addEventListener('abort', () => finish(false), { once: true });
      this.syncWaiters.push(finish);
    });
  }

  /**
   * Resolves true once the cache has caught up to `resourceVersion` (seen
   * it, or a later one), false after `timeoutMs`. Reads after a write use it
   * to see their own write.
   */
  waitForResourceVersion(resourceVersion: string, timeoutMs: number): Promise<boolean> {
    if (this.caughtUpTo(resourceVersion)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: RvWaiter = {
        rv: resourceVersion,
        resolve,
        timer: this.clock.setTimeout(() => {
          this.rvWaiters.delete(waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.rvWaiters.add(waiter);
    });
  }

  // --- the reflector loop ----------------------------------------------------

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        if (this.rv === undefined) await this.listAndReplace(signal);
        if (signal.aborted) break;
        await this.watchFrom(this.rv!, signal);
      } catch (err) {
        if (signal.aborted) break;
        this.state.watching = false;
        if (isResourceVersionTooOld(err)) {
          this.state.expired++;
          this.log.log(`resourceVersion ${this.rv} expired (${errorMessage(err)}): relisting`);
          this.rv = undefined;
          continue;
        }
        this.state.lastError = errorMessage(err);
        const delay = this.backoff.next();
        this.log.warn(`${this.rv === undefined ? 'list' : 'watch'} failed: ${errorMessage(err)}; retrying in ${Math.round(delay)} ms`);
        await sleep(delay, this.clock, signal);
      }
    }
    this.state.watching = false;
  }

  private async listAndReplace(signal: AbortSignal): Promise<void> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.client.list(this.kind, {
        namespace: this.options.namespace,
        labelSelector: this.options.labelSelector,
        fieldSelector: this.options.fieldSelector,
        limit: this.options.pageSize ?? 500,
        continue: cont,
      });
      if (signal.aborted) return;
      items.push(...page.items);
      cont = page.continue;
      rv = page.resourceVersion;
    } while (cont);
    this.state.lists++;
    this.touch();
    this.replace(items, rv);
  }

  /** Puts a full list in the cache, emitting what differs from what it held. */
  private replace(items: T[], rv: string): void {
    const first = !this.state.synced;
    const seen = new Set<string>();
    for (const item of items) {
      const object = deepFreeze(item);
      const key = objectKey(object);
      seen.add(key);
      const old = this.store.upsert(object);
      if (!old) this.subject.next({ type: 'ADDED', object, initialList: first });
      else if (old.metadata?.resourceVersion !== object.metadata?.resourceVersion) {
        this.subject.next({ type: 'UPDATED', oldObject: old, object, resync: false });
      }
    }
    for (const key of this.store.keys()) {
      if (seen.has(key)) continue;
      const gone = this.store.remove(key)!;
      this.subject.next({ type: 'DELETED', object: gone, finalStateUnknown: true });
    }
    this.advance(rv);
    if (first) {
      this.state.synced = true;
      this.syncWaiters.splice(0).forEach((w) => w(true));
    }
  }

  /** One watch, until the server ends it (resolve), it fails (reject) or it goes silent (resolve: resume). */
  private watchFrom(rv: string, signal: AbortSignal): Promise<void> {
    const [min, max] = this.options.watchTimeoutSeconds ?? [300, 600];
    const idleMs = this.options.watchIdleTimeoutMs ?? 30_000;
    return new Promise<void>((resolve, reject) => {
      let sub: Subscription | undefined;
      let idle: TimerHandle | undefined;
      let settled = false;
      const settle = (err?: unknown) => {
        if (settled) return;
        settled = true;
        idle?.cancel();
        sub?.unsubscribe();
        this.endWatch = undefined;
        this.state.watching = false;
        if (err === undefined) resolve();
        else reject(err);
      };
      const arm = () => {
        idle?.cancel();
        idle = this.clock.setTimeout(() => {
          this.state.deadWatches++;
          this.log.warn(`no event or bookmark for ${idleMs} ms: restarting the watch from ${this.rv}`);
          settle();
        }, idleMs);
      };
      this.endWatch = () => settle();
      if (signal.aborted) return settle();
      this.state.watches++;
      this.state.watching = true;
      arm();
      sub = this.client
        .watch(this.kind, {
          namespace: this.options.namespace,
          labelSelector: this.options.labelSelector,
          fieldSelector: this.options.fieldSelector,
          resourceVersion: rv,
          allowWatchBookmarks: true,
          timeoutSeconds: Math.round(min + Math.random() * (max - min)),
        })
        .subscribe({
          next: (e) => {
            if (settled) return;
            arm();
            this.backoff.reset();
            this.onWatchEvent(e);
          },
          error: (err) => settle(err),
          complete: () => settle(),
        });
    });
  }

  private onWatchEvent(e: WatchEvent<T>): void {
    this.touch();
    if (e.type === 'BOOKMARK') {
      this.advance(e.resourceVersion);
      return;
    }
    const object = deepFreeze(e.object);
    const key = objectKey(object);
    if (e.type === 'DELETED') {
      const old = this.store.remove(key);
      if (old) this.subject.next({ type: 'DELETED', object, finalStateUnknown: false });
    } else {
      const old = this.store.upsert(object);
      if (old) this.subject.next({ type: 'UPDATED', oldObject: old, object, resync: false });
      else this.subject.next({ type: 'ADDED', object, initialList: false });
    }
    const rv = object.metadata?.resourceVersion;
    if (rv) this.advance(rv);
  }

  private advance(rv: string): void {
    if (!rv) return;
    if (this.rv !== undefined && compareResourceVersions(rv, this.rv) < 0) return;
    this.rv = rv;
    for (const w of this.rvWaiters) {
      if (!this.caughtUpTo(w.rv)) continue;
      w.timer.cancel();
      this.rvWaiters.delete(w);
      w.resolve(true);
    }
  }

  private caughtUpTo(rv: string): boolean {
    return this.rv !== undefined && compareResourceVersions(this.rv, rv) >= 0;
  }

  private touch(): void {
    this.lastActivity = this.clock.now();
  }

  private scheduleResync(period: number): void {
    this.resyncTimer = this.clock.setTimeout(() => {
      if (this.state.synced) {
        for (const object of this.store.list()) this.subject.next({ type: 'UPDATED', oldObject: object, object, resync: true });
      }
      if (this.running) this.scheduleResync(period);
    }, period);
  }
}
