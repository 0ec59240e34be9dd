import { Clock, realClock } from '../clock';

/**
 * How long an item waits before it is handed out again
 * (client-go's `workqueue.TypedRateLimiter`).
 */
export interface RateLimiter<T = string> {
  /** The delay, in ms, before `item` may be processed again; counts a failure. */
  when(item: T): number;
  /** Clears the failure history of `item` (after a success). */
  forget(item: T): void;
  /** How many times `item` has been rate limited since it was last forgotten. */
  numRequeues(item: T): number;
}

/**
 * Per-item exponential back-off: `base * 2^failures`, capped at `max`
 * (client-go's `ItemExponentialFailureRateLimiter`). The first failure
 * waits `base`.
 */
export class ItemExponentialFailureRateLimiter<T = string> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();

  constructor(
    readonly baseDelayMs: number,
    readonly maxDelayMs: number,
  ) {}

  when(item: T): number {
    const exp = this.failures.get(item) ?? 0;
    this.failures.set(item, exp + 1);
    // 2^exp overflows to Infinity long before it matters; the cap applies.
    const backoff = this.baseDelayMs * Math.pow(2, exp);
    return Number.isFinite(backoff) ? Math.min(backoff, this.maxDelayMs) : this.maxDelayMs;
  }

  forget(item: T): void {
    this.failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/**
 * An overall token bucket, shared by every item (client-go's
 * `BucketRateLimiter` over `golang.org/x/time/rate`): the bucket starts full
 * with `burst` tokens and refills at `qps`; each call reserves one token and
 * answers how long until it is available. It keeps no per-item state.
 */
export class BucketRateLimiter<T = string> implements RateLimiter<T> {
  private tokens: number;
  private last: number;

  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly clock: Clock = realClock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  when(_item: T): number {
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
      this.last = now;
    }
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  forget(_item: T): void {}

  numRequeues(_item: T): number {
    return 0;
  }
}

/** The longest delay of several limiters (client-go's `MaxOfRateLimiter`). */
export class MaxOfRateLimiter<T = string> implements RateLimiter<T> {
  private readonly limiters: RateLimiter<T>[];

  constructor(...limiters: RateLimiter<T>[]) {
    this.limiters = limiters;
  }

  when(item: T): number {
    // Every limiter must see the call (each one counts it).
    return this.limiters.map((l) => l.when(item)).reduce((a, b) => Math.max(a, b), 0);
  }

  forget(item: T): void {
    this.limiters.forEach((l) => l.forget(item));
  }

  numRequeues(item: T): number {
    return this.limiters.map((l) => l.numRequeues(item)).reduce((a, b) => Math.max(a, b), 0);
  }
}

/** client-go's defaults: 5 ms doubling to 1000 s per item, 10 qps with a burst of 100 overall. */
export const DEFAULT_RATE_LIMITS = { baseDelayMs: 5, maxDelayMs: 1000_000, qps: 10, burst: 100 } as const;

/**
 * `workqueue.DefaultTypedControllerRateLimiter`: the longer of per-item
 * exponential back-off and the overall token bucket.
 */
export function defaultControllerRateLimiter<T = string>(clock: Clock = realClock): RateLimiter<T> {
  const d = DEFAULT_RATE_LIMITS;
  return new MaxOfRateLimiter<T>(
    new ItemExponentialFailureRateLimiter<T>(d.baseDelayMs, d.maxDelayMs),
    new BucketRateLimiter<T>(d.qps, d.burst, clock),
  );
}
