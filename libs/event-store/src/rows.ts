import { ObjectCodec } from './object-codec';
import { EventType, KubeObject, StoredEvent } from './types';

/** The columns of `events` as node-postgres returns them (bigints as text). */
export interface EventRow {
  seq: string;
  prev_seq: string | null;
  time: Date;
  type: EventType;
  api_group: string;
  api_version: string;
  resource: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  object: KubeObject;
  actor: string;
  actor_uid: string | null;
  actor_groups: string[];
  verb: string;
  subresource: string | null;
  field_manager: string | null;
  user_agent: string | null;
  request_id: string | null;
  cause_seq: string | null;
}

export const EVENT_COLUMNS = `seq::text AS seq, prev_seq::text AS prev_seq, time, type, api_group, api_version, resource,
  kind, namespace, name, uid, object, actor, actor_uid, actor_groups, verb, subresource, field_manager, user_agent,
  request_id, cause_seq::text AS cause_seq`;

export function eventFromRow(row: EventRow, codec: ObjectCodec): StoredEvent {
  const provenance: StoredEvent['provenance'] = {
    actor: { user: row.actor, groups: row.actor_groups },
    verb: row.verb,
  };
  if (row.actor_uid !== null) provenance.actor.uid = row.actor_uid;
  if (row.subresource !== null) provenance.subresource = row.subresource;
  if (row.field_manager !== null) provenance.fieldManager = row.field_manager;
  if (row.user_agent !== null) provenance.userAgent = row.user_agent;
  if (row.request_id !== null) provenance.requestId = row.request_id;
  if (row.cause_seq !== null) provenance.causeSeq = Number(row.cause_seq);
  return {
    seq: Number(row.seq),
    prevSeq: row.prev_seq === null ? null : Number(row.prev_seq),
    time: row.time,
    type: row.type,
    group: row.api_group,
    version: row.api_version,
    resource: row.resource,
    kind: row.kind,
    namespace: row.namespace,
    name: row.name,
    uid: row.uid,
    object: codec.decode({ group: row.api_group, resource: row.resource }, row.object),
    provenance,
  };
}
