/**
 * What the benchmark writes: ~1 KB ConfigMap-like objects with distinct
 * names, through the event store or through plain SQL doing the same work.
 */
import { randomUUID } from 'crypto';
import type { Pool } from 'pg';
import type { AppendOp, KubeObject, Provenance, ResourceType } from '../libs/event-store/src/types';

export const NAMESPACE = 'bench';
export const CONFIGMAPS: ResourceType = { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap' };
export const PROVENANCE: Provenance = {
  actor: { user: 'system:serviceaccount:bench:writer', groups: ['system:serviceaccounts', 'system:authenticated'] },
  verb: 'create',
  fieldManager: 'logbook-bench',
  userAgent: 'logbook-bench/0.1',
};

const TARGET_BYTES = 1024;

function shape(name: string, pad: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace: NAMESPACE,
      labels: { app: 'bench', tier: 'config', 'app.kubernetes.io/managed-by': 'logbook-bench' },
      annotations: { 'bench.logbook.dev/purpose': 'event log throughput and tail latency' },
    },
    data: { mode: 'benchmark', 'settings.conf': pad },
  };
}

// Pad so that a typical object (name of ~16 chars, uid and resourceVersion
// set) serialises to about TARGET_BYTES of JSON.
function typical(pad: string): KubeObject {
  const o = shape('cm-00-0000000000', pad);
  o.metadata.uid = '00000000-0000-4000-8000-000000000000';
  o.metadata.resourceVersion = '100000';
  return o;
}
const PAD = 'x'.repeat(Math.max(0, TARGET_BYTES - JSON.stringify(typical('')).length));

export function configMap(name: string): KubeObject {
  return shape(name, PAD);
}

/** Bytes of JSON of a typical stored object (measured, not assumed). */
export function typicalObjectBytes(): number {
  return Buffer.byteLength(JSON.stringify(typical(PAD)));
}

let requestCounter = 0;

export function createOp(name: string): AppendOp {
  return {
    type: 'create',
    resourceType: CONFIGMAPS,
    object: configMap(name),
    provenance: { ...PROVENANCE, requestId: `bench-${++requestCounter}` },
  };
}

/** The raw baseline's seq: a plain sequence, no gap-free ordering. */
export const RAW_SEQUENCE = 'bench_raw_seq';

const RAW_INSERT_EVENT = `
  WITH s AS (SELECT nextval('${RAW_SEQUENCE}') AS seq)
  INSERT INTO events (seq, prev_seq, type, api_group, api_version, resource, kind, namespace, name, uid, object,
                      actor, actor_uid, actor_groups, verb, subresource, field_manager, user_agent, request_id, cause_seq)
  SELECT s.seq, NULL, 'ADDED', $1, $2, $3, $4, $5, $6, $7,
         jsonb_set($8::jsonb, '{metadata,resourceVersion}', to_jsonb(s.seq::text)),
         $9, NULL, $10::text[], $11, NULL, $12, $13, $14, NULL
    FROM s
  RETURNING seq::text AS seq`;

const RAW_UPSERT_RESOURCE = `
  INSERT INTO resources AS r (api_group, resource, namespace, name, api_version, kind, uid, resource_version, object)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, jsonb_set($9::jsonb, '{metadata,resourceVersion}', to_jsonb($10::text)))
  ON CONFLICT (api_group, resource, namespace, name) DO UPDATE
    SET api_version = EXCLUDED.api_version, kind = EXCLUDED.kind, uid = EXCLUDED.uid,
        resource_version = EXCLUDED.resource_version, object = EXCLUDED.object`;

/**
 * One event in its own transaction, as a hand-written service would do it:
 * BEGIN; INSERT INTO events; INSERT INTO resources ... ON CONFLICT DO UPDATE; COMMIT.
 * `onCommitted` runs when COMMIT is acknowledged, before the connection is released.
 */
export async function rawAppend(
  pool: Pool,
  name: string,
  onCommitted?: (seq: number, event: { seq: number; name: string; uid: string; json: string }) => void,
): Promise<number> {
  const uid = randomUUID();
  const object = configMap(name);
  object.metadata.uid = uid;
  const json = JSON.stringify(object);
  const p = PROVENANCE;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const ins = await client.query<{ seq: string }>(RAW_INSERT_EVENT, [
      CONFIGMAPS.group,
      CONFIGMAPS.version,
      CONFIGMAPS.resource,
      CONFIGMAPS.kind,
      NAMESPACE,
      name,
      uid,
      json,
      p.actor.user,
      p.actor.groups ?? [],
      p.verb,
      p.fieldManager,
      p.userAgent,
      `bench-${++requestCounter}`,
    ]);
    const seq = ins.rows[0].seq;
    await client.query(RAW_UPSERT_RESOURCE, [
      CONFIGMAPS.group,
      CONFIGMAPS.resource,
      NAMESPACE,
      name,
      CONFIGMAPS.version,
      CONFIGMAPS.kind,
      uid,
      seq,
      json,
      seq,
    ]);
    await client.query('COMMIT');
    const n = Number(seq);
    onCommitted?.(n, { seq: n, name, uid, json });
    client.release();
    return n;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release(err as Error);
    throw err;
  }
}
