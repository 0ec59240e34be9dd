import type { StoredEvent } from '@logbook/event-store';
import { redactObject } from './redact';

/**
 * An `audit.k8s.io/v1` Event at level RequestResponse, stage
 * ResponseComplete, rebuilt from one event of the log. Logbook records
 * writes (each change with its request id, user and verb), not reads, so
 * the export covers every request that changed something. A request that
 * changed several objects (deletecollection, cascading deletion) yields one
 * audit event per object, all with its auditID; the `logbook.io/seq`
 * annotation tells them apart.
 */
export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: 'RequestResponse';
  auditID: string;
  stage: 'ResponseComplete';
  requestURI: string;
  verb: string;
  user: { username: string; uid?: string; groups: string[] };
  userAgent?: string;
  objectRef: {
    resource: string;
    namespace?: string;
    name: string;
    uid: string;
    apiGroup?: string;
    apiVersion: string;
    resourceVersion: string;
    subresource?: string;
  };
  responseStatus: { metadata: Record<string, never>; code: number };
  responseObject: unknown;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations: Record<string, string>;
}

/** RFC 3339 with microseconds, as Kubernetes' MicroTime prints (the log keeps milliseconds). */
export const microTime = (d: Date): string => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** The request path that made this change, as kube-apiserver would have logged it. */
export function requestURI(e: StoredEvent): string {
  const prefix = e.group ? `/apis/${e.group}/${e.version}` : `/api/${e.version}`;
  const ns = e.namespace ? `/namespaces/${encodeURIComponent(e.namespace)}` : '';
  const collection = `${prefix}${ns}/${e.resource}`;
  const verb = e.provenance.verb;
  if (verb === 'deletecollection') return collection;
  if (verb === 'create' && !e.provenance.subresource) return collection;
  const item = `${collection}/${encodeURIComponent(e.name)}`;
  return e.provenance.subresource ? `${item}/${e.provenance.subresource}` : item;
}

/** The HTTP status the request answered with. */
export function responseCode(e: StoredEvent): number {
  const verb = e.provenance.verb;
  if (verb === 'create') return 201;
  // A delete that only marked the object (finalizers, grace period) answers 202.
  if (verb === 'delete' && e.type !== 'DELETED') return 202;
  return 200;
}

export function toAuditEvent(e: StoredEvent): AuditEvent {
  const ts = microTime(e.time);
  const a: AuditEvent = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: e.provenance.requestId ?? `logbook-seq-${e.seq}`,
    stage: 'ResponseComplete',
    requestURI: requestURI(e),
    verb: e.provenance.verb,
    user: { username: e.provenance.actor.user, groups: e.provenance.actor.groups ?? [] },
    objectRef: {
      resource: e.resource,
      name: e.name,
      uid: e.uid,
      apiVersion: e.version,
      resourceVersion: String(e.seq),
    },
    responseStatus: { metadata: {}, code: responseCode(e) },
    responseObject: redactObject(e, e.object),
    requestReceivedTimestamp: ts,
    stageTimestamp: ts,
    annotations: { 'logbook.io/seq': String(e.seq), 'logbook.io/event-type': e.type },
  };
  if (e.provenance.actor.uid) a.user.uid = e.provenance.actor.uid;
  if (e.provenance.userAgent) a.userAgent = e.provenance.userAgent;
  if (e.namespace) a.objectRef.namespace = e.namespace;
  if (e.group) a.objectRef.apiGroup = e.group;
  if (e.provenance.subresource) a.objectRef.subresource = e.provenance.subresource;
  if (e.provenance.causeSeq !== undefined) a.annotations['logbook.io/cause-seq'] = String(e.provenance.causeSeq);
  if (e.provenance.fieldManager) a.annotations['logbook.io/field-manager'] = e.provenance.fieldManager;
  return a;
}
