import type { KubeObject, StoredEvent } from '@logbook/event-store';
import type { logbookV1 } from '@logbook/api';
import type { Timeline } from './timeline';
import { JsonPatchOp, diffObjects } from '@logbook/machinery';
import { redactObject, redacts, secretMask } from './redact';

export const GROUP_VERSION = 'logbook.io/v1';

/** Where an object was in the API: enough to address it (and for audit's objectRef). */
export interface ObjectReference {
  apiGroup?: string;
  apiVersion: string;
  resource: string;
  kind: string;
  namespace?: string;
  name: string;
  uid: string;
  resourceVersion: string;
}

/** One entry of the history: an event of the log with who, how, why and what changed. */
export interface HistoryEvent {
  kind: 'HistoryEvent';
  apiVersion: typeof GROUP_VERSION;
  metadata: { name: string; namespace?: string; resourceVersion: string; creationTimestamp: string };
  /** The event's seq: the object's resourceVersion after this change. */
  seq: number;
  /** When it was committed (RFC 3339, milliseconds). */
  time: string;
  type: StoredEvent['type'];
  objectRef: ObjectReference;
  actor: { username: string; uid?: string; groups: string[] };
  verb: string;
  subresource?: string;
  fieldManager?: string;
  userAgent?: string;
  requestID?: string;
  /** The event a controller was reconciling when it wrote this. */
  causeSeq?: number;
  /** The object's previous event (its resourceVersion before this change). */
  previousResourceVersion?: string;
  change: {
    /** RFC 6902: turns the previous version into this one (for ADDED: adds the whole object). */
    patch?: JsonPatchOp[];
    /** One line per changed path; managedFields and resourceVersion left out. */
    summary: string[];
    /** The previous version is below the retention horizon: no diff. */
    previousCompacted?: boolean;
  };
  /** The whole object after the change (only when asked for). */
  object?: KubeObject;
}

/** The previous version of an event's object, as far as the log still has it. */
export type Previous = { object: KubeObject } | { compacted: true } | undefined;

export const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function objectRef(e: StoredEvent): ObjectReference {
  const ref: ObjectReference = {
    apiVersion: e.group ? `${e.group}/${e.version}` : e.version,
    resource: e.resource,
    kind: e.kind,
    name: e.name,
    uid: e.uid,
    resourceVersion: String(e.seq),
  };
  if (e.group) ref.apiGroup = e.group;
  if (e.namespace) ref.namespace = e.namespace;
  return ref;
}

/** The change an event made, against the previous version of its object. */
export function changeOf(e: StoredEvent, previous: Previous): HistoryEvent['change'] {
  const secret = redacts(e);
  if (e.type === 'ADDED' || e.prevSeq === null) {
    return { patch: [{ op: 'add', path: '', value: redactObject(e, e.object) }], summary: ['created'] };
  }
  if (!previous || !('object' in previous)) {
    return { summary: [e.type === 'DELETED' ? 'deleted' : '(previous version compacted)'], previousCompacted: true };
  }
  const d = diffObjects(previous.object, e.object, secret ? { mask: secretMask } : {});
  return { patch: d.patch, summary: e.type === 'DELETED' ? ['deleted', ...d.summary] : d.summary };
}

export function toHistoryEvent(e: StoredEvent, previous: Previous, opts: { withObject?: boolean } = {}): HistoryEvent {
  const h: HistoryEvent = {
    kind: 'HistoryEvent',
    apiVersion: GROUP_VERSION,
    metadata: { name: String(e.seq), resourceVersion: String(e.seq), creationTimestamp: rfc3339(e.time) },
    seq: e.seq,
    time: e.time.toISOString(),
    type: e.type,
    objectRef: objectRef(e),
    actor: { username: e.provenance.actor.user, groups: e.provenance.actor.groups ?? [] },
    verb: e.provenance.verb,
    change: changeOf(e, previous),
  };
  if (e.namespace) h.metadata.namespace = e.namespace;
  if (e.provenance.actor.uid) h.actor.uid = e.provenance.actor.uid;
  if (e.provenance.subresource) h.subresource = e.provenance.subresource;
  if (e.provenance.fieldManager) h.fieldManager = e.provenance.fieldManager;
  if (e.provenance.userAgent) h.userAgent = e.provenance.userAgent;
  if (e.provenance.requestId) h.requestID = e.provenance.requestId;
  if (e.provenance.causeSeq !== undefined) h.causeSeq = e.provenance.causeSeq;
  if (e.prevSeq !== null && e.type !== 'ADDED') h.previousResourceVersion = String(e.prevSeq);
  if (opts.withObject) h.object = redactObject(e, e.object);
  return h;
}

/** The readable change as one short cell. */
export function changeCell(h: HistoryEvent, max = 100): string {
  const text = h.change.summary.join('; ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const column = (name: string, type: string, description: string, priority = 0, format = '') => ({ name, type, format, description, priority });

export const HISTORY_COLUMNS = [
  column('RV', 'integer', 'The event\'s seq: the resourceVersion the object had after it.'),
  column('Time', 'string', 'When the change was committed.', 0, 'date-time'),
  column('Type', 'string', 'ADDED, MODIFIED or DELETED.'),
  column('Kind', 'string', 'Kind of the object changed.'),
  column('Namespace', 'string', 'Namespace of the object changed.', 1),
  column('Name', 'string', 'Name of the object changed.', 0, 'name'),
  column('Actor', 'string', 'Who made the change.'),
  column('Verb', 'string', 'The API verb (and subresource).'),
  column('Change', 'string', 'What changed, against the previous version.'),
  column('Cause', 'string', 'The event a controller was reconciling when it made the change.', 1),
  column('Field Manager', 'string', 'The field manager of the write.', 1),
  column('UID', 'string', 'The object\'s uid (it changes when a name is deleted and created again).', 1),
];

/** A meta.k8s.io/v1 Table of history events, for `kubectl get history`. */
export function historyTable(items: HistoryEvent[], opts: { includeObject: 'None' | 'Object' | 'Metadata'; listMeta?: Record<string, unknown>; noHeaders?: boolean }) {
  const metadata: Record<string, unknown> = {};
  if (opts.listMeta?.resourceVersion) metadata.resourceVersion = opts.listMeta.resourceVersion;
  if (opts.listMeta?.continue) metadata.continue = opts.listMeta.continue;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: opts.noHeaders ? [] : HISTORY_COLUMNS,
    rows: items.map((h) => ({
      cells: [
        h.seq,
        rfc3339(new Date(h.time)),
        h.type,
        h.objectRef.kind,
        h.objectRef.namespace ?? '',
        h.objectRef.name,
        h.actor.username,
        h.subresource ? `${h.verb}/${h.subresource}` : h.verb,
        changeCell(h),
        h.causeSeq !== undefined ? String(h.causeSeq) : '<none>',
        h.fieldManager ?? '<none>',
        h.objectRef.uid,
      ],
      object:
        opts.includeObject === 'None'
          ? null
          : opts.includeObject === 'Object'
            ? h
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: h.metadata },
    })),
  };
}

/**
 * The OpenAPI documents describe logbook.io/v1 from the declarations in
 * libs/api (`logbookV1`): these fail to compile when what the history API
 * builds stops matching them.
 */
type Conforms<T extends U, U> = T;
export type HistoryEventConforms = Conforms<HistoryEvent, logbookV1.HistoryEvent>;
export type TimelineConforms = Conforms<Timeline, logbookV1.Timeline>;
