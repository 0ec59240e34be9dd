import type { Pool } from 'pg';
import { ENCRYPTED_FIELD, SecretCodec } from './secret-codec';
import type { KubeObject } from './types';

export interface ReencryptOptions {
  /** Rows per transaction. Default 500. */
  batchSize?: number;
  /** Told after every batch (for progress output). */
  onBatch?: (progress: ReencryptProgress) => void;
}

export interface ReencryptProgress {
  /** Secret events sealed again with the primary key so far. */
  events: number;
  /** `resources` rows sealed again so far. */
  resources: number;
}

/** A Secret row to seal again: sealed with another key than $1, or not sealed at all. */
const STALE = `(CASE WHEN object ? '${ENCRYPTED_FIELD}' THEN object -> '${ENCRYPTED_FIELD}' ->> 'keyId' IS DISTINCT FROM $1
  ELSE (object ? 'data' OR object ? 'stringData') END)`;

/**
 * Key rotation by re-encrypting: seals every Secret payload of `events` and
 * `resources` that another key sealed (or that was stored in plaintext,
 * before encryption was on) again with the codec's primary key (the key
 * file's first), in batches of one transaction each, so that the old key
 * can then be removed from the key file.
 *
 * Safe while API servers run, provided they already have the new key first
 * in their key file (so nothing new is sealed with the old one) and still
 * have the old one (so rows not yet done stay readable):
 * - `events` rows of an object never change otherwise; the append-only
 *   trigger lets through only this change (the sealed payload of a Secret,
 *   in a transaction with `logbook.reencrypt` on — see the migration);
 * - a `resources` row is the same object as its latest event, so it takes
 *   that event's new ciphertext (the projection stays byte for byte what a
 *   rebuild from `events` gives) — but only while its resourceVersion is
 *   still that event's: a Secret written meanwhile has a newer row, sealed
 *   with the new key already, which is left alone.
 * Running it again finds nothing to do; it can be stopped and resumed.
 */
export async function reencryptSecrets(pool: Pool, codec: SecretCodec, opts: ReencryptOptions = {}): Promise<ReencryptProgress> {
  const batchSize = opts.batchSize ?? 500;
  const primary = codec.primaryKeyId;
  const progress: ReencryptProgress = { events: 0, resources: 0 };
  let after = 0;
  for (;;) {
    const rows = await pool.query<{ seq: string; object: KubeObject }>(
      // Ordered by the bigint column, not the text alias.
      `SELECT e.seq::text AS seq, e.object FROM events e
        WHERE e.api_group = '' AND e.resource = 'secrets' AND e.seq > $2 AND ${STALE}
        ORDER BY e.seq LIMIT $3`,
      [primary, after, batchSize],
    );
    if (rows.rows.length === 0) break;
    const sealed = rows.rows.map((r) => ({ seq: r.seq, object: codec.reseal(r.object) })).filter((r) => r.object[ENCRYPTED_FIELD]);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL logbook.reencrypt = 'on'`);
      const seqs = sealed.map((r) => r.seq);
      const objects = sealed.map((r) => JSON.stringify(r.object));
      const events = await client.query(
        `UPDATE events e SET object = v.object FROM unnest($1::bigint[], $2::jsonb[]) AS v(seq, object) WHERE e.seq = v.seq`,
        [seqs, objects],
      );
      const resources = await client.query(
        `UPDATE resources r SET object = v.object FROM unnest($1::bigint[], $2::jsonb[]) AS v(seq, object)
          WHERE r.api_group = '' AND r.resource = 'secrets' AND r.resource_version = v.seq`,
        [seqs, objects],
      );
      await client.query('COMMIT');
      progress.events += events.rowCount ?? 0;
      progress.resources += resources.rowCount ?? 0;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    after = Number(rows.rows[rows.rows.length - 1].seq);
    opts.onBatch?.({ ...progress });
  }
  progress.resources += await reencryptOrphanedRows(pool, codec, batchSize);
  return progress;
}

/**
 * `resources` rows still under another key (or none) whose latest event is gone (the
 * log compacted below them): sealed again on their own, each only if its
 * resourceVersion has not moved meanwhile.
 */
async function reencryptOrphanedRows(pool: Pool, codec: SecretCodec, batchSize: number): Promise<number> {
  let done = 0;
  let after: [string, string] = ['', ''];
  for (;;) {
    const rows = await pool.query<{ namespace: string; name: string; rv: string; object: KubeObject }>(
      `SELECT namespace, name, resource_version::text AS rv, object FROM resources
        WHERE api_group = '' AND resource = 'secrets' AND (namespace, name) > ($2, $3) AND ${STALE}
        ORDER BY namespace, name LIMIT $4`,
      [codec.primaryKeyId, after[0], after[1], batchSize],
    );
    if (rows.rows.length === 0) return done;
    for (const r of rows.rows) {
      const res = await pool.query(
        `UPDATE resources SET object = $4 WHERE api_group = '' AND resource = 'secrets' AND namespace = $1 AND name = $2 AND resource_version = $3`,
        [r.namespace, r.name, r.rv, JSON.stringify(codec.reseal(r.object))],
      );
      done += res.rowCount ?? 0;
    }
    const last = rows.rows[rows.rows.length - 1];
    after = [last.namespace, last.name];
  }
}
