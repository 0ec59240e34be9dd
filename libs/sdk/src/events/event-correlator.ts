/**
 * What client-go's EventCorrelator decides about each event before it is
 * written (tools/record/events_cache.go), so that a controller reporting
 * the same thing about the same object many times costs a few writes, not
 * one per call:
 *
 * 1. aggregation: once `maxSimilar` events about one object with the same
 *    type and reason but different messages were seen (each within `window`
 *    of the previous one), they become one event, "(combined from similar
 *    events): <latest message>", whose count goes up;
 * 2. deduplication: an event identical to one already written (same
 *    object, type, reason, message, source) bumps that Event's `count`;
 * 3. spam filter: a token bucket per source and object (burst `burst`,
 *    then one token every `refillMs`) drops whatever exceeds it.
 *
 * Pure bookkeeping with a clock; the recorder does the writing.
 */
export interface CorrelatorOptions {
  /** Distinct messages of one (object, type, reason) before aggregating. Default 10 (client-go's defaultAggregateMaxEvents). */
  maxSimilar?: number;
  /** How long similar messages are remembered. Default 10 min (defaultAggregateIntervalInSeconds). */
  windowMs?: number;
  /** Events per source and object at once. Default 25 (defaultSpamBurst). */
  burst?: number;
  /** One more event per source and object every this long. Default 5 min (defaultSpamQPS = 1/300). */
  refillMs?: number;
  /** Entries kept in each cache (LRU). Default 4096. */
  cacheSize?: number;
}

export interface EventFields {
  /** Source and involved object, as one key (component, host, apiVersion, kind, namespace, name, uid). */
  objectKey: string;
  type: string;
  reason: string;
  message: string;
}

export type Correlation =
  /** Dropped by the spam filter. */
  | { action: 'skip' }
  /** Write it; `key` identifies it for deduplication, `message` may be the combined one. */
  | { action: 'write'; key: string; message: string };

export const COMBINED_PREFIX = '(combined from similar events): ';

/** A Map that forgets its least recently used entries beyond `size`. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly size: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, v);
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value!);
  }
}

export class EventCorrelator {
  private readonly maxSimilar: number;
  private readonly windowMs: number;
  private readonly burst: number;
  private readonly refillMs: number;
  private readonly similar: Lru<{ messages: Set<string>; last: number }>;
  private readonly buckets: Lru<{ tokens: number; at: number }>;

  constructor(
    private readonly now: () => number,
    opts: CorrelatorOptions = {},
  ) {
    this.maxSimilar = opts.maxSimilar ?? 10;
    this.windowMs = opts.windowMs ?? 600_000;
    this.burst = opts.burst ?? 25;
    this.refillMs = opts.refillMs ?? 300_000;
    this.similar = new Lru(opts.cacheSize ?? 4096);
    this.buckets = new Lru(opts.cacheSize ?? 4096);
  }

  correlate(e: EventFields): Correlation {
    const now = this.now();
    const similarKey = [e.objectKey, e.type, e.reason].join('\u0000');
    let record = this.similar.get(similarKey);
    // Forgotten after a quiet window (client-go measures from the last similar event).
    if (!record || now - record.last > this.windowMs) record = { messages: new Set(), last: now };
    record.last = now;
    record.messages.add(e.message);
    // Never more than needed to tell that the limit was reached.
    if (record.messages.size > this.maxSimilar) record.messages.delete(record.messages.values().next().value!);
    this.similar.set(similarKey, record);
    const combined = record.messages.size >= this.maxSimilar;
    const message = combined ? `${COMBINED_PREFIX}${e.message}` : e.message;
    // A combined event is one event: every later similar one counts up on it.
    const key = combined ? `${similarKey}\u0000${COMBINED_PREFIX}` : `${similarKey}\u0000${e.message}`;
    return this.take(e.objectKey, now) ? { action: 'write', key, message } : { action: 'skip' };
  }

  private take(objectKey: string, now: number): boolean {
    const b = this.buckets.get(objectKey) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + (now - b.at) / this.refillMs);
    b.at = now;
    this.buckets.set(objectKey, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
