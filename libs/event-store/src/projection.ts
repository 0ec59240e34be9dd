import type { Pool } from 'pg';

/**
 * The `resources` table is a cache of the log. `rebuild` throws it away and
 * derives it again from `events`: for each object, its latest event unless
 * that is a DELETED. Writers wait on the log_head lock meanwhile, so the
 * rebuilt projection is exactly the log's state at one seq.
 */
export class Projection {
  constructor(private readonly pool: Pool) {}

  async rebuild(): Promise<{ objects: number; seq: number }> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const head = await client.query<{ seq: string }>('SELECT seq::text AS seq FROM log_head WHERE id = 1 FOR UPDATE');
      await client.query('DELETE FROM resources');
      const res = await client.query(
        `INSERT INTO resources (api_group, resource, namespace, name, api_version, kind, uid, resource_version, object)
         SELECT api_group, resource, namespace, name, api_version, kind, uid, seq, object FROM (
           SELECT DISTINCT ON (api_group, resource, namespace, name) *
             FROM events ORDER BY api_group, resource, namespace, name, seq DESC
         ) latest WHERE type <> 'DELETED'`,
      );
      await client.query('COMMIT');
      return { objects: res.rowCount ?? 0, seq: Number(head.rows[0].seq) };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** A digest of the whole projection, byte for byte, for comparing two states. */
  async checksum(): Promise<{ rows: number; md5: string }> {
    const res = await this.pool.query<{ rows: string; md5: string | null }>(
      `SELECT count(*)::text AS rows,
              md5(string_agg(concat_ws(E'\\x1f', api_group, resource, namespace, name, api_version, kind, uid,
                                       resource_version::text, object::text), E'\\x1e'
                             ORDER BY api_group, resource, namespace, name)) AS md5
         FROM resources`,
    );
    return { rows: Number(res.rows[0].rows), md5: res.rows[0].md5 ?? '' };
  }
}
