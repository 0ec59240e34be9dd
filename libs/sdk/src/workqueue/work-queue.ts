import { Clock, realClock, TimerHandle } from '../clock';
import { defaultControllerRateLimiter, RateLimiter } from './rate-limiter';

/** Priority of fresh changes. */
export const NORMAL_PRIORITY = 0;
/**
 * Priority of the initial list and of resyncs (controller-runtime's
 * `handler.LowPriority`): they wait behind every fresh change.
 */
export const LOW_PRIORITY = -100;

export interface AddOptions {
  /** Higher goes first; FIFO within a priority. Default NORMAL_PRIORITY. */
  priority?: number;
}

/**
 * Where a queue reports what it does; `metrics/` turns these into
 * Prometheus series. Durations are in milliseconds.
 */
export interface WorkQueueMetrics {
  /** An item entered the queue (re-adds of a queued item are not counted). */
  added(): void;
  /** Items waiting to be handed out, after a change. */
  depth(n: number): void;
  /** An item was handed out after waiting `ms` in the queue. */
  queued(ms: number): void;
  /** An item was done after being processed for `ms`. */
  worked(ms: number): void;
  /** An item was re-added through the rate limiter. */
  retried(): void;
}

export interface WorkQueueOptions<T> {
  /** Used by metrics and logs. */
  name?: string;
  rateLimiter?: RateLimiter<T>;
  clock?: Clock;
  metrics?: WorkQueueMetrics;
}

interface Delayed {
  readyAt: number;
  priority: number;
  timer: TimerHandle;
}

/**
 * A de-duplicating, rate-limited, delaying work queue with priorities
 * (client-go's `workqueue.TypedRateLimitingInterface`, plus
 * controller-runtime's priority queue).
 *
 * Guarantees:
 * - An item is queued at most once: adding an item that waits already is a
 *   no-op (except that it may raise its priority).
 * - An item handed out by `get` is never handed out again before `done`;
 *   if it is added meanwhile, it is queued once `done` is called. So no two
 *   workers ever process the same item at the same time.
 * - Higher priorities are handed out first; fresh changes (NORMAL) are not
 *   starved by an initial list or a resync (LOW).
 *
 * What it does not do: remember why an item was added (the controller
 * keeps that), or persist anything.
 */
export class WorkQueue<T = string> {
  readonly name: string;
  private readonly rateLimiter: RateLimiter<T>;
  private readonly clock: Clock;
  private readonly metrics?: WorkQueueMetrics;

  /** Queued items by priority; each lane keeps insertion order. */
  private readonly lanes = new Map<number, Set<T>>();
  private priorities: number[] = [];
  /** Items that need processing, with their priority (queued, or re-added while processing). */
  private readonly dirty = new Map<T, number>();
  /** Items handed out and not yet done, with when they were handed out. */
  private readonly processing = new Map<T, number>();
  private readonly addedAt = new Map<T, number>();
  private readonly delayed = new Map<T, Delayed>();
  private readonly waiters: Array<(item: T | undefined) => void> = [];
  private readonly idleWaiters: Array<() => void> = [];
  private shuttingDown = false;

  constructor(opts: WorkQueueOptions<T> = {}) {
    this.name = opts.name ?? 'queue';
    this.clock = opts.clock ?? realClock;
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>(this.clock);
    this.metrics = opts.metrics;
  }

  /** Marks `item` as needing processing. */
  add(item: T, opts: AddOptions = {}): void {
    if (this.shuttingDown) return;
    const priority = opts.priority ?? NORMAL_PRIORITY;
    const known = this.dirty.get(item);
    if (known !== undefined) {
      if (priority > known) {
        this.dirty.set(item, priority);
        // Queued (not processing): move it to the higher lane.
        if (this.lanes.get(known)?.delete(item)) this.enqueue(item, priority);
      }
      return;
    }
    this.dirty.set(item, priority);
    this.metrics?.added();
    this.addedAt.set(item, this.clock.now());
    if (this.processing.has(item)) return;
    this.enqueue(item, priority);
    this.dispatch();
  }

  /**
   * Adds `item` after `delayMs`. Of several pending delays for one item the
   * earliest wins. A delay of zero or less adds at once.
   */
  addAfter(item: T, delayMs: number, opts: AddOptions = {}): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(item, opts);
    const readyAt = this.clock.now() + delayMs;
    const priority = opts.priority ?? NORMAL_PRIORITY;
    const existing = this.delayed.get(item);
    if (existing && existing.readyAt <= readyAt) {
      existing.priority = Math.max(existing.priority, priority);
      return;
    }
    existing?.timer.cancel();
    const timer = this.clock.setTimeout(() => {
      const d = this.delayed.get(item);
      if (d?.timer !== timer) return;
      this.delayed.delete(item);
      this.add(item, { priority: d.priority });
    }, delayMs);
    this.delayed.set(item, { readyAt, priority: Math.max(priority, existing?.priority ?? priority), timer });
  }

  /** Adds `item` once the rate limiter allows it (counts a retry). */
  addRateLimited(item: T, opts: AddOptions = {}): void {
    if (this.shuttingDown) return;
    this.metrics?.retried();
    this.addAfter(item, this.rateLimiter.when(item), opts);
  }

  /** Forgets `item`'s failures: its next rate-limited add starts from the base delay. */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }

  /**
   * The next item to process, waiting for one if none is queued; undefined
   * once the queue is shut down. Call `done(item)` when finished with it.
   */
  get(): Promise<T | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const item = this.take();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends the processing of `item`; if it was added meanwhile, it is queued again. */
  done(item: T): void {
    const started = this.processing.get(item);
    if (started === undefined) return;
    this.processing.delete(item);
    this.metrics?.worked(this.clock.now() - started);
    const priority = this.dirty.get(item);
    if (priority !== undefined && !this.shuttingDown) {
      this.enqueue(item, priority);
      this.dispatch();
    }
    if (this.processing.size === 0) this.idleWaiters.splice(0).forEach((w) => w());
  }

  /** Items waiting to be handed out (not counting delayed or processing ones). */
  get length(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.size;
    return n;
  }

  /** Items waiting for a delay (addAfter / addRateLimited) to pass. */
  get delayedCount(): number {
    return this.delayed.size;
  }

  isProcessing(item: T): boolean {
    return this.processing.has(item);
  }

  /** Seconds of work in progress, summed, and of the longest-running item. */
  unfinishedWork(): { totalSeconds: number; longestSeconds: number } {
    const now = this.clock.now();
    let total = 0;
    let longest = 0;
    for (const started of this.processing.values()) {
      total += (now - started) / 1000;
      longest = Math.max(longest, (now - started) / 1000);
    }
    return { totalSeconds: total, longestSeconds: longest };
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * Stops the queue: new adds are ignored, delayed adds are cancelled, queued
   * items are dropped and every `get` answers undefined. Items being
   * processed may still be marked `done`; `drain()` waits for them.
   */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const d of this.delayed.values()) d.timer.cancel();
    this.delayed.clear();
    this.lanes.clear();
    this.priorities = [];
    for (const item of [...this.dirty.keys()]) if (!this.processing.has(item)) this.dirty.delete(item);
    this.metrics?.depth(0);
    this.waiters.splice(0).forEach((w) => w(undefined));
  }

  /** Resolves once no item is being processed. */
  drain(): Promise<void> {
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // --- internals -----------------------------------------------------------

  private enqueue(item: T, priority: number): void {
    let lane = this.lanes.get(priority);
    if (!lane) {
      this.lanes.set(priority, (lane = new Set()));
      this.priorities = [...this.lanes.keys()].sort((a, b) => b - a);
    }
    lane.add(item);
    this.metrics?.depth(this.length);
  }

  /** Removes the first item of the highest non-empty lane and marks it processing. */
  private take(): T | undefined {
    for (const p of this.priorities) {
      const lane = this.lanes.get(p)!;
      const first = lane.values().next();
      if (first.done) continue;
      const item = first.value;
      lane.delete(item);
      this.dirty.delete(item);
      const now = this.clock.now();
      this.processing.set(item, now);
      const added = this.addedAt.get(item);
      this.addedAt.delete(item);
      this.metrics?.queued(added === undefined ? 0 : now - added);
      this.metrics?.depth(this.length);
      return item;
    }
    return undefined;
  }

  private dispatch(): void {
    while (this.waiters.length > 0) {
      const item = this.take();
      if (item === undefined) return;
      this.waiters.shift()!(item);
    }
  }
}
