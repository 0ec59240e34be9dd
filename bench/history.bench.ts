/**
 * `npm run bench:history` — history queries on a big log: one object's
 * history and a list as of a past resourceVersion, with 1,000,000 events in
 * the log, each beside a raw-SQL baseline measured in the same run on the
 * same database. See bench/README.md.
 *
 * The log is seeded inside Postgres (INSERT … SELECT over generate_series)
 * in the event store's exact format — dense seq from 1, prev_seq chains,
 * the projection holding each object's latest event, log_head at the last
 * seq — and checked against the store's own invariants before measuring.
 */
import { performance } from 'perf_hooks';
import { Pool } from 'pg';
import { createDataSource, poolOf, runMigrations } from '../libs/event-store/src/data-source';
import { EventLog } from '../libs/event-store/src/event-log';
import { HistoryQueries } from '../libs/event-store/src/history-queries';
import { startPostgres } from './pg-server';
import { fmtInt, fmtMs, median, percentile, table } from './stats';

const envInt = (name: string, dflt: number): number => {
  const v = Number((process.env[name] ?? '').replace(/_/g, '') || dflt);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive whole number`);
  return v;
};

const EVENTS = envInt('BENCH_HISTORY_EVENTS', 1_000_000);
const OBJECTS = envInt('BENCH_HISTORY_OBJECTS', 10_000);
const NAMESPACES = envInt('BENCH_HISTORY_NAMESPACES', 10);
const SAMPLES = envInt('BENCH_HISTORY_SAMPLES', 200);
const LIST_SAMPLES = envInt('BENCH_HISTORY_LIST_SAMPLES', 20);
const TARGET_HISTORY_P99_MS = 50;
const TARGET_LIST_MS = 1000;
const TYPE = { group: '', resource: 'configmaps' };

const log = (s = '') => process.stdout.write(`${s}\n`);
const t0 = performance.now();
const progress = (s: string) => process.stderr.write(`  … [${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}\n`);

/** Object i lives in namespace ns-(i % NAMESPACES) as cm-i; event seq g is version (g-1) / OBJECTS of object (g-1) % OBJECTS. */
async function seed(pool: Pool): Promise<void> {
  const base = Date.parse('2025-01-01T00:00:00Z');
  await pool.query(`ALTER TABLE events SET (autovacuum_enabled = false)`);
  const BATCH = 100_000;
  for (let from = 1; from <= EVENTS; from += BATCH) {
    const to = Math.min(EVENTS, from + BATCH - 1);
    await pool.query(
      `INSERT INTO events (seq, prev_seq, time, type, api_group, api_version, resource, kind, namespace, name, uid, object,
                           actor, actor_uid, actor_groups, verb, field_manager, user_agent, request_id, cause_seq)
       SELECT g,
              CASE WHEN g > $1 THEN g - $1 END,
              to_timestamp(($3::bigint + g * 10) / 1000.0),
              CASE WHEN g > $1 THEN 'MODIFIED' ELSE 'ADDED' END,
              '', 'v1', 'configmaps', 'ConfigMap',
              'ns-' || ((g - 1) % $1) % $2, 'cm-' || (g - 1) % $1, 'uid-' || (g - 1) % $1,
              jsonb_build_object(
                'apiVersion', 'v1', 'kind', 'ConfigMap',
                'metadata', jsonb_build_object('name', 'cm-' || (g - 1) % $1, 'namespace', 'ns-' || ((g - 1) % $1) % $2,
                                               'uid', 'uid-' || (g - 1) % $1, 'resourceVersion', g::text,
                                               'creationTimestamp', '2025-01-01T00:00:00Z', 'labels', jsonb_build_object('app', 'bench')),
                'data', jsonb_build_object('version', ((g - 1) / $1)::text, 'payload', repeat('x', 200))),
              'user-' || g % 50, 'u-' || g % 50, ARRAY['dev', 'system:authenticated'],
              CASE WHEN g > $1 THEN 'update' ELSE 'create' END, 'bench', 'logbook-bench', 'req-' || g, NULL
         FROM generate_series($4::bigint, $5::bigint) AS g`,
      [OBJECTS, NAMESPACES, base, from, to],
    );
    progress(`seeded ${fmtInt(to)} / ${fmtInt(EVENTS)} events`);
  }
  // The projection: every object's latest event.
  await pool.query(
    `INSERT INTO resources (api_group, resource, namespace, name, api_version, kind, uid, resource_version, object)
     SELECT DISTINCT ON (namespace, name) api_group, resource, namespace, name, api_version, kind, uid, seq, object
       FROM events ORDER BY namespace, name, seq DESC`,
  );
  await pool.query(`UPDATE log_head SET seq = $1 WHERE id = 1`, [EVENTS]);
  await pool.query(`ALTER TABLE events RESET (autovacuum_enabled)`);
  progress('vacuum analyze');
  await pool.query('VACUUM ANALYZE events');
  await pool.query('VACUUM ANALYZE resources');
}

/** The store's invariants: seq dense from 1 to the head, the projection equal to each object's latest event. */
async function checkInvariants(pool: Pool): Promise<void> {
  const dense = await pool.query<{ n: string; lo: string; hi: string; head: string }>(
    `SELECT count(*)::text AS n, min(seq)::text AS lo, max(seq)::text AS hi, (SELECT seq FROM log_head)::text AS head FROM events`,
  );
  const d = dense.rows[0];
  if (Number(d.n) !== EVENTS || Number(d.lo) !== 1 || Number(d.hi) !== EVENTS || Number(d.head) !== EVENTS) throw new Error(`seq not dense: ${JSON.stringify(d)}`);
  const drift = await pool.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM (SELECT DISTINCT ON (namespace, name) namespace, name, seq, object FROM events ORDER BY namespace, name, seq DESC) e
       FULL JOIN resources r USING (namespace, name)
      WHERE r.resource_version IS DISTINCT FROM e.seq OR r.object IS DISTINCT FROM e.object`,
  );
  if (Number(drift.rows[0].n) !== 0) throw new Error(`projection differs from the log for ${drift.rows[0].n} objects`);
}

async function timed(n: number, f: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await f(i);
    out.push(performance.now() - start);
  }
  return out.sort((a, b) => a - b);
}

const row = (what: string, ms: number[], extra = '') => [what, fmtMs(median(ms)), fmtMs(percentile(ms, 99)), fmtMs(ms[ms.length - 1]), extra];

async function main(): Promise<void> {
  const server = await startPostgres();
  const db = `logbook_bench_history_${process.pid}`;
  const url = await server.createDatabase(db);
  const ds = createDataSource({ databaseUrl: url, poolSize: 4 });
  await ds.initialize();
  try {
    await runMigrations(ds);
    const pool = poolOf(ds);
    progress(`seeding ${fmtInt(EVENTS)} events over ${fmtInt(OBJECTS)} ConfigMaps in ${NAMESPACES} namespaces`);
    await seed(pool);
    await checkInvariants(pool);
    const size = await pool.query<{ s: string }>(`SELECT pg_size_pretty(pg_total_relation_size('events')) AS s`);
    const queries = new HistoryQueries(pool);
    const eventLog = new EventLog(pool);
    const pick = (i: number) => {
      const o = (i * 7919) % OBJECTS;
      return { namespace: `ns-${o % NAMESPACES}`, name: `cm-${o}` };
    };
    const perObject = EVENTS / OBJECTS;

    progress("one object's history");
    const warm = Math.min(20, SAMPLES);
    await timed(warm, (i) => queries.page({ group: '', resource: 'configmaps', ...pick(i) }, { limit: 500 }));
    const history = await timed(SAMPLES, async (i) => {
      const p = await queries.page({ group: '', resource: 'configmaps', ...pick(i + warm) }, { limit: 500 });
      if (p.events.length !== Math.min(500, perObject)) throw new Error(`history returned ${p.events.length} events`);
    });
    const historySql = await timed(SAMPLES, async (i) => {
      const o = pick(i + warm);
      const r = await pool.query(
        `SELECT * FROM events WHERE api_group = '' AND resource = 'configmaps' AND namespace = $1 AND name = $2 ORDER BY seq LIMIT 500`,
        [o.namespace, o.name],
      );
      if (r.rowCount !== Math.min(500, perObject)) throw new Error('baseline returned the wrong count');
    });

    progress('list as of a past resourceVersion');
    const perNamespace = OBJECTS / NAMESPACES;
    const rvAt = (i: number) => Math.floor(EVENTS / 2) + ((i * 104729) % Math.floor(EVENTS / 4));
    const listed = await timed(LIST_SAMPLES, async (i) => {
      const r = await eventLog.list(TYPE, { namespace: `ns-${i % NAMESPACES}`, resourceVersion: rvAt(i) });
      if (r.items.length !== perNamespace) throw new Error(`list returned ${r.items.length} objects`);
    });
    const listedSql = await timed(LIST_SAMPLES, async (i) => {
      const r = await pool.query(
        `SELECT DISTINCT ON (name) name, type, object FROM events
          WHERE api_group = '' AND resource = 'configmaps' AND namespace = $1 AND seq <= $2
          ORDER BY name, seq DESC`,
        [`ns-${i % NAMESPACES}`, rvAt(i)],
      );
      if (r.rows.filter((x) => x.type !== 'DELETED').length !== perNamespace) throw new Error('baseline returned the wrong count');
    });

    log(`History queries with ${fmtInt(EVENTS)} events in the log (${fmtInt(OBJECTS)} ConfigMaps × ${fmtInt(perObject)} versions, ${NAMESPACES} namespaces; events table ${size.rows[0].s}); Postgres ${server.version.split(" ").slice(0, 2).join(" ")}`);
    log();
    log(
      table(
        ['query', 'p50', 'p99', 'max', ''],
        [
          row(`one object's history (${fmtInt(Math.min(500, perObject))} events), HistoryQueries.page`, history, `target p99 < ${TARGET_HISTORY_P99_MS} ms: ${percentile(history, 99) < TARGET_HISTORY_P99_MS ? 'met' : 'MISSED'}`),
          row('  baseline: SELECT … WHERE object ORDER BY seq LIMIT 500', historySql),
          row(`list as of a past rv (${fmtInt(perNamespace)} objects), EventLog.list`, listed, `target < ${TARGET_LIST_MS} ms: ${percentile(listed, 99) < TARGET_LIST_MS ? 'met' : 'MISSED'}`),
          row('  baseline: SELECT DISTINCT ON (name) … seq <= rv', listedSql),
        ],
      ),
    );
    log();
    log(`${SAMPLES} history samples (after ${warm} warm-up), ${LIST_SAMPLES} list samples, one at a time; total ${((performance.now() - t0) / 1000).toFixed(0)} s.`);
  } finally {
    await ds.destroy().catch(() => undefined);
    await server.dropDatabase(db).catch(() => undefined);
    await server.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
