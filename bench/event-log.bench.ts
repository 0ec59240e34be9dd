/**
 * `npm run bench:event-log` — throughput, tail latency and watcher memory of
 * the event store, each beside a plain-Postgres baseline measured in the same
 * run on the same server. See bench/README.md.
 */
import { arch, cpus, loadavg, platform } from 'os';
import { performance } from 'perf_hooks';
import { Client, Pool } from 'pg';
import { createDataSource, poolOf, runMigrations } from '../libs/event-store/src/data-source';
import { EventStore } from '../libs/event-store/src/event-store';
import type { StoredEvent } from '../libs/event-store/src/types';
import { CpuMeter, CpuSplit, describeSplit } from './cpu';
import { PgServer, startPostgres } from './pg-server';
import { fmtBytes, fmtInt, fmtMs, median, percentile, sleep, table } from './stats';
import { CONFIGMAPS, NAMESPACE, RAW_SEQUENCE, createOp, rawAppend, typicalObjectBytes } from './workload';

// ---------------------------------------------------------------- settings

function envNumber(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(v)}`);
  return n;
}
function envList(name: string, dflt: number[]): number[] {
  const v = process.env[name];
  if (!v) return dflt;
  return v.split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a comma-separated list of positive numbers`);
    return n;
  });
}

const SECONDS = envNumber('BENCH_SECONDS', 4);
const WARMUP_SECONDS = envNumber('BENCH_WARMUP_SECONDS', 1);
const REPEATS = Math.round(envNumber('BENCH_REPEATS', 3));
const WRITERS = envList('BENCH_WRITERS', [1, 16, 64]);
const MAX_RAW_POOL = Math.round(envNumber('BENCH_MAX_POOL', 64));
const LATENCY_SECONDS = envNumber('BENCH_LATENCY_SECONDS', 4);
const RATES = envList('BENCH_RATES', [20, 200]);
const SUBSCRIBERS = Math.round(envNumber('BENCH_SUBSCRIBERS', 1000));

// The issue's targets.
const TARGET_RATIO = 0.7;
const TARGET_RATIO_AT_WRITERS = 16;
const TARGET_P99_MS = 20;

const PREFIX = `logbook_bench_${process.pid}`;
const NOTIFY_CHANNEL = 'logbook_bench_tail';

const log = (s = '') => process.stdout.write(`${s}\n`);
const startedAt = performance.now();
const progress = (s: string) => process.stderr.write(`  … [${((performance.now() - startedAt) / 1000).toFixed(0).padStart(3)} s] ${s}\n`);

// ----------------------------------------------------------- 1. throughput

interface LoopResult {
  perSec: number;
  appends: number;
  seconds: number;
  /** Where the CPU went during the measured window. */
  cpu: CpuSplit;
  /** Everything acknowledged, warm-up included (to check against the table). */
  total: number;
}

let cpuMeter = new CpuMeter();

/**
 * `writers` async loops, each awaiting its own append, for warm-up plus
 * `seconds`; counts the appends acknowledged inside the measured window.
 */
async function closedLoops(
  writers: number,
  appendOne: (w: number, i: number) => Promise<unknown>,
  seconds = SECONDS,
): Promise<LoopResult> {
  let done = 0;
  let stop = false;
  let failure: unknown;
  const loops = Array.from({ length: writers }, async (_, w) => {
    for (let i = 0; !stop; i++) {
      try {
        await appendOne(w, i);
      } catch (err) {
        failure ??= err;
        stop = true;
        return;
      }
      done++;
    }
  });
  await sleep(WARMUP_SECONDS * 1000);
  const c0 = done;
  const t0 = performance.now();
  const cpu0 = cpuMeter.snapshot();
  await sleep(seconds * 1000);
  const c1 = done;
  const t1 = performance.now();
  const cpu = cpuMeter.since(cpu0);
  stop = true;
  await Promise.all(loops);
  if (failure) throw failure;
  const measured = (t1 - t0) / 1000;
  return {
    perSec: (c1 - c0) / measured,
    appends: c1 - c0,
    seconds: measured,
    cpu,
    total: done,
  };
}

interface StoreRun extends LoopResult {
  eventsPerTx: number;
  /** Share of transactions that carried a single event. */
  singleShare: number;
  tailReads: number;
}

/** Events in the log, and the transactions that wrote them (rows of one transaction share an xmin). */
async function countEvents(url: string): Promise<{ events: number; transactions: number; singleEventTx: number }> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ n: string; tx: string; single: string }>(
      `SELECT coalesce(sum(n), 0)::text AS n, count(*)::text AS tx, count(*) FILTER (WHERE n = 1)::text AS single
         FROM (SELECT count(*) AS n FROM events GROUP BY xmin::text) t`,
    );
    return { events: Number(r.rows[0].n), transactions: Number(r.rows[0].tx), singleEventTx: Number(r.rows[0].single) };
  } finally {
    await c.end();
  }
}

let runCounter = 0;

async function storeThroughput(server: PgServer, template: string, writers: number, seconds = SECONDS): Promise<StoreRun> {
  const db = `${PREFIX}_s${++runCounter}`;
  const url = await server.createDatabase(db, template);
  await server.checkpoint();
  const store = await EventStore.open({ databaseUrl: url });
  // Count the store's pool.query calls: during appends only the log tail
  // uses pool.query (group commit checks out clients), so these are tail reads.
  const pool = poolOf(store.dataSource);
  let poolQueries = 0;
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    poolQueries++;
    return query(...args);
  };
  let r: LoopResult;
  try {
    r = await closedLoops(writers, (w, i) => store.log.append(createOp(`cm-${w}-${i}`)), seconds);
  } finally {
    await store.close();
  }
  const counted = await countEvents(url);
  await server.dropDatabase(db);
  if (counted.events !== r.total) throw new Error(`event store: ${r.total} appends acknowledged but ${counted.events} events in the log`);
  return {
    ...r,
    eventsPerTx: counted.events / counted.transactions,
    singleShare: counted.singleEventTx / counted.transactions,
    tailReads: poolQueries,
  };
}

async function rawThroughput(
  server: PgServer,
  template: string,
  writers: number,
  seconds = SECONDS,
): Promise<LoopResult & { poolSize: number }> {
  const db = `${PREFIX}_r${++runCounter}`;
  const url = await server.createDatabase(db, template);
  await server.checkpoint();
  const poolSize = Math.min(writers, MAX_RAW_POOL);
  const pool = new Pool({ connectionString: url, max: poolSize, application_name: 'logbook-bench-raw' });
  let r: LoopResult;
  try {
    r = await closedLoops(writers, (w, i) => rawAppend(pool, `cm-${w}-${i}`), seconds);
  } finally {
    await pool.end();
  }
  const counted = await countEvents(url);
  await server.dropDatabase(db);
  if (counted.events !== r.total) throw new Error(`raw SQL: ${r.total} appends acknowledged but ${counted.events} events in the table`);
  return { ...r, poolSize };
}

// --------------------------------------------------------- 2. tail latency

/** Every (event × subscriber) delivery: seq and when it arrived. */
class Deliveries {
  seq = new Float64Array(0);
  at = new Float64Array(0);
  n = 0;
  dropped = 0;
  outOfOrder = 0;
  reset(capacity: number): void {
    if (this.seq.length < capacity) {
      this.seq = new Float64Array(capacity);
      this.at = new Float64Array(capacity);
    }
    this.n = 0;
    this.dropped = 0;
    this.outOfOrder = 0;
  }
  record(seq: number, at: number): void {
    if (this.n >= this.seq.length) {
      this.dropped++;
      return;
    }
    this.seq[this.n] = seq;
    this.at[this.n] = at;
    this.n++;
  }
}

const deliveries = new Deliveries();

/** A subscriber callback: records its deliveries and checks they come in seq order. */
function subscriberCallback(): (e: { seq: number }) => void {
  let last = -Infinity;
  return (e) => {
    const t = performance.now();
    if (e.seq <= last) deliveries.outOfOrder++;
    last = e.seq;
    deliveries.record(e.seq, t);
  };
}

interface Paced {
  n: number;
  issued: Float64Array;
  acked: Float64Array;
  seqs: Float64Array;
  achievedRate: number;
}

/** Open-loop writer: issues `rate` writes a second on schedule, without waiting for earlier ones. */
async function paced(rate: number, seconds: number, write: (i: number, ack: (seq: number) => void) => Promise<void>): Promise<Paced> {
  const n = Math.max(2, Math.round(rate * seconds));
  const issued = new Float64Array(n);
  const acked = new Float64Array(n).fill(NaN);
  const seqs = new Float64Array(n).fill(NaN);
  const pending: Promise<void>[] = [];
  const start = performance.now() + 2;
  for (let i = 0; i < n; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    issued[i] = performance.now();
    pending.push(
      write(i, (seq) => {
        acked[i] = performance.now();
        seqs[i] = seq;
      }),
    );
  }
  await Promise.all(pending);
  return { n, issued, acked, seqs, achievedRate: ((n - 1) * 1000) / (issued[n - 1] - issued[0]) };
}

async function waitForDeliveries(expected: number, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (deliveries.n + deliveries.dropped < expected && performance.now() < deadline) await sleep(5);
}

interface LatencyRow {
  path: string;
  rate: number;
  achievedRate: number;
  events: number;
  deliveries: number;
  missing: number;
  outOfOrder: number;
  ack: { p50: number; p99: number; max: number };
  issue: { p50: number; p99: number };
  /** Per event, first to last subscriber. */
  fanoutP50: number;
  isStore: boolean;
  /** CPU during the measured run. */
  cpu?: CpuSplit;
}

function analyse(path: string, rate: number, run: Paced, isStore: boolean): LatencyRow {
  const index = new Map<number, number>();
  for (let i = 0; i < run.n; i++) index.set(run.seqs[i], i);
  const fromAck = new Float64Array(deliveries.n);
  const fromIssue = new Float64Array(deliveries.n);
  const first = new Float64Array(run.n).fill(Infinity);
  const last = new Float64Array(run.n).fill(-Infinity);
  let k = 0;
  for (let j = 0; j < deliveries.n; j++) {
    const i = index.get(deliveries.seq[j]);
    if (i === undefined) continue;
    const t = deliveries.at[j];
    fromAck[k] = t - run.acked[i];
    fromIssue[k] = t - run.issued[i];
    if (t < first[i]) first[i] = t;
    if (t > last[i]) last[i] = t;
    k++;
  }
  const a = fromAck.subarray(0, k).sort();
  const b = fromIssue.subarray(0, k).sort();
  const spread: number[] = [];
  for (let i = 0; i < run.n; i++) if (Number.isFinite(first[i])) spread.push(last[i] - first[i]);
  return {
    path,
    rate,
    achievedRate: run.achievedRate,
    events: run.n,
    deliveries: k,
    missing: run.n * SUBSCRIBERS - k,
    outOfOrder: deliveries.outOfOrder,
    ack: { p50: percentile(a, 50), p99: percentile(a, 99), max: a.length ? a[a.length - 1] : NaN },
    issue: { p50: percentile(b, 50), p99: percentile(b, 99) },
    fanoutP50: spread.length ? median(spread) : NaN,
    isStore,
  };
}

/** Warm-up at the rate (not recorded), then the measured run. */
async function latencyRun(
  path: string,
  rate: number,
  isStore: boolean,
  write: (i: number, ack: (seq: number) => void) => Promise<void>,
): Promise<LatencyRow> {
  let offset = 0;
  const warm = Math.max(10, Math.round(rate * 0.5));
  deliveries.reset(Math.ceil(rate * LATENCY_SECONDS + 10) * SUBSCRIBERS);
  await paced(rate, warm / rate, (i, ack) => write(offset + i, ack));
  offset += warm;
  await waitForDeliveries(warm * SUBSCRIBERS);
  await sleep(100);
  deliveries.reset(Math.ceil(rate * LATENCY_SECONDS + 10) * SUBSCRIBERS);
  const cpu0 = cpuMeter.snapshot();
  const run = await paced(rate, LATENCY_SECONDS, (i, ack) => write(offset + i, ack));
  const cpu = cpuMeter.since(cpu0);
  await waitForDeliveries(run.n * SUBSCRIBERS);
  await sleep(50);
  const row = { ...analyse(path, rate, run, isStore), cpu };
  progress(`${path} @ ${rate}/s: commit→delivery p50 ${fmtMs(row.ack.p50)} ms, p99 ${fmtMs(row.ack.p99)} ms`);
  return row;
}

let nameCounter = 0;

async function baselineLatency(server: PgServer, rawTemplate: string): Promise<LatencyRow[]> {
  const db = `${PREFIX}_lb`;
  const url = await server.createDatabase(db, rawTemplate);
  const pool = new Pool({ connectionString: url, max: 8, application_name: 'logbook-bench-raw' });
  const notifier = new Client({ connectionString: url, application_name: 'logbook-bench-notify' });
  const listener = new Client({ connectionString: url, application_name: 'logbook-bench-listen' });
  await notifier.connect();
  await listener.connect();
  const callbacks = Array.from({ length: SUBSCRIBERS }, () => subscriberCallback());
  listener.on('notification', (m) => {
    const e = JSON.parse(m.payload ?? '{}') as { seq: number };
    for (const cb of callbacks) cb(e);
  });
  await listener.query(`LISTEN ${NOTIFY_CHANNEL}`);
  const rows: LatencyRow[] = [];
  // One notifying connection: notifications go out one after another, each
  // right after its transaction's COMMIT is acknowledged.
  let notifyChain: Promise<unknown> = Promise.resolve();
  try {
    for (const rate of RATES) {
      rows.push(
        await latencyRun('LISTEN/NOTIFY baseline', rate, false, async (_i, ack) => {
          let sent: Promise<unknown> = Promise.resolve();
          await rawAppend(pool, `cm-lb-${++nameCounter}`, (seq, ev) => {
            ack(seq);
            const payload = `{"seq":${seq},"type":"ADDED","namespace":"${NAMESPACE}","name":"${ev.name}","uid":"${ev.uid}","object":${ev.json}}`;
            sent = notifyChain = notifyChain.then(() => notifier.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, payload]));
          });
          await sent;
        }),
      );
    }
  } finally {
    await listener.end();
    await notifier.end();
    await pool.end();
    await server.dropDatabase(db);
  }
  return rows;
}

interface MemoryFigures {
  before: NodeJS.MemoryUsage;
  after: NodeJS.MemoryUsage;
  watchers: number;
  gc: boolean;
}

/** Memory after garbage collection has had its say (RSS settles over a few collections). */
async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  let m = process.memoryUsage();
  if (!gc) return m;
  for (let i = 0; i < 8; i++) {
    gc();
    await sleep(50);
    const next = process.memoryUsage();
    const settled = Math.abs(next.rss - m.rss) < 64 * 1024 && Math.abs(next.heapUsed - m.heapUsed) < 16 * 1024;
    m = next;
    if (settled) break;
  }
  return m;
}

async function storeLatency(server: PgServer, template: string): Promise<{ rows: LatencyRow[]; memory: MemoryFigures }> {
  const db = `${PREFIX}_ls`;
  const url = await server.createDatabase(db, template);
  const reader = await EventStore.open({ databaseUrl: url });
  const rows: LatencyRow[] = [];
  let memory: MemoryFigures;
  const subs: Array<{ unsubscribe(): void }> = [];
  try {
    // Memory of the watchers alone: before any event flows to them.
    await sleep(200);
    const before = await settledMemory();
    const fromSeq = reader.tail.lastSeq;
    for (let s = 0; s < SUBSCRIBERS; s++) {
      const cb = subscriberCallback();
      subs.push(
        reader.watchCache
          .watch({ group: CONFIGMAPS.group, resource: CONFIGMAPS.resource, namespace: NAMESPACE, fromSeq })
          .subscribe({ next: cb, error: (err) => progress(`watcher failed: ${String(err)}`) }),
      );
    }
    const after = await settledMemory();
    memory = { before, after, watchers: reader.watchCache.size, gc: typeof (globalThis as { gc?: unknown }).gc === 'function' };

    // Cross-process: a second EventStore (own pool, own connections) writes;
    // the reader learns of it only through LISTEN/NOTIFY and reads the rows.
    const writer = await EventStore.open({ databaseUrl: url });
    try {
      for (const rate of RATES) {
        rows.push(
          await latencyRun('event store, cross-process', rate, true, async (_i, ack) => {
            const e: StoredEvent = await writer.log.append(createOp(`cm-lx-${++nameCounter}`));
            ack(e.seq);
          }),
        );
      }
    } finally {
      await writer.close();
    }
    // Same process: the reader's own appends, offered to its tail on commit.
    for (const rate of RATES) {
      rows.push(
        await latencyRun('event store, same process', rate, true, async (_i, ack) => {
          const e = await reader.log.append(createOp(`cm-ls-${++nameCounter}`));
          ack(e.seq);
        }),
      );
    }
  } finally {
    for (const s of subs) s.unsubscribe();
    await reader.close();
    await server.dropDatabase(db);
  }
  return { rows, memory };
}

// ------------------------------------------------------------------ setup

async function makeTemplates(server: PgServer): Promise<{ storeTemplate: string; rawTemplate: string }> {
  // Event store: a database as EventStore.open leaves it (migrated, empty log).
  const storeTemplate = `${PREFIX}_tpl_store`;
  const storeUrl = await server.createDatabase(storeTemplate);
  const s = await EventStore.open({ databaseUrl: storeUrl });
  await s.close();

  // Raw baseline: the same migration, plus a plain sequence for its seq.
  const rawTemplate = `${PREFIX}_tpl_raw`;
  const rawUrl = await server.createDatabase(rawTemplate);
  const ds = createDataSource({ databaseUrl: rawUrl, poolSize: 2 }); // runMigrations locks on one connection and migrates on another
  await ds.initialize();
  try {
    await runMigrations(ds);
    await ds.query(`CREATE SEQUENCE ${RAW_SEQUENCE}`);
  } finally {
    await ds.destroy();
  }
  return { storeTemplate, rawTemplate };
}

async function storeConfig(server: PgServer, template: string): Promise<string> {
  const db = `${PREFIX}_cfg`;
  const url = await server.createDatabase(db, template);
  const s = await EventStore.open({ databaseUrl: url });
  try {
    const poolMax = (poolOf(s.dataSource) as unknown as { options: { max?: number } }).options.max;
    const gc = (s.log as unknown as { groupCommit?: { writers?: number; maxBatchOps?: number } }).groupCommit;
    return `EventStore.open({ databaseUrl }) defaults: pool ${poolMax ?? '?'}, group-commit writers ${gc?.writers ?? '?'}, batch ≤ ${gc?.maxBatchOps ?? '?'} ops`;
  } finally {
    await s.close();
    await server.dropDatabase(db);
  }
}

// ------------------------------------------------------------------- main

async function main(): Promise<void> {
  const began = performance.now();
  progress(process.env.DATABASE_URL ? 'using the Postgres named by DATABASE_URL' : 'starting embedded Postgres');
  const server = await startPostgres();
  let exitCode = 0;
  try {
    const { storeTemplate, rawTemplate } = await makeTemplates(server);
    cpuMeter = new CpuMeter(server.postmasterPid);
    const cpuList = cpus();
    const s = server.settings;
    const load0 = loadavg();
    log('Logbook event-log benchmark');
    log(`  node ${process.version} · ${platform()}/${arch()} · ${cpuList.length} CPUs (${cpuList[0]?.model.trim() ?? 'unknown'}) · load average at start ${load0.map((x) => x.toFixed(2)).join(' ')}`);
    log(`  ${server.version.split(',')[0]} · ${server.embedded ? 'embedded, started for this run' : 'server from DATABASE_URL'}`);
    log(`  fsync=${s.fsync} synchronous_commit=${s.synchronous_commit} wal_sync_method=${s.wal_sync_method} shared_buffers=${s.shared_buffers} max_wal_size=${s.max_wal_size}`);
    log(`  objects: ConfigMaps of ${fmtInt(typicalObjectBytes())} bytes of JSON, distinct names; each throughput run on a fresh database copied from a migrated template`);
    log(`  ${await storeConfig(server, storeTemplate)}`);
    log();

    // ---- 1. throughput
    // One unreported pass first, so that neither side pays for cold caches,
    // JIT or a fresh cluster's first WAL segments in its first measured run.
    progress('warm-up pass (not reported)');
    const warmWriters = WRITERS[Math.floor(WRITERS.length / 2)];
    await rawThroughput(server, rawTemplate, warmWriters, 1);
    await storeThroughput(server, storeTemplate, warmWriters, 1);

    const raw = new Map<number, Array<LoopResult & { poolSize: number }>>();
    const store = new Map<number, StoreRun[]>();
    for (const w of WRITERS) {
      raw.set(w, []);
      store.set(w, []);
    }
    // Interleaved (raw, store, next shape, ..., next repetition) so that a
    // change in the machine's load hits both sides alike.
    for (let rep = 1; rep <= REPEATS; rep++) {
      for (const w of WRITERS) {
        const r = await rawThroughput(server, rawTemplate, w);
        raw.get(w)!.push(r);
        const e = await storeThroughput(server, storeTemplate, w);
        store.get(w)!.push(e);
        progress(`run ${rep}/${REPEATS}, ${w} writers: raw ${fmtInt(r.perSec)}/s, event store ${fmtInt(e.perSec)}/s`);
      }
    }
    log(`1. Appends/s with ${WRITERS.join(' / ')} concurrent writers in one process — median of ${REPEATS} runs of ${SECONDS} s, each after ${WARMUP_SECONDS} s of warm-up`);
    log(`   raw SQL: node-postgres, per event BEGIN; INSERT events (seq = nextval); INSERT resources ON CONFLICT DO UPDATE; COMMIT — pool = writers (max ${MAX_RAW_POOL})`);
    log('   event store: await store.log.append(create) — group commit, gap-free seq from log_head');
    const rows: string[][] = [];
    const ratios = new Map<number, number>();
    for (const w of WRITERS) {
      const r = median(raw.get(w)!.map((x) => x.perSec));
      const e = median(store.get(w)!.map((x) => x.perSec));
      ratios.set(w, e / r);
      rows.push([String(w), fmtInt(r), fmtInt(e), (e / r).toFixed(2)]);
    }
    log(table(['writers', 'raw SQL appends/s', 'event store appends/s', 'ratio'], rows));
    const atTarget = ratios.get(TARGET_RATIO_AT_WRITERS);
    if (atTarget === undefined) log(`Target ratio ≥ ${TARGET_RATIO} at ${TARGET_RATIO_AT_WRITERS} writers: not measured (see BENCH_WRITERS)`);
    else log(`Target ratio ≥ ${TARGET_RATIO} at ${TARGET_RATIO_AT_WRITERS} writers: ${atTarget >= TARGET_RATIO ? 'MET' : 'NOT MET'} (${atTarget.toFixed(2)})`);
    log('   every run — appends/s; CPU busy during the window in cores (this node process, the Postgres server, the rest of the machine);');
    log('   event store: events per transaction (and the share of transactions with a single event), LogTail reads of the log per transaction:');
    for (const w of WRITERS) {
      raw.get(w)!.forEach((x, i) => log(`   ${String(w).padStart(3)} writers  raw   #${i + 1} ${fmtInt(x.perSec).padStart(7)}/s  ${describeSplit(x.cpu)}`));
      store.get(w)!.forEach((x, i) =>
        log(
          `   ${String(w).padStart(3)} writers  store #${i + 1} ${fmtInt(x.perSec).padStart(7)}/s  ${describeSplit(x.cpu)}  ${x.eventsPerTx.toFixed(1)} ev/tx (${(
            x.singleShare * 100
          ).toFixed(0)}% of txs single-event)  ${(
            (x.tailReads * x.eventsPerTx) /
            x.total
          ).toFixed(2)} tail reads/tx`,
        ),
      );
    }
    log();

    // ---- 2. tail latency (and 3. memory)
    const baseline = await baselineLatency(server, rawTemplate);
    const { rows: storeRows, memory } = await storeLatency(server, storeTemplate);
    const latRows = [...baseline, ...storeRows];
    log(`2. Tail latency to ${fmtInt(SUBSCRIBERS)} subscribers, p50 / p99 over every (event × subscriber) delivery, ms (${LATENCY_SECONDS} s per rate after warm-up)`);
    log('   commit→delivery: from when the append\'s promise resolved (commit acknowledged); issue→delivery: from when it was called.');
    log('   Negative values: the subscriber got the event before the writer\'s await resumed (same-process delivery happens inside the commit callback).');
    log('   cpu: cores busy during the measured run — this process, the Postgres server, the rest of the machine.');
    log(
      table(
        [
          'path',
          'writes/s (achieved)',
          'events',
          'deliveries',
          'commit→delivery p50 / p99',
          'issue→delivery p50 / p99',
          'fan-out p50',
          'cpu node/pg/other',
          `p99 ≤ ${TARGET_P99_MS} ms`,
        ],
        latRows.map((r) => [
          r.path,
          `${r.rate} (${r.achievedRate.toFixed(1)})`,
          fmtInt(r.events),
          `${fmtInt(r.deliveries)}${r.missing ? ` (${fmtInt(r.missing)} missing)` : ''}${r.outOfOrder ? ` (${fmtInt(r.outOfOrder)} not in seq order)` : ''}`,
          `${fmtMs(r.ack.p50)} / ${fmtMs(r.ack.p99)}`,
          `${fmtMs(r.issue.p50)} / ${fmtMs(r.issue.p99)}`,
          fmtMs(r.fanoutP50),
          r.cpu ? [r.cpu.node, r.cpu.pg, r.cpu.other].map((x) => (x === null ? '?' : x.toFixed(2))).join(' / ') : '',
          r.isStore ? (r.ack.p99 <= TARGET_P99_MS ? 'yes' : 'NO') : '(baseline)',
        ]),
      ),
    );
    const storeOnly = latRows.filter((r) => r.isStore);
    const worst = storeOnly.reduce((m, r) => Math.max(m, r.ack.p99), -Infinity);
    const complete = storeOnly.every((r) => r.missing === 0 && r.outOfOrder === 0);
    log(
      `Target tail p99 ≤ ${TARGET_P99_MS} ms at ${fmtInt(SUBSCRIBERS)} subscribers (commit→delivery, every event-store row): ${
        worst <= TARGET_P99_MS ? 'MET' : 'NOT MET'
      } (worst p99 ${fmtMs(worst)} ms)${complete ? '; every subscriber got every event once, in order' : '; SOME DELIVERIES MISSING OR OUT OF ORDER'}`,
    );
    log();

    log(`3. Memory of ${fmtInt(memory.watchers)} idle watchers on one EventStore${memory.gc ? ' (after gc)' : ' (run with --expose-gc for settled figures)'}`);
    const m = (k: 'rss' | 'heapUsed') => [
      k === 'rss' ? 'RSS' : 'heap used',
      fmtBytes(memory.before[k]),
      fmtBytes(memory.after[k]),
      fmtBytes(memory.after[k] - memory.before[k]),
      fmtBytes((memory.after[k] - memory.before[k]) / Math.max(1, memory.watchers)),
    ];
    log(table(['', 'before', `after ${fmtInt(memory.watchers)} watchers`, 'delta', 'per watcher'], [m('rss'), m('heapUsed')]));
    log();
    log(`total ${((performance.now() - began) / 1000).toFixed(0)} s · load average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  } catch (err) {
    exitCode = 1;
    process.stderr.write(`benchmark failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  } finally {
    await server.stop();
  }
  process.exit(exitCode);
}

void main();
