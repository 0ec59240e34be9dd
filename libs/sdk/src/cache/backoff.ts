import { Clock, realClock } from '../clock';

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** After this long without a failure, start over from `initialMs`. */
  resetAfterMs?: number;
  /** Each delay is stretched by up to this fraction at random. */
  jitter?: number;
}

/**
 * Exponential back-off between reconnection attempts, with client-go's
 * reflector defaults: 800 ms doubling to 30 s, reset after 2 minutes of
 * calm, jitter up to +100%.
 */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly resetAfterMs: number;
  private readonly jitter: number;
  private current = 0;
  private lastAt = -Infinity;

  constructor(
    opts: BackoffOptions = {},
    private readonly clock: Clock = realClock,
    private readonly random: () => number = Math.random,
  ) {
    this.initialMs = opts.initialMs ?? 800;
    this.maxMs = opts.maxMs ?? 30_000;
    this.resetAfterMs = opts.resetAfterMs ?? 120_000;
    this.jitter = opts.jitter ?? 1.0;
  }

  /** The delay before the next attempt. */
  next(): number {
    const now = this.clock.now();
    if (this.current === 0 || now - this.lastAt > this.resetAfterMs) this.current = this.initialMs;
    else this.current = Math.min(this.current * 2, this.maxMs);
    this.lastAt = now;
    return this.current * (1 + this.jitter * this.random());
  }

  reset(): void {
    this.current = 0;
  }
}
