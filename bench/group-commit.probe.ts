/**
 * Diagnostics behind the numbers of event-log.bench.ts — where an append's
 * time goes in the event store, measured beside the raw-SQL baseline in the
 * same run (interleaved, because the machine may be shared):
 *
 *   A. How many events each transaction carries under N concurrent writers
 *      (read back from `events`: rows of one transaction share an xmin), and
 *      what the same store does when concurrent submissions are allowed to
 *      coalesce — an EXPERIMENT: GroupCommit.prototype.submit is replaced in
 *      this process only (libs/event-store is not changed), to size a fix.
 *   B. One writer: client-side time of each statement of an append, the
 *      LogTail's reads per commit, and planning vs execution time of the
 *      append statement (EXPLAIN ANALYZE of a captured call, rolled back).
 *
 *   npx tsc -p bench/tsconfig.json && node dist/bench/group-commit.probe.js
 *
 * Settings: PROBE_SECONDS (default 3), PROBE_REPEATS (2), BENCH_WRITERS
 * (1,16,64), DATABASE_URL (else an embedded Postgres).
 */
import { performance } from 'perf_hooks';
import { Client, Pool, PoolClient } from 'pg';
import { createDataSource, poolOf, runMigrations } from '../libs/event-store/src/data-source';
import { EventStore } from '../libs/event-store/src/event-store';
import { GroupCommit } from '../libs/event-store/src/group-commit';
import { PgServer, startPostgres } from './pg-server';
import { fmtInt, median, sleep, table } from './stats';
import { RAW_SEQUENCE, createOp, rawAppend } from './workload';

const SECONDS = Number(process.env.PROBE_SECONDS ?? 3);
const REPEATS = Number(process.env.PROBE_REPEATS ?? 2);
const WRITERS = (process.env.BENCH_WRITERS ?? '1,16,64').split(',').map(Number);
const PREFIX = `logbook_probe_${process.pid}`;
const log = (s = '') => process.stdout.write(`${s}\n`);

type Submit = GroupCommit['submit'];
const originalSubmit: Submit = GroupCommit.prototype.submit;

interface GroupCommitInternals {
  closed: boolean;
  active: number;
  writers: number;
  queue: unknown[];
  writerLoop(): Promise<void>;
  startPending?: boolean;
}

/**
 * The experiment: queue the unit, but start an idle writer loop only after
 * the current burst of callbacks has run (setImmediate), so that appends
 * made in reaction to the same commit share one transaction.
 */
function coalescingSubmit(this: GroupCommit, ops: Parameters<Submit>[0]): ReturnType<Submit> {
  const gc = this as unknown as GroupCommitInternals;
  if (gc.closed) return Promise.reject(new Error('event log is closed'));
  return new Promise((resolve, reject) => {
    gc.queue.push({ ops, resolve, reject });
    if (gc.active < gc.writers && !gc.startPending) {
      gc.startPending = true;
      setImmediate(() => {
        gc.startPending = false;
        while (gc.active < gc.writers && gc.queue.length > 0) {
          gc.active++;
          void gc.writerLoop();
        }
      });
    }
  });
}

async function closedLoops(writers: number, appendOne: (w: number, i: number) => Promise<unknown>): Promise<number> {
  let done = 0;
  let stop = false;
  let measuring = false;
  const loops = Array.from({ length: writers }, async (_, w) => {
    for (let i = 0; !stop; i++) {
      await appendOne(w, i);
      if (measuring) done++;
    }
  });
  await sleep(1000);
  measuring = true;
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  stop = true;
  await Promise.all(loops);
  return done / elapsed;
}

let counter = 0;

async function batchSizes(url: string): Promise<{ perTx: number; singleShare: number; common: string }> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ n: number; txs: number }>(
      `SELECT n, count(*)::int AS txs FROM (SELECT count(*)::int AS n FROM events GROUP BY xmin::text) b GROUP BY n ORDER BY txs DESC`,
    );
    const txs = r.rows.reduce((s, x) => s + x.txs, 0);
    const events = r.rows.reduce((s, x) => s + x.n * x.txs, 0);
    const single = r.rows.find((x) => x.n === 1)?.txs ?? 0;
    return {
      perTx: events / txs,
      singleShare: single / txs,
      common: r.rows
        .slice(0, 3)
        .map((x) => `${x.n} ev × ${fmtInt(x.txs)}`)
        .join(', '),
    };
  } finally {
    await c.end();
  }
}

async function partA(server: PgServer, rawTemplate: string): Promise<void> {
  const variants = ['raw SQL', 'event store', 'event store + coalescing (experiment)'] as const;
  const results = new Map<string, Array<{ rate: number; perTx?: number; single?: number; common?: string }>>();
  for (let rep = 0; rep < REPEATS; rep++) {
    for (const w of WRITERS) {
      for (const v of variants) {
        const db = `${PREFIX}_${++counter}`;
        let rate: number;
        let sizes: Awaited<ReturnType<typeof batchSizes>> | undefined;
        if (v === 'raw SQL') {
          const url = await server.createDatabase(db, rawTemplate);
          const pool = new Pool({ connectionString: url, max: w });
          rate = await closedLoops(w, (k, i) => rawAppend(pool, `cm-${k}-${i}`));
          await pool.end();
        } else {
          const url = await server.createDatabase(db);
          GroupCommit.prototype.submit = v === 'event store' ? originalSubmit : coalescingSubmit;
          const store = await EventStore.open({ databaseUrl: url });
          try {
            rate = await closedLoops(w, (k, i) => store.log.append(createOp(`cm-${k}-${i}`)));
          } finally {
            await store.close();
            GroupCommit.prototype.submit = originalSubmit;
          }
          sizes = await batchSizes(url);
        }
        await server.dropDatabase(db);
        const key = `${w}\u0000${v}`;
        if (!results.has(key)) results.set(key, []);
        results.get(key)!.push({ rate, perTx: sizes?.perTx, single: sizes?.singleShare, common: sizes?.common });
        process.stderr.write(`  … A: ${w} writers, ${v}: ${fmtInt(rate)}/s${sizes ? `, ${sizes.perTx.toFixed(1)} ev/tx` : ''}\n`);
      }
    }
  }
  log(`A. Events per transaction under concurrent writers (median of ${REPEATS} interleaved runs of ${SECONDS} s)`);
  const rows: string[][] = [];
  for (const w of WRITERS) {
    const raw = median(results.get(`${w}\u0000raw SQL`)!.map((x) => x.rate));
    for (const v of variants) {
      const rs = results.get(`${w}\u0000${v}`)!;
      const rate = median(rs.map((x) => x.rate));
      const last = rs[rs.length - 1];
      rows.push([
        String(w),
        v,
        fmtInt(rate),
        v === 'raw SQL' ? '1.00' : (rate / raw).toFixed(2),
        last.perTx === undefined ? '1' : last.perTx.toFixed(1),
        last.single === undefined ? '100%' : `${(last.single * 100).toFixed(0)}%`,
        last.common ?? '',
      ]);
    }
  }
  log(table(['writers', 'variant', 'appends/s', 'vs raw', 'events/tx', 'single-event txs', 'most common (last run)'], rows));
  log();
}

async function partB(server: PgServer, rawTemplate: string): Promise<void> {
  // Statement timings: wrap the clients group commit checks out, and
  // pool.query (the LogTail's reads).
  const timings = new Map<string, number[]>();
  const note = (k: string, ms: number) => {
    if (!timings.has(k)) timings.set(k, []);
    timings.get(k)!.push(ms);
  };
  const label = (text: unknown) => {
    const t = String(typeof text === 'object' && text !== null ? (text as { text: string }).text : text)
      .trim()
      .replace(/\s+/g, ' ');
    if (t.startsWith('WITH head')) return 'append statement (log_head, events, resources, notify)';
    if (t.startsWith('SELECT pg_advisory_xact_lock')) return 'advisory locks';
    if (t.startsWith('SELECT r.api_group')) return 'read current state';
    if (t.startsWith('WITH s AS')) return 'INSERT events';
    if (t.startsWith('INSERT INTO resources')) return 'UPSERT resources';
    return t.slice(0, 40);
  };
  const wrapClient = (c: PoolClient, prefix: string, captured?: { text?: string; values?: unknown[] }) => {
    const marked = c as PoolClient & { __probe?: boolean };
    if (marked.__probe) return;
    marked.__probe = true;
    const q = c.query.bind(c) as (...a: unknown[]) => Promise<unknown>;
    (c as unknown as { query: (...a: unknown[]) => Promise<unknown> }).query = (...a: unknown[]) => {
      const k = `${prefix}${label(a[0])}`;
      if (captured && k.includes('append statement') && !captured.text) {
        captured.text = String(a[0]);
        captured.values = a[1] as unknown[];
      }
      const t0 = performance.now();
      const p = q(...a);
      p.then(() => note(k, performance.now() - t0), () => undefined);
      return p;
    };
  };

  const captured: { text?: string; values?: unknown[] } = {};
  const rates: Record<string, number[]> = { raw: [], store: [], storeNoTail: [] };
  let tailReads = 0;
  let storeAppends = 0;
  for (let rep = 0; rep < REPEATS; rep++) {
    {
      const db = `${PREFIX}_${++counter}`;
      const url = await server.createDatabase(db, rawTemplate);
      const pool = new Pool({ connectionString: url, max: 1 });
      pool.on('connect', (c) => wrapClient(c as PoolClient, 'raw: '));
      rates.raw.push(await closedLoops(1, (k, i) => rawAppend(pool, `cm-${k}-${i}`)));
      await pool.end();
      await server.dropDatabase(db);
    }
    for (const stopTail of [false, true]) {
      const db = `${PREFIX}_${++counter}`;
      const url = await server.createDatabase(db);
      const store = await EventStore.open({ databaseUrl: url });
      const pool = poolOf(store.dataSource);
      if (stopTail) {
        store.watchCache.stop();
        await store.tail.stop();
      } else {
        const pq = pool.query.bind(pool) as (...a: unknown[]) => unknown;
        (pool as unknown as { query: (...a: unknown[]) => unknown }).query = (...a: unknown[]) => {
          tailReads++;
          return pq(...a);
        };
      }
      const prefix = stopTail ? 'store (tail stopped): ' : 'store: ';
      const pc = pool.connect.bind(pool) as (...a: unknown[]) => unknown;
      (pool as unknown as { connect: (...a: unknown[]) => unknown }).connect = (...a: unknown[]) => {
        if (typeof a[0] === 'function') return pc(...a);
        return (pc() as Promise<PoolClient>).then((c) => {
          wrapClient(c, prefix, captured);
          return c;
        });
      };
      let n = 0;
      const rate = await closedLoops(1, (k, i) => store.log.append(createOp(`cm-${k}-${i}`)).then(() => void n++));
      (stopTail ? rates.storeNoTail : rates.store).push(rate);
      if (!stopTail) storeAppends += n;
      await store.close();
      await server.dropDatabase(db);
    }
  }

  // Planning vs execution of the append statement, on a database with the
  // schema: EXPLAIN ANALYZE the captured call inside a transaction, rolled back.
  const plan: number[] = [];
  const exec: number[] = [];
  if (captured.text) {
    const db = `${PREFIX}_${++counter}`;
    const url = await server.createDatabase(db);
    const s = await EventStore.open({ databaseUrl: url });
    await s.close();
    const c = new Client({ connectionString: url });
    await c.connect();
    for (let i = 0; i < 30; i++) {
      await c.query('BEGIN');
      const r = await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, SUMMARY) ${captured.text}`, captured.values);
      await c.query('ROLLBACK');
      for (const row of r.rows) {
        const line = row['QUERY PLAN'];
        const m = /^(Planning|Execution) Time: ([\d.]+) ms/.exec(line);
        if (m) (m[1] === 'Planning' ? plan : exec).push(Number(m[2]));
      }
    }
    await c.end();
    await server.dropDatabase(db);
  }

  log(`B. One writer (median of ${REPEATS} interleaved runs of ${SECONDS} s)`);
  log(
    `   appends/s: raw SQL ${fmtInt(median(rates.raw))} · event store ${fmtInt(median(rates.store))} · event store with its LogTail stopped ${fmtInt(
      median(rates.storeNoTail),
    )}`,
  );
  log(`   LogTail reads per append (woken by the store's own NOTIFY): ${(tailReads / Math.max(1, storeAppends)).toFixed(2)}`);
  const rows = [...timings.entries()]
    .filter(([k]) => !k.startsWith('store (tail stopped)'))
    .map(([k, v]) => [k, fmtInt(v.length), median(v).toFixed(3)]);
  log(table(['statement (client-side round trip)', 'calls', 'median ms'], rows));
  if (plan.length) {
    log(
      `   append statement with one event, EXPLAIN ANALYZE ×${plan.length}: planning ${median(plan).toFixed(3)} ms, execution ${median(exec).toFixed(
        3,
      )} ms (median) — planned anew on every call, as it is sent unnamed`,
    );
  }
  log();
}

async function main(): Promise<void> {
  const server = await startPostgres();
  let code = 0;
  try {
    const rawTemplate = `${PREFIX}_tpl_raw`;
    const url = await server.createDatabase(rawTemplate);
    const ds = createDataSource({ databaseUrl: url, poolSize: 2 });
    await ds.initialize();
    await runMigrations(ds);
    await ds.query(`CREATE SEQUENCE ${RAW_SEQUENCE}`);
    await ds.destroy();
    log(`group-commit probe · ${server.version.split(',')[0]} · ${server.embedded ? 'embedded' : 'DATABASE_URL'} · node ${process.version}`);
    await partA(server, rawTemplate);
    await partB(server, rawTemplate);
  } catch (err) {
    code = 1;
    process.stderr.write(`probe failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  } finally {
    await server.stop();
  }
  process.exit(code);
}

void main();
