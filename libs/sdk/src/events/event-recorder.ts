import type { Event, ObjectReference } from '@logbook/api';
import { isNotFound } from '@logbook/machinery';
import { kinds, KubeClient, KubeObject } from '../client';
import { Clock, realClock } from '../clock';
import { defaultLogger, errorMessage, SdkLogger } from '../logging';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  /** `source.component` and `reportingComponent`: who reports (the controller's name). */
  component: string;
  /** `reportingInstance` and `source.host`: which replica (the manager's identity). */
  instance?: string;
  /** Distinct events remembered for aggregation. Default 4096. */
  cacheSize?: number;
  clock?: Clock;
  logger?: SdkLogger;
}

interface Seen {
  namespace: string;
  name: string;
  count: number;
}

/** State shared by a recorder and the copies `withClient` makes. */
interface Shared {
  seen: Map<string, Seen>;
  /** One write at a time per aggregation key, so repeats count up instead of racing. */
  inFlight: Map<string, Promise<void>>;
  seq: number;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Records core/v1 Events about objects, as `kubectl describe` shows them
 * (client-go's EventRecorder with its aggregation): an event identical to
 * one recorded before (same object, type, reason, message and source) bumps
 * that Event's `count` and `lastTimestamp` instead of creating another.
 *
 * Recording never throws: events are best-effort, and a failure is logged.
 * What it does not do: client-go's spam filter (a per-object token bucket)
 * or grouping of similar messages.
 */
export class EventRecorder {
  private readonly clock: Clock;
  private readonly log: SdkLogger;
  private readonly cacheSize: number;

  constructor(
    private readonly client: KubeClient,
    private readonly opts: EventRecorderOptions,
    private readonly shared: Shared = { seen: new Map(), inFlight: new Map(), seq: 0 },
  ) {
    this.clock = opts.clock ?? realClock;
    this.log = opts.logger ?? defaultLogger(`EventRecorder ${opts.component}`);
    this.cacheSize = opts.cacheSize ?? 4096;
  }

  /** The same recorder (and aggregation) writing through another client (e.g. one bound to a cause). */
  withClient(client: KubeClient): EventRecorder {
    return new EventRecorder(client, this.opts, this.shared);
  }

  /** Records an event about `object`; resolves once written (or once the failure is logged). */
  event(object: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const ref = referenceTo(object);
    const key = [this.opts.component, ref.apiVersion, ref.kind, ref.namespace, ref.name, ref.uid, type, reason, message].join('\u0000');
    const previous = this.shared.inFlight.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.write(key, ref, type, reason, message));
    this.shared.inFlight.set(key, next);
    void next.then(() => {
      if (this.shared.inFlight.get(key) === next) this.shared.inFlight.delete(key);
    });
    return next;
  }

  private async write(key: string, ref: ObjectReference, type: EventType, reason: string, message: string): Promise<void> {
    const now = rfc3339(this.clock.now());
    try {
      const seen = this.shared.seen.get(key);
      if (seen) {
        try {
          const patched = await this.client.patch(
            kinds.Event,
            { namespace: seen.namespace, name: seen.name },
            { count: seen.count + 1, lastTimestamp: now },
            { type: 'merge' },
          );
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
      const created = await this.client.create(kinds.Event, event);
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
