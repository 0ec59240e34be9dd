import type { Observable, Subscription } from 'rxjs';
import type { EventLog, KubeObject, StoredEvent } from '@logbook/event-store';

/** What a create needs to know of its namespace. */
export interface NamespaceState {
  /** Being deleted: `deletionTimestamp` set or phase `Terminating`. */
  terminating: boolean;
}

interface Known extends NamespaceState {
  /** resourceVersion of the state (an event's seq, or what a lookup read). */
  rv: number;
  /** False for a namespace seen deleted (kept so that an older lookup cannot bring it back). */
  exists: boolean;
}

/** How long a namespace deleted through this server is read from the log, not the cache (kube's forceLiveLookupTTL). */
export const FORCE_LIVE_LOOKUP_MS = 30_000;

const terminating = (o: KubeObject): boolean =>
  Boolean(o.metadata.deletionTimestamp) || (o as { status?: { phase?: unknown } }).status?.phase === 'Terminating';

/**
 * Kubernetes' NamespaceLifecycle admission: is the namespace of a create
 * there, and not being deleted? Answered from a cache the log's tail keeps
 * current (kube-apiserver uses a namespace informer), so that a create costs
 * no extra read of Postgres. As in Kubernetes:
 *
 * - a namespace the cache does not know, or knows as deleted, is looked up
 *   in the log (it may have been created a moment ago, on another replica);
 * - a namespace deleted through this server is looked up in the log for the
 *   next 30 seconds while the cache still shows it active;
 * - until the tail is followed (and after it fails), every check is a lookup.
 *
 * Another replica's change reaches the cache with its tail (a notification
 * and a read): the same window kube-apiserver's informer has.
 */
export class NamespaceLifecycle {
  private readonly known = new Map<string, Known>();
  private readonly forceLiveUntil = new Map<string, number>();
  private subscription?: Subscription;

  constructor(
    private readonly log: Pick<EventLog, 'get'>,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Keeps the cache current from the log's tail (every event, in seq order). */
  follow(events$: Observable<StoredEvent>): void {
    this.subscription?.unsubscribe();
    const stop = () => {
      this.subscription = undefined;
      this.known.clear();
    };
    this.subscription = events$.subscribe({
      next: (e) => {
        if (e.group !== '' || e.resource !== 'namespaces') return;
        this.remember(e.name, e.type === 'DELETED' ? undefined : e.object, e.seq);
      },
      error: stop,
      complete: stop,
    });
  }

  /** Stops following the tail; every check then reads the log. */
  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.known.clear();
  }

  /** A DELETE of the namespace went through this server: distrust the cache for a while. */
  deleted(name: string): void {
    this.forceLiveUntil.set(name, this.clock() + FORCE_LIVE_LOOKUP_MS);
  }

  /** The namespace's state, or null when it does not exist. */
  async get(name: string): Promise<NamespaceState | null> {
    const cached = this.subscription ? this.known.get(name) : undefined;
    if (cached?.exists && !(this.mustLookUp(name) && !cached.terminating)) return { terminating: cached.terminating };
    const found = await this.log.get({ group: '', resource: 'namespaces' }, '', name);
    if (!found) return null;
    if (this.subscription) this.remember(name, found.object, found.resourceVersion);
    return { terminating: terminating(found.object) };
  }

  private mustLookUp(name: string): boolean {
    const until = this.forceLiveUntil.get(name);
    if (until === undefined) return false;
    if (until > this.clock()) return true;
    this.forceLiveUntil.delete(name);
    return false;
  }

  /** Records a state unless the cache already holds a newer one. */
  private remember(name: string, object: KubeObject | undefined, rv: number): void {
    const current = this.known.get(name);
    if (current && current.rv >= rv) return;
    this.known.set(name, { rv, exists: object !== undefined, terminating: object !== undefined && terminating(object) });
  }
}
