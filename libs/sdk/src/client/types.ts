import type { DeletionPropagation, ObjectMeta, Preconditions, Status } from '@logbook/api';
import type { LabelSelector } from '@logbook/machinery';

/** Any API object: what every kind has in common. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** A namespaced name; `namespace` is omitted (or '') for cluster-scoped objects. */
export interface ObjectKey {
  namespace?: string;
  name: string;
}

export interface ListOptions {
  /** Omit for all namespaces (or for cluster-scoped kinds). */
  namespace?: string;
  labelSelector?: string | LabelSelector;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface ListResult<T> {
  items: T[];
  /** The snapshot's resourceVersion: watch from here to miss nothing. */
  resourceVersion: string;
  /** Set when `limit` cut the list short. */
  continue?: string;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string | LabelSelector;
  fieldSelector?: string;
  /** Unset or "0": the current state as ADDED events first, then changes; else changes after it. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

/**
 * One event of a watch. ERROR events are not values: the Observable fails
 * with the ApiError they carry (410 Expired means: relist).
 */
export type WatchEvent<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }
  /** The server has sent everything up to `resourceVersion` (no object changed). */
  | { type: 'BOOKMARK'; resourceVersion: string };

export interface WriteOptions {
  dryRun?: boolean;
  /** Defaults to the client's field manager. */
  fieldManager?: string;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

export interface PatchOptions extends WriteOptions {
  type: PatchType;
  /** Server-side apply only: take ownership of conflicting fields. */
  force?: boolean;
}

export interface ApplyOptions {
  fieldManager: string;
  force?: boolean;
  dryRun?: boolean;
}

export interface DeleteOptions {
  propagationPolicy?: DeletionPropagation;
  preconditions?: Preconditions;
  gracePeriodSeconds?: number;
  dryRun?: boolean;
}

export type { Status };
