import type { KubeClient, KubeObject, ObjectKey, ResourceKind } from '../client';
import type { Lister } from '../cache';
import type { EventRecorder } from '../events';
import type { SdkLogger } from '../logging';
import type { LabelSelector } from '@logbook/machinery';

/**
 * What to reconcile: only a namespaced name. Reconciliation is
 * level-based — read the current state and make the world match it — so
 * several events for one object collapse into one request.
 */
export interface Request {
  /** '' for cluster-scoped objects. */
  namespace: string;
  name: string;
}

/** What to do after a successful reconcile. Neither field: done until something changes. */
export interface Result {
  /** Reconcile again, through the rate limiter (back-off). */
  requeue?: boolean;
  /** Reconcile again after this many milliseconds (wins over `requeue`). */
  requeueAfter?: number;
}

/**
 * An error that retrying cannot fix (bad user input, say): it is logged and
 * counted, and the request is not retried until something changes. Any
 * other error retries with per-item exponential back-off.
 */
export class TerminalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

/** One event that led to a request being queued (read-only). */
export interface Cause {
  /** Which declaration of the controller it came through. */
  readonly source: 'for' | 'owns' | 'watches';
  readonly kind: ResourceKind<unknown>;
  readonly type: 'ADDED' | 'UPDATED' | 'DELETED';
  /** The object after the change (for DELETED: its last state). */
  readonly object: KubeObject;
  readonly oldObject?: KubeObject;
  /** The resourceVersion of the change: what writes made in response record as their cause. */
  readonly resourceVersion: string;
  /** From the initial list or a resync rather than a fresh change. */
  readonly background: boolean;
}

/**
 * The cache as a reconciler reads it. Every read first waits (bounded)
 * until the cache has caught up with the writes this reconcile made to that
 * kind, so a reconciler sees its own writes and does not act twice on a
 * stale cache. Informers are created on first use.
 */
export interface CacheReader {
  get<T extends KubeObject>(kind: ResourceKind<T>, key: ObjectKey): Promise<T | undefined>;
  list<T extends KubeObject>(kind: ResourceKind<T>, opts?: { namespace?: string; labelSelector?: string | LabelSelector }): Promise<T[]>;
  /** The kind's lister once caught up: for indexes and many reads. */
  lister<T extends KubeObject>(kind: ResourceKind<T>): Promise<Lister<T>>;
}

/** What a reconcile gets besides the request. */
export interface ReconcileContext {
  /** The controller's name. */
  readonly controller: string;
  /**
   * A client whose writes carry `x-logbook-cause-seq` (the latest cause's
   * resourceVersion) and the controller's name as field manager, and are
   * tracked for read-your-own-writes.
   */
  readonly client: KubeClient;
  readonly cache: CacheReader;
  /** Why this request was queued; empty for a requeue. The request stays level-based. */
  readonly causes: readonly Cause[];
  /** The resourceVersion writes are attributed to, if any. */
  readonly causeSeq?: string;
  /** Failed attempts so far for this request (0 on a first try). */
  readonly attempt: number;
  readonly log: SdkLogger;
  /** Records core/v1 Events, attributed like the client's writes. */
  readonly recorder: EventRecorder;
  /** Aborted when the controller stops (shutdown, lost leadership). */
  readonly signal: AbortSignal;
}

/**
 * A level-based reconciler: make the world match the object named by
 * `request`. Throwing retries with back-off; `TerminalError` does not.
 */
export interface Reconciler {
  reconcile(request: Request, ctx: ReconcileContext): Promise<Result | void>;
}
