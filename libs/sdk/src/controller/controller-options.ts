import type { Lister } from '../cache';
import type { KubeObject, ResourceKind } from '../client';
import type { RateLimiter } from '../workqueue';
import type { Predicate } from './predicates';
import type { Reconciler, Request } from './reconciler';

/** A kind, optionally with predicates that apply to its events only. */
export type KindSource = ResourceKind<KubeObject> | { kind: ResourceKind<KubeObject>; predicates?: Predicate[] };

/**
 * What a `watches` map function may read: the manager's caches. A
 * decorator's map function cannot close over its reconciler instance, so
 * it gets them here (controller-runtime's map functions capture the
 * manager's cache instead). Reading a kind no source of the controller
 * declares starts its informer, which is empty until its first list.
 */
export interface WatchMapContext {
  lister<T extends KubeObject>(kind: ResourceKind<T>): Lister<T>;
}

/** Any other kind whose changes map to requests (controller-runtime's `Watches` with `EnqueueRequestsFromMapFunc`). */
export interface WatchSource {
  kind: ResourceKind<KubeObject>;
  map: (object: KubeObject, ctx: WatchMapContext) => Request[] | Request | undefined;
  predicates?: Predicate[];
}

/** How a controller is declared (on `@Reconciler(...)`, or given to `ControllerManager.add`). */
export interface ControllerOptions {
  /** Unique per manager; used in metrics, logs, events and as field manager. Default: the `for` kind, lower case. */
  name?: string;
  /** The kind reconciled: each change to one of its objects queues a request for that object. */
  for: KindSource;
  /** Kinds this controller creates: a change to one queues its controlling owner (ownerReferences, controller=true) of the `for` kind. */
  owns?: KindSource[];
  /** Other kinds, mapped to requests by a function. */
  watches?: WatchSource[];
  /** Apply to every event of every source (controller-runtime's `WithEventFilter`). */
  predicates?: Predicate[];
  /** Requests reconciled at once (never two for one object). Default 1. */
  maxConcurrentReconciles?: number;
  /** Default: client-go's (5 ms–1000 s per item, 10 qps / burst 100 overall). */
  rateLimiter?: RateLimiter<string>;
  /** How long a cache read waits for the reconcile's own writes. Default 5 s. */
  readYourWritesTimeoutMs?: number;
}

export interface SourceSpec {
  role: 'for' | 'owns' | 'watches';
  kind: ResourceKind<KubeObject>;
  predicates: Predicate[];
  map?: WatchSource['map'];
}

/** A validated, complete declaration. */
export interface ControllerSpec {
  name: string;
  forKind: ResourceKind<KubeObject>;
  sources: SourceSpec[];
  predicates: Predicate[];
  maxConcurrentReconciles: number;
  rateLimiter?: RateLimiter<string>;
  readYourWritesTimeoutMs: number;
  reconciler: Reconciler;
}

/** A controller declaration that cannot work; `problems` lists every mistake found. */
export class ControllerConfigError extends Error {
  constructor(
    readonly subject: string,
    readonly problems: string[],
  ) {
    super(`${subject}: ${problems.join('; ')}`);
    this.name = 'ControllerConfigError';
  }
}

const isKind = (v: unknown): v is ResourceKind<KubeObject> =>
  !!v && typeof v === 'object' && typeof (v as ResourceKind).kind === 'string' && typeof (v as ResourceKind).plural === 'string' && typeof (v as ResourceKind).version === 'string';

function source(role: SourceSpec['role'], s: unknown, where: string, problems: string[]): SourceSpec | undefined {
  const kind = isKind(s) ? s : (s as { kind?: unknown } | undefined)?.kind;
  if (!isKind(kind)) {
    problems.push(`${where} must be a ResourceKind (kindOf(...) or customKind(...)), got ${JSON.stringify(s)}`);
    return undefined;
  }
  const predicates = isKind(s) ? [] : ((s as { predicates?: unknown }).predicates ?? []);
  if (!Array.isArray(predicates) || predicates.some((p) => typeof p !== 'function')) {
    problems.push(`${where}.predicates must be an array of functions`);
    return undefined;
  }
  return { role, kind, predicates: predicates as Predicate[] };
}

/** Checks a declaration and fills in defaults; throws ControllerConfigError listing every problem. */
export function buildControllerSpec(options: ControllerOptions | undefined, reconciler: unknown, subject: string): ControllerSpec {
  const problems: string[] = [];
  if (!reconciler || typeof (reconciler as Reconciler).reconcile !== 'function') problems.push('it has no reconcile(request, ctx) method');
  if (!options) throw new ControllerConfigError(subject, [...problems, 'no controller options (is @Reconciler({ for: ... }) missing?)']);
  const forSource = source('for', options.for, 'for', problems);
  const sources: SourceSpec[] = forSource ? [forSource] : [];
  (options.owns ?? []).forEach((o, i) => {
    const s = source('owns', o, `owns[${i}]`, problems);
    if (s) sources.push(s);
  });
  (options.watches ?? []).forEach((w, i) => {
    const s = source('watches', w, `watches[${i}]`, problems);
    if (s && typeof w.map !== 'function') problems.push(`watches[${i}].map must be a function (object) => requests`);
    else if (s) sources.push({ ...s, map: w.map });
  });
  if (!Array.isArray(options.owns ?? []) || !Array.isArray(options.watches ?? [])) problems.push('owns and watches must be arrays');
  const predicates = options.predicates ?? [];
  if (!Array.isArray(predicates) || predicates.some((p) => typeof p !== 'function')) problems.push('predicates must be an array of functions');
  const max = options.maxConcurrentReconciles ?? 1;
  if (!Number.isInteger(max) || max < 1) problems.push(`maxConcurrentReconciles must be an integer of at least 1, not ${max}`);
  const name = options.name ?? forSource?.kind.kind.toLowerCase() ?? '';
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) problems.push(`name ${JSON.stringify(name)} must be lower-case alphanumerics, '-' and '.'`);
  if (problems.length) throw new ControllerConfigError(subject, problems);
  return {
    name,
    forKind: forSource!.kind,
    sources,
    predicates,
    maxConcurrentReconciles: max,
    rateLimiter: options.rateLimiter,
    readYourWritesTimeoutMs: options.readYourWritesTimeoutMs ?? 5_000,
    reconciler: reconciler as Reconciler,
  };
}
