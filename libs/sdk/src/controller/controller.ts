import { Subscription } from 'rxjs';
import { InformerEvent, InformerFactory, compareResourceVersions, objectKey, splitObjectKey } from '../cache';
import { KubeClient, KubeObject, sameGroupKind } from '../client';
import { parseApiVersion } from '@logbook/api';
import { Clock, realClock } from '../clock';
import { EventRecorder } from '../events';
import { defaultLogger, errorMessage, SdkLogger } from '../logging';
import { LOW_PRIORITY, NORMAL_PRIORITY, WorkQueue } from '../workqueue';
import { ControllerSpec, SourceSpec, WatchMapContext } from './controller-options';
import { ControllerMetrics, MetricsProvider, ReconcileOutcome } from './controller-metrics';
import { ReadYourWritesCache, RecentWrites } from './read-your-writes';
import { Cause, ReconcileContext, Request, Result, TerminalError } from './reconciler';

/** Causes kept per queued request; older ones are dropped first. */
const MAX_CAUSES_PER_REQUEST = 32;

export interface ControllerDeps {
  client: KubeClient;
  informers: InformerFactory;
  metrics?: MetricsProvider;
  /** The manager's identity, reported on events. */
  identity?: string;
  logger?: SdkLogger;
  clock?: Clock;
}

const requestKey = (r: Request) => (r.namespace ? `${r.namespace}/${r.name}` : r.name);

/**
 * Runs one reconciler: sources (informer events) → predicates → handler
 * (which request) → work queue → workers → reconcile.
 *
 * - A request is a namespaced name; events for one object collapse into one
 *   queued request, and the events are kept as its `causes`.
 * - The queue never hands one request to two workers at once.
 * - Success forgets the request's back-off; an error requeues it with
 *   back-off (a TerminalError does not); `requeueAfter` requeues after a
 *   delay; `requeue` requeues with back-off.
 * - The initial list and resyncs are queued at low priority, behind fresh
 *   changes.
 *
 * A controller can be started and stopped repeatedly (as leadership comes
 * and goes); each start replays the cache as the initial list.
 */
export class Controller {
  readonly name: string;
  private readonly log: SdkLogger;
  private readonly clock: Clock;
  private readonly metrics?: ControllerMetrics;
  private readonly recorder: EventRecorder;
  /** This controller's latest writes per object, so that the next reconcile of one waits for the cache to show it. */
  private readonly recentWrites = new RecentWrites();
  private readonly mapContext: WatchMapContext = { lister: (kind) => this.deps.informers.informerFor(kind).lister };
  private queue?: WorkQueue<string>;
  private causes = new Map<string, Cause[]>();
  private subscriptions: Subscription[] = [];
  private workers: Promise<void>[] = [];
  private abort?: AbortController;
  private detachQueue?: () => void;
  private starting?: Promise<void>;

  constructor(
    readonly spec: ControllerSpec,
    private readonly deps: ControllerDeps,
  ) {
    this.name = spec.name;
    this.log = deps.logger ?? defaultLogger(`Controller ${spec.name}`);
    this.clock = deps.clock ?? realClock;
    this.metrics = deps.metrics?.forController(spec.name);
    this.metrics?.maxConcurrentReconciles(spec.maxConcurrentReconciles);
    this.recorder = new EventRecorder(deps.client, { component: spec.name, instance: deps.identity, clock: this.clock });
  }

  get isRunning(): boolean {
    return this.abort !== undefined;
  }

  /** Requests waiting in the queue (not counting delayed or in-progress ones). */
  get queueLength(): number {
    return this.queue?.length ?? 0;
  }

  /**
   * Subscribes to the sources, waits for their caches' first list, then
   * starts the workers. Resolves once the workers run (or the controller was
   * stopped while waiting).
   */
  start(): Promise<void> {
    if (this.abort) return this.starting ?? Promise.resolve();
    const abort = (this.abort = new AbortController());
    const queue = (this.queue = new WorkQueue<string>({
      name: this.name,
      rateLimiter: this.spec.rateLimiter,
      clock: this.clock,
      metrics: this.metrics?.queue,
    }));
    this.causes = new Map();
    this.detachQueue = this.metrics?.attachQueue(queue);
    const informers = this.spec.sources.map((s) => this.deps.informers.informerFor(s.kind));
    this.subscriptions = this.spec.sources.map((s, i) => informers[i].events$.subscribe((e) => this.onEvent(s, e, queue)));
    this.starting = (async () => {
      for (const informer of informers) {
        while (!informer.hasSynced && !abort.signal.aborted) {
          if (!(await informer.waitForSync({ timeoutMs: 30_000, signal: abort.signal })) && !abort.signal.aborted) {
            this.log.warn(`waiting for the ${informer.kind.kind} cache to sync (${informer.status.lastError ?? 'no answer yet'})`);
          }
        }
      }
      if (abort.signal.aborted) return;
      this.workers = Array.from({ length: this.spec.maxConcurrentReconciles }, () => this.work(queue, abort.signal));
      this.log.log(`started ${this.spec.maxConcurrentReconciles} worker(s)`);
    })();
    return this.starting;
  }

  /** Stops taking events, drops queued requests, and waits for reconciles in progress to finish. */
  async stop(): Promise<void> {
    const abort = this.abort;
    if (!abort) return;
    abort.abort();
    this.subscriptions.splice(0).forEach((s) => s.unsubscribe());
    this.queue?.shutDown();
    await this.starting;
    await Promise.all(this.workers);
    this.workers = [];
    this.detachQueue?.();
    this.abort = undefined;
    this.starting = undefined;
  }

  // --- sources to queue --------------------------------------------------------

  private onEvent(source: SourceSpec, e: InformerEvent<KubeObject>, queue: WorkQueue<string>): void {
    if (!this.spec.predicates.every((p) => p(e)) || !source.predicates.every((p) => p(e))) return;
    const requests = this.requestsFor(source, e);
    if (requests.length === 0) return;
    const background = (e.type === 'ADDED' && e.initialList) || (e.type === 'UPDATED' && e.resync);
    const cause: Cause = Object.freeze({
      source: source.role,
      kind: source.kind,
      type: e.type,
      object: e.object,
      oldObject: e.type === 'UPDATED' ? e.oldObject : undefined,
      resourceVersion: e.object.metadata?.resourceVersion ?? '',
      background,
    });
    for (const r of requests) {
      const key = requestKey(r);
      const list = this.causes.get(key) ?? [];
      list.push(cause);
      if (list.length > MAX_CAUSES_PER_REQUEST) list.shift();
      this.causes.set(key, list);
      queue.add(key, { priority: background ? LOW_PRIORITY : NORMAL_PRIORITY });
    }
  }

  private requestsFor(source: SourceSpec, e: InformerEvent<KubeObject>): Request[] {
    const objects = e.type === 'UPDATED' ? [e.oldObject, e.object] : [e.object];
    switch (source.role) {
      case 'for':
        return [splitObjectKey(objectKey(e.object)) as Request];
      case 'owns': {
        const out = new Map<string, Request>();
        const owner = this.spec.forKind;
        for (const o of objects) {
          for (const ref of o.metadata?.ownerReferences ?? []) {
            if (!ref.controller || !sameGroupKind({ group: parseApiVersion(ref.apiVersion).group, kind: ref.kind }, owner)) continue;
            const r = { namespace: owner.namespaced ? (o.metadata?.namespace ?? '') : '', name: ref.name };
            out.set(requestKey(r), r);
          }
        }
        return [...out.values()];
      }
      case 'watches': {
        const out = new Map<string, Request>();
        for (const o of objects) {
          let mapped: Request[] | Request | undefined;
          try {
            mapped = source.map!(o, this.mapContext);
          } catch (err) {
            this.log.error(`the map function of watches ${source.kind.kind} threw: ${errorMessage(err)}`);
            continue;
          }
          for (const r of Array.isArray(mapped) ? mapped : mapped ? [mapped] : []) out.set(requestKey(r), { namespace: r.namespace ?? '', name: r.name });
        }
        return [...out.values()];
      }
    }
  }

  // --- workers -------------------------------------------------------------------

  private async work(queue: WorkQueue<string>, signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      this.metrics?.activeWorkers(1);
      try {
        await this.reconcileKey(key, queue, signal);
      } finally {
        this.metrics?.activeWorkers(-1);
        queue.done(key);
      }
    }
  }

  private async reconcileKey(key: string, queue: WorkQueue<string>, signal: AbortSignal): Promise<void> {
    const causes = this.causes.get(key) ?? [];
    this.causes.delete(key);
    const request = splitObjectKey(key) as Request;
    const causeSeq = latest(causes);
    const cache = new ReadYourWritesCache(this.deps.informers, this.spec.readYourWritesTimeoutMs, signal, this.recentWrites);
    const client = this.deps.client.withCause(causeSeq).withFieldManager(this.name).observeWrites(cache.recordWrite);
    const ctx: ReconcileContext = {
      controller: this.name,
      client,
      cache,
      causes: Object.freeze([...causes]),
      causeSeq,
      attempt: queue.numRequeues(key),
      log: this.log,
      recorder: this.recorder.withClient(client),
      signal,
    };
    const started = this.clock.now();
    let outcome: ReconcileOutcome = 'success';
    try {
      const result: Result = (await this.spec.reconciler.reconcile(request, ctx)) ?? {};
      if (result.requeueAfter !== undefined && result.requeueAfter > 0) {
        queue.forget(key);
        queue.addAfter(key, result.requeueAfter);
        outcome = 'requeue_after';
      } else if (result.requeue) {
        queue.addRateLimited(key);
        outcome = 'requeue';
      } else {
        queue.forget(key);
      }
    } catch (err) {
      outcome = 'error';
      if (err instanceof TerminalError) {
        queue.forget(key);
        this.metrics?.failedTerminally();
        this.log.error(`reconcile ${key} failed terminally (not retried): ${errorMessage(err)}`);
      } else {
        // The same causes still explain the retry.
        const newer = this.causes.get(key) ?? [];
        this.causes.set(key, [...causes, ...newer].slice(-MAX_CAUSES_PER_REQUEST));
        queue.addRateLimited(key);
        this.metrics?.failed();
        this.log.error(`reconcile ${key} failed (attempt ${ctx.attempt + 1}, retrying with back-off): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    } finally {
      this.metrics?.reconciled(outcome, (this.clock.now() - started) / 1000);
    }
  }
}

/** The resourceVersion of the most recent cause (what writes record as their cause). */
function latest(causes: readonly Cause[]): string | undefined {
  let best: string | undefined;
  for (const c of causes) {
    if (!c.resourceVersion) continue;
    if (best === undefined || compareResourceVersions(c.resourceVersion, best) > 0) best = c.resourceVersion;
  }
  return best;
}
