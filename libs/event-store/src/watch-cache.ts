import { Observable, Subscriber, Subscription } from 'rxjs';
import { ExpiredError, WatchTooSlowError } from './errors';
import { EventLog } from './event-log';
import { LogTail } from './log-tail';
import { StoredEvent } from './types';

export interface WatchOptions {
  group: string;
  resource: string;
  /** Only this namespace; every namespace when undefined. */
  namespace?: string;
  /** Deliver events with seq greater than this (a resourceVersion). */
  fromSeq: number;
  /** Finer filtering (names, labels, fields); runs on the fan-out path, keep it cheap. */
  filter?: (event: StoredEvent) => boolean;
  /**
   * How far behind the consumer is (e.g. bytes not yet flushed to its
   * socket). Checked after every delivery; past `maxBacklog` the watch ends
   * with WatchTooSlowError instead of buffering without bound.
   */
  backlog?: () => number;
  maxBacklog?: number;
  /**
   * Updated by the cache as the watcher advances: `seq` is a position up to
   * which it has been sent every matching event; `live` turns true once it
   * follows the tail, from when `currentSeq` is such a position too. This is
   * what a bookmark may safely carry.
   */
  progress?: WatchProgress;
}

export interface WatchProgress {
  seq: number;
  live: boolean;
}

interface Watcher {
  opts: WatchOptions;
  subscriber: Subscriber<StoredEvent>;
  /** Seq of the last event this watcher has been offered. */
  position: number;
}

export interface WatchCacheOptions {
  /** Events kept in memory for resuming watches (default 10,000). */
  capacity?: number;
  /** Events read per query while a watch catches up from the log (default 1,000). */
  catchUpBatch?: number;
}

/**
 * Fans the tail out to watchers. Keeps the most recent events in a ring so
 * that a watch resuming from a recent resourceVersion starts from memory;
 * older ones are read from `events` until the watch reaches the ring, then
 * join the live stream, all without a gap or a repeat. Below the retention
 * horizon a watch fails with ExpiredError (HTTP 410).
 *
 * Delivery is synchronous and in seq order; a watcher is registered, or
 * replays the ring, between two deliveries, which is what makes the switch
 * from history to live exact.
 */
export class WatchCache {
  private readonly capacity: number;
  private readonly ring: StoredEvent[] = [];
  private ringStart = 0;
  /** Watchers by `group/resource`. */
  private readonly watchers = new Map<string, Set<Watcher>>();
  private tailSub?: Subscription;

  constructor(
    private readonly tail: LogTail,
    private readonly log: EventLog,
    private readonly opts: WatchCacheOptions = {},
  ) {
    this.capacity = opts.capacity ?? 10_000;
  }

  start(): void {
    this.tailSub = this.tail.events$.subscribe({
      next: (e) => this.dispatch(e),
      error: (err) => this.failAll(err),
    });
  }

  stop(): void {
    this.tailSub?.unsubscribe();
    for (const set of this.watchers.values()) for (const w of set) w.subscriber.complete();
    this.watchers.clear();
  }

  /** The seq up to which every watcher has been sent everything: a safe bookmark. */
  get currentSeq(): number {
    return this.tail.lastSeq;
  }

  /** The object an event's object replaced, if the ring still holds it. */
  previousObject(e: StoredEvent): StoredEvent['object'] | undefined {
    if (e.prevSeq === null || this.ring.length === 0) return undefined;
    const oldest = this.ring[this.ringStart].seq;
    const i = e.prevSeq - oldest;
    if (i < 0 || i >= this.ring.length) return undefined;
    const prev = this.ring[(this.ringStart + i) % this.ring.length];
    return prev.seq === e.prevSeq ? prev.object : undefined;
  }

  /** How many watchers are registered. */
  get size(): number {
    let n = 0;
    for (const set of this.watchers.values()) n += set.size;
    return n;
  }

  /** Events of one resource after `opts.fromSeq`: history first, then live, each exactly once. */
  watch(opts: WatchOptions): Observable<StoredEvent> {
    return new Observable<StoredEvent>((subscriber) => {
      const w: Watcher = { opts, subscriber, position: opts.fromSeq };
      let cancelled = false;
      if (opts.fromSeq >= this.tail.lastSeq) {
        this.join(w);
      } else {
        // Resuming from the past: the log may have been compacted below it.
        void this.catchUp(w, () => cancelled).catch((err) => subscriber.error(err));
      }
      return () => {
        cancelled = true;
        this.leave(w);
      };
    });
  }

  /** Registers the watcher if the ring covers its position; false if it must read the log first. */
  private join(w: Watcher): boolean {
    const oldestInRing = this.ring.length > 0 ? this.ring[this.ringStart].seq : this.tail.lastSeq + 1;
    if (w.position < oldestInRing - 1) return false;
    // Seqs are dense, so the ring is indexed by seq - oldestInRing.
    for (let i = Math.max(0, w.position + 1 - oldestInRing); i < this.ring.length && !w.subscriber.closed; i++) {
      this.deliver(w, this.ring[(this.ringStart + i) % this.ring.length]);
    }
    if (w.subscriber.closed) return true;
    if (w.opts.progress) w.opts.progress.live = true;
    const key = `${w.opts.group}/${w.opts.resource}`;
    let set = this.watchers.get(key);
    if (!set) this.watchers.set(key, (set = new Set()));
    set.add(w);
    return true;
  }

  private leave(w: Watcher): void {
    const key = `${w.opts.group}/${w.opts.resource}`;
    const set = this.watchers.get(key);
    set?.delete(w);
    if (set?.size === 0) this.watchers.delete(key);
  }

  /** Reads from the log until the ring covers the watcher's position, then joins. */
  private async catchUp(w: Watcher, cancelled: () => boolean): Promise<void> {
    await this.log.assertRetained(w.position);
    const batch = this.opts.catchUpBatch ?? 1000;
    while (!cancelled() && !w.subscriber.closed) {
      if (this.join(w)) return;
      const until = this.tail.lastSeq;
      const events = await this.log.history({
        group: w.opts.group,
        resource: w.opts.resource,
        namespace: w.opts.namespace,
        afterSeq: w.position,
        untilSeq: until,
        limit: batch,
      });
      for (const e of events) {
        if (cancelled() || w.subscriber.closed) return;
        this.deliver(w, e);
      }
      // Nothing of this resource up to `until`: the watcher has seen all of it.
      if (events.length < batch) w.position = Math.max(w.position, until);
      if (w.opts.progress) w.opts.progress.seq = w.position;
    }
  }

  private dispatch(e: StoredEvent): void {
    this.remember(e);
    const set = this.watchers.get(`${e.group}/${e.resource}`);
    if (!set) return;
    for (const w of set) this.deliver(w, e);
  }

  private deliver(w: Watcher, e: StoredEvent): void {
    if (e.seq <= w.position) return;
    w.position = e.seq;
    if (w.opts.progress) w.opts.progress.seq = e.seq;
    const { namespace, filter, backlog, maxBacklog } = w.opts;
    if (e.group !== w.opts.group || e.resource !== w.opts.resource) return;
    if (namespace !== undefined && e.namespace !== namespace) return;
    if (filter && !filter(e)) return;
    w.subscriber.next(e);
    if (backlog && maxBacklog !== undefined) {
      const behind = backlog();
      if (behind > maxBacklog) {
        this.leave(w);
        w.subscriber.error(new WatchTooSlowError(behind));
      }
    }
  }

  private remember(e: StoredEvent): void {
    if (this.ring.length < this.capacity) {
      this.ring.push(e);
    } else {
      this.ring[this.ringStart] = e;
      this.ringStart = (this.ringStart + 1) % this.capacity;
    }
  }

  private failAll(err: unknown): void {
    const reason = new ExpiredError(this.tail.lastSeq, this.tail.lastSeq);
    for (const set of this.watchers.values()) for (const w of set) w.subscriber.error(reason);
    this.watchers.clear();
    void err;
  }
}
