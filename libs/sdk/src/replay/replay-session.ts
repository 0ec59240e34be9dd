import type { LabelSelector } from '@logbook/machinery';
import { InformerFactory, Lister } from '../cache';
import { KubeClient, KubeObject, ObjectKey, ResourceKind } from '../client';
import { buildControllerSpec, ControllerOptions, reconcilerOptionsOf, TerminalError } from '../controller';
import type { CacheReader, Cause, ReconcileContext, Reconciler, Request, Result } from '../controller';
import { realClock } from '../clock';
import { EventRecorder } from '../events';
import { errorMessage, SdkLogger } from '../logging';
import { PastReader, PastState, ReplayRead } from './past-state';
import { ReplayClient } from './replay-client';
import { WouldBeWrite, WriteSimulator } from './would-be-write';

export interface ReplayOptions {
  /** Where the past is read from: a KubeClient of the cluster (or any PastReader). */
  source: PastReader;
  /** The resourceVersion to replay at: the reconcile sees the cluster exactly as it was then. */
  resourceVersion: string;
  /** The time would-be writes are stamped with (creationTimestamp, deletionTimestamp, managedFields). Default: now. */
  now?: () => Date;
}

/** A log line of the replayed reconcile. */
export interface ReplayLogLine {
  level: 'log' | 'warn' | 'error' | 'debug';
  message: string;
}

/** A core/v1 Event the reconcile would have recorded. */
export interface WouldBeEvent {
  type: string;
  reason: string;
  message: string;
  /** `Kind namespace/name` of the object it is about. */
  object: string;
}

/** What one replayed reconcile did. */
export interface ReplayReport {
  controller: string;
  request: Request;
  resourceVersion: string;
  /** The requested object as of the resourceVersion (absent if it did not exist then): what the reconcile started from. */
  object?: KubeObject;
  /**
   * How it ended: `done` (nothing more to do until something changes),
   * `requeue` / `requeueAfter` (it asked to run again), `error` (it threw:
   * retried with back-off), `terminalError` (not retried).
   */
  outcome: 'done' | 'requeue' | 'requeueAfter' | 'error' | 'terminalError';
  result?: Result;
  error?: string;
  /** Every write it made, in order, with the object before and after and the diff; core Events are in `events`. */
  writes: WouldBeWrite[];
  events: WouldBeEvent[];
  logs: ReplayLogLine[];
  /** What it read from the cache and the client. */
  reads: ReplayRead[];
}

const isEventWrite = (w: WouldBeWrite) => w.kind === 'Event' && (w.apiVersion === 'v1' || w.apiVersion === 'events.k8s.io/v1');

/**
 * One dry run of reconcilers against the cluster as of a resourceVersion.
 *
 * `client` (a KubeClient) and `informers` are what a reconciler's
 * constructor may need; both read the past. The cache and the client of the
 * reconcile read the state as of `resourceVersion` (listed once per kind,
 * then laid over with the session's own would-be writes); writes are
 * captured and never sent; the reconciler's log lines are collected.
 *
 * A session is one moment: reconciles in one session see each other's
 * writes, as they would have on a real cluster (in some order).
 */
export class ReplaySession {
  readonly state: PastState;
  private readonly simulator: WriteSimulator;
  /** A KubeClient over the past: hand it to a reconciler's constructor if it wants one. */
  readonly client: KubeClient;
  /** Informers over the past (their watches never deliver): for reconcilers whose constructor takes an InformerFactory. */
  readonly informers: InformerFactory;

  private readonly now: () => Date;

  constructor(readonly options: ReplayOptions) {
    this.now = options.now ?? (() => new Date());
    if (!/^\d+$/.test(options.resourceVersion)) throw new Error(`replay needs a resourceVersion (a number), not ${JSON.stringify(options.resourceVersion)}`);
    this.state = new PastState(options.source, options.resourceVersion);
    this.simulator = new WriteSimulator(this.state, this.now);
    this.client = new ReplayClient(this.state, this.simulator);
    this.informers = new InformerFactory(this.client);
  }

  /**
   * Runs `reconciler` once for `request`. The controller's name comes from
   * its `@Reconciler` options (or `options`); `causes` are what the
   * reconcile sees as `ctx.causes` (default none, as a requeue).
   */
  async reconcile(reconciler: Reconciler, request: Request, opts: { options?: ControllerOptions; causes?: Cause[] } = {}): Promise<ReplayReport> {
    const spec = buildControllerSpec(opts.options ?? reconcilerOptionsOf(reconciler), reconciler, reconciler.constructor?.name ?? 'reconciler');
    const logs: ReplayLogLine[] = [];
    const log: SdkLogger = {
      log: (message) => void logs.push({ level: 'log', message }),
      warn: (message) => void logs.push({ level: 'warn', message }),
      error: (message) => void logs.push({ level: 'error', message }),
      debug: (message) => void logs.push({ level: 'debug', message }),
    };
    const writesBefore = this.simulator.writes.length;
    const key = { namespace: spec.forKind.namespaced ? request.namespace : undefined, name: request.name };
    const object = (await this.state.store(spec.forKind)).get(key.namespace, key.name);
    const readsBefore = this.state.reads.length;
    const client = this.client.withCause(this.options.resourceVersion).withFieldManager(spec.name);
    const ctx: ReconcileContext = {
      controller: spec.name,
      client,
      cache: new PastCache(this.state),
      causes: Object.freeze([...(opts.causes ?? [])]),
      causeSeq: this.options.resourceVersion,
      attempt: 0,
      log,
      recorder: new EventRecorder(client, { component: spec.name, clock: { ...realClock, now: () => this.now().getTime() }, logger: log }),
      signal: new AbortController().signal,
    };
    const report: ReplayReport = {
      controller: spec.name,
      request: { namespace: request.namespace ?? '', name: request.name },
      resourceVersion: this.options.resourceVersion,
      object: object && structuredClone(object),
      outcome: 'done',
      writes: [],
      events: [],
      logs,
      reads: [],
    };
    try {
      const result: Result = (await spec.reconciler.reconcile(report.request, ctx)) ?? {};
      report.result = result;
      if (result.requeueAfter !== undefined && result.requeueAfter > 0) report.outcome = 'requeueAfter';
      else if (result.requeue) report.outcome = 'requeue';
    } catch (err) {
      report.outcome = err instanceof TerminalError ? 'terminalError' : 'error';
      report.error = errorMessage(err);
    }
    // The recorder writes in the background (as client-go's broadcaster does): wait for what this reconcile queued.
    await ctx.recorder.flush();
    const writes = this.simulator.writes.slice(writesBefore);
    report.writes = writes.filter((w) => !isEventWrite(w));
    report.events = writes.filter(isEventWrite).map(eventOf);
    report.reads = this.state.reads.slice(readsBefore);
    return report;
  }
}

function eventOf(w: WouldBeWrite): WouldBeEvent {
  const e = (w.after ?? w.request) as { type?: string; reason?: string; message?: string; involvedObject?: { kind?: string; namespace?: string; name?: string } };
  const o = e.involvedObject ?? {};
  return { type: e.type ?? '', reason: e.reason ?? '', message: e.message ?? '', object: `${o.kind ?? ''} ${o.namespace ? `${o.namespace}/` : ''}${o.name ?? ''}` };
}

/** The reconcile's cache: the past state (no waiting: it is complete from the start). */
class PastCache implements CacheReader {
  constructor(private readonly state: PastState) {}

  get<T extends KubeObject>(kind: ResourceKind<T>, key: ObjectKey): Promise<T | undefined> {
    return this.state.get(kind, key);
  }

  list<T extends KubeObject>(kind: ResourceKind<T>, opts: { namespace?: string; labelSelector?: string | LabelSelector } = {}): Promise<T[]> {
    return this.state.list(kind, opts);
  }

  async lister<T extends KubeObject>(kind: ResourceKind<T>): Promise<Lister<T>> {
    const store = await this.state.store(kind);
    this.state.reads.push({ verb: 'list', kind: kind.kind, apiVersion: kind.group ? `${kind.group}/${kind.version}` : kind.version, count: store.size });
    return store;
  }
}

/** Replays `reconciler` once for `request` at `resourceVersion` (see ReplaySession). */
export async function replayReconcile(opts: ReplayOptions & { reconciler: Reconciler | ((session: ReplaySession) => Reconciler); request: Request; causes?: Cause[] }): Promise<ReplayReport> {
  const session = new ReplaySession(opts);
  const reconciler = typeof opts.reconciler === 'function' ? opts.reconciler(session) : opts.reconciler;
  return session.reconcile(reconciler, opts.request, { causes: opts.causes });
}

/**
 * Steps through a window: one replay per resourceVersion, each against the
 * cluster as it really was then (not as the previous step would have left
 * it). Pass a factory for reconcilers that keep state between reconciles.
 */
export async function replaySteps(
  opts: Omit<ReplayOptions, 'resourceVersion'> & {
    resourceVersions: readonly string[];
    reconciler: Reconciler | ((session: ReplaySession) => Reconciler);
    request: Request;
    onStep?: (report: ReplayReport, index: number) => void;
  },
): Promise<ReplayReport[]> {
  const reports: ReplayReport[] = [];
  for (const [i, resourceVersion] of opts.resourceVersions.entries()) {
    const report = await replayReconcile({ ...opts, resourceVersion });
    reports.push(report);
    opts.onStep?.(report, i);
  }
  return reports;
}

/**
 * The resourceVersions at which an object or anything it owns changed, in a
 * window (from Logbook's timeline API): the steps of a rollout.
 */
export async function timelineResourceVersions(
  client: KubeClient,
  root: { kind: ResourceKind<unknown>; namespace?: string; name: string },
  window: { fromResourceVersion?: string; toResourceVersion?: string; since?: string; until?: string } = {},
): Promise<string[]> {
  const base = root.kind.namespaced && root.namespace ? `/apis/logbook.io/v1/namespaces/${encodeURIComponent(root.namespace)}/timeline` : '/apis/logbook.io/v1/timeline';
  const out = new Set<string>();
  let cont: string | undefined;
  do {
    const page = await client.getRaw<{ items: Array<{ resourceVersion: string }>; metadata: { continue?: string } }>(base, {
      group: root.kind.group,
      resource: root.kind.plural,
      name: root.name,
      ...window,
      continue: cont,
    });
    for (const item of page.items) out.add(item.resourceVersion);
    cont = page.metadata.continue || undefined;
  } while (cont);
  return [...out];
}
