import type { Event, ObjectReference } from '@logbook/api';
import { isNotFound } from '@logbook/machinery';
import { kinds, KubeClient, KubeObject } from '../client';
import { Clock, realClock } from '../clock';
import { defaultLogger, errorMessage, SdkLogger } from '../logging';
import { COMBINED_PREFIX, CorrelatorOptions, EventCorrelator } from './event-correlator';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  /** `source.component` and `reportingComponent`: who reports (the controller's name). */
  component: string;
  /** `reportingInstance` and `source.host`: which replica (the manager's identity). */
  instance?: string;
  /** Distinct events remembered for deduplication. Default 4096. */
  cacheSize?: number;
  /** Events waiting to be written; beyond it new ones are dropped (client-go: 1000). Default 1000. */
  maxQueued?: number;
  /** Aggregation and spam filter (client-go's defaults). */
  correlator?: CorrelatorOptions;
  clock?: Clock;
  logger?: SdkLogger;
}

interface Seen {
  namespace: string;
  name: string;
  count: number;
}

interface Pending {
  client: KubeClient;
  ref: ObjectReference;
  type: EventType;
  reason: string;
  message: string;
  key: string;
  done: () => void;
}

/** State shared by a recorder and the copies `withClient` makes. */
interface Shared {
  seen: Map<string, Seen>;
  queue: Pending[];
  writing: boolean;
  correlator?: EventCorrelator;
  dropped: number;
  seq: number;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Records core/v1 Events about objects, as `kubectl describe` shows them —
 * client-go's EventRecorder, broadcaster and correlator:
 *
 * - `event()` only queues: one writer per recorder writes the queue in
 *   order, off the caller's path (a reconcile, a bind, a pod sync never
 *   waits for its events). The returned promise resolves once the event is
 *   written, merged or dropped; awaiting it is for tests.
 * - An event identical to one written before (same object, type, reason,
 *   message and source) bumps that Event's `count` and `lastTimestamp`.
 * - Many similar events about one object (same type and reason, different
 *   messages — "Created pod: a", "Created pod: b", ...) become one
 *   "(combined from similar events)" Event, and each source may write at
 *   most 25 events per object at once, then one per 5 minutes (see
 *   EventCorrelator): a controller creating 1,000 pods records tens of
 *   events about its ReplicaSet, not a thousand.
 * - When more than `maxQueued` wait, new ones are dropped (as client-go's
 *   full broadcaster channel drops them) and a warning says how many.
 *
 * Recording never throws: events are best-effort, and a failure is logged.
 */
export class EventRecorder {
  private readonly clock: Clock;
  private readonly log: SdkLogger;
  private readonly cacheSize: number;

  constructor(
    private readonly client: KubeClient,
    private readonly opts: EventRecorderOptions,
    private readonly shared: Shared = { seen: new Map(), queue: [], writing: false, dropped: 0, seq: 0 },
  ) {
    this.clock = opts.clock ?? realClock;
    this.log = opts.logger ?? defaultLogger(`EventRecorder ${opts.component}`);
    this.cacheSize = opts.cacheSize ?? 4096;
    this.shared.correlator ??= new EventCorrelator(() => this.clock.now(), opts.correlator);
  }

  /** The same recorder (queue, deduplication, spam filter) writing through another client (e.g. one bound to a cause). */
  withClient(client: KubeClient): EventRecorder {
    return new EventRecorder(client, this.opts, this.shared);
  }

  /** Events queued and not yet written. */
  get pending(): number {
    return this.shared.queue.length;
  }

  /**
   * Queues an event about `object`. Resolves once it is written (or merged
   * into an existing Event, or dropped, or its failure logged); callers on
   * a hot path should not wait for it.
   */
  event(object: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const ref = referenceTo(object);
    const objectKey = [this.opts.component, this.opts.instance ?? '', ref.apiVersion, ref.kind, ref.namespace, ref.name, ref.uid].join('\u0000');
    const c = this.shared.correlator!.correlate({ objectKey, type, reason, message });
    if (c.action === 'skip') return Promise.resolve();
    if (this.shared.queue.length >= (this.opts.maxQueued ?? 1000)) {
      if (this.shared.dropped++ % 1000 === 0) this.log.warn(`event queue full: dropping events (${this.shared.dropped} so far), e.g. ${reason} on ${ref.kind} ${ref.name}`);
      return Promise.resolve();
    }
    return new Promise((done) => {
      this.shared.queue.push({ client: this.client, ref, type, reason, message: c.message, key: c.key, done });
      if (!this.shared.writing) void this.drain();
    });
  }

  /** Resolves when every event queued so far has been dealt with. */
  async flush(): Promise<void> {
    if (!this.shared.queue.length && !this.shared.writing) return;
    const last = this.shared.queue[this.shared.queue.length - 1];
    if (!last) {
      await new Promise((r) => setImmediate(r));
      return this.flush();
    }
    await new Promise<void>((resolve) => {
      const done = last.done;
      last.done = () => (done(), resolve());
    });
  }

  private async drain(): Promise<void> {
    this.shared.writing = true;
    try {
      for (let p = this.shared.queue.shift(); p; p = this.shared.queue.shift()) {
        await this.write(p);
        p.done();
      }
    } finally {
      this.shared.writing = false;
    }
  }

  private async write(p: Pending): Promise<void> {
    const { ref, type, reason, message, key } = p;
    const now = rfc3339(this.clock.now());
    try {
      const seen = this.shared.seen.get(key);
      if (seen) {
        try {
          const patch: Partial<Event> = { count: seen.count + 1, lastTimestamp: now };
          if (message.startsWith(COMBINED_PREFIX)) patch.message = message;
          const patched = await p.client.patch(kinds.Event, { namespace: seen.namespace, name: seen.name }, patch, { type: 'merge' });
          this.remember(key, { ...seen, count: patched.count ?? seen.count + 1 });
          return;
        } catch (err) {
          if (!isNotFound(err)) throw err;
          // Deleted (events expire): start a new one.
        }
      }
      const namespace = ref.namespace || 'default';
      const event: Event = {
        metadata: { name: `${ref.name}.${this.uniqueSuffix()}`, namespace },
        involvedObject: ref,
        reason,
        message,
        type,
        source: { component: this.opts.component, ...(this.opts.instance ? { host: this.opts.instance } : {}) },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        reportingComponent: this.opts.component,
        reportingInstance: this.opts.instance ?? '',
      };
      const created = await p.client.create(kinds.Event, event);
      this.remember(key, { namespace, name: created.metadata!.name!, count: 1 });
    } catch (err) {
      this.log.warn(`could not record event ${reason} on ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}: ${errorMessage(err)}`);
    }
  }

  /** client-go names events `<object>.<unix nanoseconds in hex>`; a counter keeps them unique within a millisecond. */
  private uniqueSuffix(): string {
    const nanos = BigInt(this.clock.now()) * 1_000_000n + BigInt(this.shared.seq++ % 1_000_000);
    return nanos.toString(16);
  }

  private remember(key: string, seen: Seen): void {
    this.shared.seen.delete(key);
    this.shared.seen.set(key, seen);
    if (this.shared.seen.size > this.cacheSize) this.shared.seen.delete(this.shared.seen.keys().next().value!);
  }
}

/** The ObjectReference of an object (what `involvedObject` holds). */
export function referenceTo(object: KubeObject): ObjectReference {
  const meta = object.metadata ?? {};
  if (!object.kind || !object.apiVersion || !meta.name) throw new Error('an event needs an object with apiVersion, kind and metadata.name');
  const ref: ObjectReference = { kind: object.kind, apiVersion: object.apiVersion, name: meta.name };
  if (meta.namespace) ref.namespace = meta.namespace;
  if (meta.uid) ref.uid = meta.uid;
  if (meta.resourceVersion) ref.resourceVersion = meta.resourceVersion;
  return ref;
}
