import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import type { UserInfo } from '../storage/context';
import type { Attributes } from './authorizer/attributes';

/** An audit.k8s.io/v1 Event for a request refused before it did anything. */
export interface DeniedAuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: 'Metadata';
  auditID: string;
  stage: 'ResponseComplete';
  requestURI: string;
  verb: string;
  user: { username: string; uid?: string; groups: string[] };
  impersonatedUser?: { username: string; groups: string[] };
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: { resource?: string; namespace?: string; name?: string; apiGroup?: string; apiVersion?: string; subresource?: string };
  responseStatus: { metadata: Record<string, never>; status: 'Failure'; message: string; reason: string; code: number };
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations: Record<string, string>;
}

export interface Denial {
  auditId: string;
  requestURI: string;
  /** The authorizer's attributes, when authentication succeeded (a 403). */
  attributes?: Attributes;
  /** Who sent it (for a 401: system:anonymous). */
  user: UserInfo;
  impersonated?: UserInfo;
  method: string;
  code: number;
  reason: string;
  message: string;
  userAgent?: string;
  sourceIP?: string;
}

const micro = (d: Date): string => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/**
 * Records denied requests (401, 403) in `denied_requests` for the audit
 * export. Writes are fire-and-forget: a request is refused at once, and a
 * failure to record it is logged, never turned into a 500.
 */
export class DeniedRequests {
  private readonly log = new Logger('Audit');

  constructor(private readonly pool: Pool) {}

  record(d: Denial): void {
    const event = toDeniedEvent(d, new Date());
    const ns = d.attributes?.namespace ?? '';
    this.pool
      .query('INSERT INTO denied_requests (time, audit_id, username, namespace, event) VALUES ($1, $2, $3, $4, $5)', [
        new Date(event.stageTimestamp.replace(/(\.\d{3})000Z$/, '$1Z')),
        d.auditId,
        d.user.username,
        ns,
        JSON.stringify(event),
      ])
      .catch((err) => this.log.error(`recording a denied request: ${(err as Error).message}`));
  }

  /** Denied requests in a time window (and namespace, and of a user), oldest first. */
  async list(f: { since?: Date; until?: Date; namespace?: string; user?: string; limit?: number }): Promise<DeniedAuditEvent[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown) => {
      args.push(v);
      return `$${args.length}`;
    };
    if (f.since) where.push(`time >= ${arg(f.since)}`);
    if (f.until) where.push(`time < ${arg(new Date(f.until.getTime() + 1))}`);
    if (f.namespace !== undefined) where.push(`namespace = ${arg(f.namespace)}`);
    if (f.user !== undefined) where.push(`username = ${arg(f.user)}`);
    const sql = `SELECT event FROM denied_requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ${arg(f.limit ?? 10_000)}`;
    const res = await this.pool.query<{ event: DeniedAuditEvent }>(sql, args);
    return res.rows.map((r) => r.event);
  }
}

export function toDeniedEvent(d: Denial, at: Date): DeniedAuditEvent {
  const a = d.attributes;
  const ts = micro(at);
  const e: DeniedAuditEvent = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: d.auditId,
    stage: 'ResponseComplete',
    requestURI: d.requestURI,
    verb: a?.verb ?? d.method.toLowerCase(),
    user: { username: d.user.username, groups: d.user.groups },
    responseStatus: { metadata: {}, status: 'Failure', message: d.message, reason: d.reason, code: d.code },
    requestReceivedTimestamp: ts,
    stageTimestamp: ts,
    annotations: { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': '' },
  };
  if (d.code === 401) e.annotations = {};
  if (d.user.uid) e.user.uid = d.user.uid;
  if (d.impersonated) e.impersonatedUser = { username: d.impersonated.username, groups: d.impersonated.groups };
  if (d.sourceIP) e.sourceIPs = [d.sourceIP];
  if (d.userAgent) e.userAgent = d.userAgent;
  if (a?.isResourceRequest) {
    e.objectRef = { resource: a.resource, apiVersion: a.apiVersion };
    if (a.namespace) e.objectRef.namespace = a.namespace;
    if (a.name) e.objectRef.name = a.name;
    if (a.apiGroup) e.objectRef.apiGroup = a.apiGroup;
    if (a.subresource) e.objectRef.subresource = a.subresource;
  }
  return e;
}
