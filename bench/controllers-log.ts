/**
 * What a phase of `bench:controllers` wrote, read back from the event log:
 * every write is an event carrying its verb, subresource and field manager,
 * so the log itself says who wrote what, and when each pod reached each
 * stage of its life.
 */
import type { Client } from 'pg';

export interface WriteGroup {
  /** `pods`, `pods/status`, `events`, ... */
  resource: string;
  verb: string;
  /** The field manager (which controller, scheduler or kubelet). */
  manager: string;
  count: number;
}

/** Heartbeats every node and leader writes whatever the workload does (Lease renewals). */
export const isBackground = (g: WriteGroup) => g.resource === 'leases';

export async function logHead(db: Client): Promise<number> {
  return Number((await db.query('SELECT seq::text AS seq FROM log_head')).rows[0].seq);
}

/** Writes in (from, to], by resource/subresource, verb and field manager, most first. */
export async function writesBetween(db: Client, from: number, to: number): Promise<WriteGroup[]> {
  const { rows } = await db.query(
    `SELECT resource || coalesce('/' || subresource, '') AS resource, verb, coalesce(field_manager, '') AS manager, count(*)::int AS count
       FROM events WHERE seq > $1 AND seq <= $2
      GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3`,
    [from, to],
  );
  return rows as WriteGroup[];
}

export interface StageTimes {
  /** Pods that reached the stage. */
  count: number;
  /** Seconds after the phase began (the Deployment's write) when the first, the median and the last pod reached it. */
  first: number;
  median: number;
  last: number;
}

export interface PodStages {
  created: StageTimes;
  bound: StageTimes;
  running: StageTimes;
  ready: StageTimes;
  /** Pods that went away in the phase (a rolling update's old ones). */
  deleted: StageTimes;
  /** Each pod created in the phase: seconds from its create to its first Ready status (pod start latency). */
  startLatency: { count: number; p50: number; p99: number; max: number };
}

/**
 * For the pods of `namespace` written in (from, to]: when each was created,
 * bound, first reported Running, first reported Ready (pods created in the
 * range only), or deleted — in
 * seconds after the event at `from + 1` (the phase's first write, the
 * Deployment's), by the database's clock.
 */
export async function podStages(db: Client, namespace: string, from: number, to: number): Promise<PodStages> {
  const { rows } = await db.query(
    `WITH start AS (SELECT time FROM events WHERE seq > $1 ORDER BY seq LIMIT 1),
          p AS (
            SELECT uid,
                   min(time) FILTER (WHERE verb = 'create' AND subresource IS NULL) AS created,
                   min(time) FILTER (WHERE subresource = 'binding') AS bound,
                   min(time) FILTER (WHERE object->'status'->>'phase' = 'Running') AS running,
                   min(time) FILTER (WHERE object->'status'->'conditions' @> '[{"type":"Ready","status":"True"}]') AS ready,
                   min(time) FILTER (WHERE type = 'DELETED') AS deleted
              FROM events
             WHERE seq > $1 AND seq <= $2 AND api_group = '' AND resource = 'pods' AND namespace = $3
             GROUP BY uid)
     SELECT stage, count(t)::int AS count,
            extract(epoch FROM min(t) - (SELECT time FROM start))::float AS first,
            extract(epoch FROM percentile_disc(0.5) WITHIN GROUP (ORDER BY t) - (SELECT time FROM start))::float AS median,
            extract(epoch FROM max(t) - (SELECT time FROM start))::float AS last
       FROM p, LATERAL (VALUES ('created', created), ('bound', CASE WHEN created IS NOT NULL THEN bound END), ('running', CASE WHEN created IS NOT NULL THEN running END), ('ready', CASE WHEN created IS NOT NULL THEN ready END), ('deleted', deleted)) AS s(stage, t)
      GROUP BY stage`,
    [from, to, namespace],
  );
  const empty: StageTimes = { count: 0, first: NaN, median: NaN, last: NaN };
  const by = new Map(rows.map((r) => [r.stage as string, r as StageTimes]));
  const get = (s: string) => (by.get(s)?.count ? by.get(s)! : empty);
  const latency = await db.query(
    `WITH p AS (
       SELECT min(time) FILTER (WHERE verb = 'create' AND subresource IS NULL) AS created,
              min(time) FILTER (WHERE object->'status'->'conditions' @> '[{"type":"Ready","status":"True"}]') AS ready
         FROM events
        WHERE seq > $1 AND seq <= $2 AND api_group = '' AND resource = 'pods' AND namespace = $3
        GROUP BY uid)
     SELECT count(*)::int AS count,
            extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY ready - created))::float AS p50,
            extract(epoch FROM percentile_cont(0.99) WITHIN GROUP (ORDER BY ready - created))::float AS p99,
            extract(epoch FROM max(ready - created))::float AS max
       FROM p WHERE created IS NOT NULL AND ready IS NOT NULL`,
    [from, to, namespace],
  );
  const startLatency = latency.rows[0] as PodStages['startLatency'];
  return { created: get('created'), bound: get('bound'), running: get('running'), ready: get('ready'), deleted: get('deleted'), startLatency };
}
