/**
 * logbook.io/v1: what Logbook's history API answers (not stored objects —
 * views of the event log). The apiserver's history code builds these
 * shapes and checks at compile time that they match; the OpenAPI documents
 * describe `/apis/logbook.io/v1` from these declarations.
 */
import type { Time } from '../../meta/v1/types';
import { ListMeta, ObjectMeta } from '../../meta/v1/types';

/** Where an object was in the API: enough to address it. */
export interface HistoryObjectReference {
  apiGroup?: string;
  apiVersion: string;
  /** The resource (plural), e.g. `deployments`. */
  resource: string;
  kind: string;
  namespace?: string;
  name: string;
  uid: string;
  /** The object's resourceVersion after the change. */
  resourceVersion: string;
}

/** Who made a change, as the API server authenticated them. */
export interface HistoryActor {
  username: string;
  uid?: string;
  groups: string[];
}

/** One operation of an RFC 6902 JSON Patch. */
export interface JsonPatchOperation {
  /** `add`, `remove` or `replace`. */
  op: 'add' | 'remove' | 'replace';
  /** A JSON pointer into the object. */
  path: string;
  /** The new value (absent for `remove`). */
  value?: unknown;
}

/** What a change changed. */
export interface HistoryChange {
  /** RFC 6902: turns the previous version into this one (for ADDED: adds the whole object). */
  patch?: JsonPatchOperation[];
  /** One readable line per changed path (`spec.replicas: 1 → 3`); managedFields, resourceVersion and generation left out. */
  summary: string[];
  /** The previous version is below the retention horizon: no patch. */
  previousCompacted?: boolean;
}

/** One entry of the history: an event of the log with who, how, why and what changed. */
export interface HistoryEvent {
  apiVersion: 'logbook.io/v1';
  kind: 'HistoryEvent';
  /** `name` is the event's seq; `namespace` the object's. */
  metadata: ObjectMeta;
  /** The event's position in the log: the object's resourceVersion after this change. */
  seq: number;
  /** When it was committed (RFC 3339, milliseconds). */
  time: Time;
  /** `ADDED`, `MODIFIED` or `DELETED`. */
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  objectRef: HistoryObjectReference;
  actor: HistoryActor;
  /** The API verb: create, update, patch, delete, deletecollection. */
  verb: string;
  /** `status`, `scale`, `binding`, ... when the write went to a subresource. */
  subresource?: string;
  fieldManager?: string;
  userAgent?: string;
  /** The request's Audit-Id. */
  requestID?: string;
  /** The event a controller was reconciling when it wrote this (its `x-logbook-cause-seq`). */
  causeSeq?: number;
  /** The object's previous event (its resourceVersion before this change). */
  previousResourceVersion?: string;
  change: HistoryChange;
  /** The whole object after the change (with `withObject=true`). */
  object?: unknown;
}

/** A page of history, oldest first. */
export interface HistoryEventList {
  apiVersion: 'logbook.io/v1';
  kind: 'HistoryEventList';
  metadata: ListMeta;
  items: HistoryEvent[];
}

/** A step back along the causal chain. */
export interface ExplainedCause {
  /** `causeSeq` (the writer named it) or `ownerReference` (attributed through the object's owner). */
  via: 'causeSeq' | 'ownerReference';
  event: HistoryEvent;
}

/** Something an event set off. */
export interface Consequence {
  via: 'causeSeq' | 'ownerReference';
  /** The seq of the event this one was caused by. */
  causedBy: number;
  /** 1 for direct consequences, 2 for theirs, ... */
  depth: number;
  event: HistoryEvent;
}

/** The causal chain of an event: back to the action that started it, and forward. */
export interface Explanation {
  apiVersion: 'logbook.io/v1';
  kind: 'Explanation';
  metadata: ObjectMeta;
  event: HistoryEvent;
  /** From the event's direct cause back to the root cause. */
  causes: ExplainedCause[];
  /** The first action of an identity that is not `system:`; may be the event itself. */
  rootCause?: HistoryEvent;
  /** Why the chain stops short of a root cause, if it does. */
  incomplete?: string;
  /** Everything the event caused, transitively, in seq order. */
  consequences: Consequence[];
  consequencesTruncated?: boolean;
}

/** An object's state in a few fields (replicas, ready counts, phase, images). */
export interface StateSummary {
  /** The same as one line: `replicas 3, updated 1, ready 2, available 2, image nginx:1.25`. */
  text: string;
  fields: Record<string, unknown>;
}

/** An object that takes part in a timeline: the root, or something it owns (transitively). */
export interface TimelineObject {
  uid: string;
  kind: string;
  name: string;
  /** 0 for the root object, 1 for what it owns, 2 for what those own, ... */
  depth: number;
  ownerUid?: string;
}

/** One event of a timeline, with the object's state after it. */
export interface TimelineEntry {
  seq: number;
  resourceVersion: string;
  time: Time;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  kind: string;
  namespace?: string;
  name: string;
  uid: string;
  depth: number;
  actor: string;
  verb: string;
  subresource?: string;
  causeSeq?: number;
  state: StateSummary;
  /** What changed (readable lines); absent on the states before the window. */
  change?: string[];
}

/** The window a timeline covers. */
export interface TimelineWindow {
  since?: string;
  until?: string;
  fromResourceVersion?: string;
  toResourceVersion?: string;
}

/** The root object of a timeline, every incarnation of its name. */
export interface TimelineRoot {
  kind: string;
  namespace?: string;
  name: string;
  uids: string[];
}

/** The events of a window for an object and everything it owns, in order: a rollout to step through. */
export interface Timeline {
  apiVersion: 'logbook.io/v1';
  kind: 'Timeline';
  metadata: ListMeta;
  root: TimelineRoot;
  window: TimelineWindow;
  objects: TimelineObject[];
  /** The state each object had just before the window (first page of a window with a start). */
  initial?: TimelineEntry[];
  items: TimelineEntry[];
}

/** One end of a diff. */
export interface DiffPoint {
  /** The resourceVersion the point resolved to. */
  resourceVersion: string;
  /** The object's own resourceVersion then (absent: it did not exist). */
  objectResourceVersion?: string;
}

/** What changed in one object between two points. */
export interface ObjectDiff {
  apiVersion: 'logbook.io/v1';
  kind: 'ObjectDiff';
  from: DiffPoint;
  to: DiffPoint;
  patch: JsonPatchOperation[];
  summary: string[];
}

/** What one compaction removed from the log, so an auditor can account for it. */
export interface Compaction {
  apiVersion: 'logbook.io/v1';
  kind: 'Compaction';
  metadata: ObjectMeta;
  /** The seq at and below which events were removed (the state each object had then is kept). */
  horizon: number;
  /** Counts of what was removed and kept. */
  deleted?: Record<string, unknown>;
  kept?: Record<string, unknown>;
}

export interface CompactionList {
  apiVersion: 'logbook.io/v1';
  kind: 'CompactionList';
  metadata: ListMeta;
  items: Compaction[];
}
