/**
 * `npm run bench:api` — the API server over HTTP (creates, gets, lists of
 * 10,000 objects, at 1 and 32 concurrent clients, with p50/p99), printed
 * beside the raw event-store append rate measured in the same run on the
 * same Postgres: their ratio is what the HTTP layer costs. See
 * bench/README.md ("API server over HTTP").
 */
import { randomUUID } from 'crypto';
import { arch, cpus, loadavg, platform } from 'os';
import { EventStore } from '../libs/event-store/src';
import type { AppendOp, KubeObject, Provenance, ResourceType } from '../libs/event-store/src';
import { KeepAliveClient, LoopResult, closedLoops } from './api-http';
import { ApiServerProcess, startApiServer } from './api-server';
import { CpuMeter } from './cpu';
import { PgServer, startPostgres } from './pg-server';
import { fmtBytes, fmtInt, fmtMs, median, percentile, table } from './stats';

// ---------------------------------------------------------------- settings

function envNumber(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(v)}`);
  return n;
}

const SECONDS = envNumber('BENCH_SECONDS', 5);
const WARMUP_SECONDS = envNumber('BENCH_WARMUP_SECONDS', 1);
const REPEATS = Math.round(envNumber('BENCH_REPEATS', 3));
const LIST_OBJECTS = Math.round(envNumber('BENCH_LIST_OBJECTS', 10_000));
const PAGE = Math.round(envNumber('BENCH_PAGE', 500));
const CLIENTS = [1, 32];
/** BENCH_ROWS=create (or create,get): only the rows whose key starts with one of these; the create row at 32 clients always runs (the ratio needs it). */
const ROWS = (process.env.BENCH_ROWS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const APPEND_LOOPS = 32;
const TARGET_RATIO = 0.5;

const PREFIX = `logbook_bench_api_${process.pid}`;
const CREATE_NS = 'bench-create';
const LIST_NS = 'bench-list';
const CM_BYTES = 1024;

const log = (s = '') => process.stdout.write(`${s}\n`);
/** Throughput with enough digits to tell 0.4 lists/s from 1.4. */
const fmtRate = (n: number) => (!Number.isFinite(n) ? 'n/a' : n >= 100 ? fmtInt(n) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const progress = (s: string) => process.stderr.write(`  … ${s}\n`);

// ---------------------------------------------------------------- workload

/** A ConfigMap whose JSON request body is CM_BYTES long (for a name of 16 characters). */
function configMapBody(name: string): string {
  const shape = (pad: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, labels: { app: 'bench', tier: 'config' }, annotations: { 'bench.logbook.dev/purpose': 'api benchmark' } },
    data: { mode: 'benchmark', 'settings.conf': pad },
  });
  const bare = JSON.stringify(shape('')).length - name.length + 16;
  return JSON.stringify(shape('x'.repeat(Math.max(0, CM_BYTES - bare))));
}

const listName = (i: number) => `cm-${String(i).padStart(13, '0')}`; // 16 characters

// ------------------------------------------------------- raw append rate

const CONFIGMAPS: ResourceType = { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap' };

/**
 * 32 concurrent `log.append(create)` loops on a scratch database, with
 * EventStore.open's defaults (as the API server opens it). The objects are
 * copies of one the API server stored (same fields, same size), each with
 * its own name and uid.
 */
async function appendRate(server: PgServer, run: number, stored: KubeObject, api: ApiServerProcess, meter: CpuMeter): Promise<ShapeRun> {
  const db = `${PREFIX}_append_${run}`;
  const url = await server.createDatabase(db);
  await server.checkpoint();
  const store = await EventStore.open({ databaseUrl: url });
  const provenance: Provenance = {
    actor: { user: 'system:admin', groups: ['system:masters', 'system:authenticated'] },
    verb: 'create',
    fieldManager: 'logbook-bench-api',
    userAgent: 'logbook-bench-api/0.1',
  };
  const window = cpuWindow(api, meter);
  try {
    const r = await closedLoops(
      APPEND_LOOPS,
      async (c, i) => {
        const object = structuredClone(stored);
        object.metadata.name = `a${String(c).padStart(2, '0')}-${String(i).padStart(12, '0')}`;
        object.metadata.uid = randomUUID();
        delete object.metadata.resourceVersion;
        const op: AppendOp = { type: 'create', resourceType: CONFIGMAPS, object, provenance: { ...provenance, requestId: randomUUID() } };
        await store.log.append(op);
      },
      { warmupSeconds: WARMUP_SECONDS, seconds: SECONDS, onWindow: window.onWindow },
    );
    return { ...r, cpu: window.cpu(), resets: 0 };
  } finally {
    await store.close();
    await server.dropDatabase(db);
  }
}

// ------------------------------------------------------------ HTTP shapes

interface ShapeRun extends LoopResult {
  /** Connection resets on reused keep-alive sockets (GETs sent again). */
  resets: number;
  /** CPU in cores during the window: the API server, Postgres, this process, everything else on the machine. */
  cpu: { apiserver: number; pg: number | null; bench: number; other: number | null };
}

interface Shape {
  key: string;
  label: string;
  unit: string;
  clients: number;
  /** Long operations: warm up until each client did one, and measure at least one per client. */
  long?: boolean;
  op: (http: KeepAliveClient, run: number) => (client: number, i: number) => Promise<void>;
}

function parse(body: Buffer): any {
  return JSON.parse(body.toString('utf8'));
}

const ALL_SHAPES: Shape[] = [
  ...CLIENTS.map(
    (clients): Shape => ({
      key: `create/${clients}`,
      label: 'create (POST)',
      unit: 'creates/s',
      clients,
      op: (http, run) => async (c, i) => {
        const name = `r${run}-c${String(clients).padStart(2, '0')}-${String(c).padStart(2, '0')}-${String(i).padStart(5, '0')}`;
        const r = await http.request('POST', `/api/v1/namespaces/${CREATE_NS}/configmaps`, configMapBody(name));
        if (r.status !== 201) throw new Error(`create ${name}: ${r.status} ${r.body.toString('utf8').slice(0, 300)}`);
      },
    }),
  ),
  ...CLIENTS.map(
    (clients): Shape => ({
      key: `get/${clients}`,
      label: 'get (GET by name)',
      unit: 'gets/s',
      clients,
      op: (http) => async () => {
        const name = listName(Math.floor(Math.random() * LIST_OBJECTS));
        const r = await http.request('GET', `/api/v1/namespaces/${LIST_NS}/configmaps/${name}`);
        if (r.status !== 200) throw new Error(`get ${name}: ${r.status} ${r.body.toString('utf8').slice(0, 300)}`);
      },
    }),
  ),
  ...CLIENTS.map(
    (clients): Shape => ({
      key: `list/${clients}`,
      label: `list ${fmtInt(LIST_OBJECTS)}, one request`,
      unit: 'lists/s',
      clients,
      long: true,
      op: (http) => async () => {
        const r = await http.request('GET', `/api/v1/namespaces/${LIST_NS}/configmaps`);
        if (r.status !== 200) throw new Error(`list: ${r.status} ${r.body.toString('utf8').slice(0, 300)}`);
        const n = (parse(r.body).items as unknown[]).length;
        if (n !== LIST_OBJECTS) throw new Error(`list returned ${n} items, expected ${LIST_OBJECTS}`);
      },
    }),
  ),
  ...CLIENTS.map(
    (clients): Shape => ({
      key: `paged/${clients}`,
      label: `list ${fmtInt(LIST_OBJECTS)}, limit=${PAGE} pages`,
      unit: 'lists/s',
      clients,
      long: true,
      op: (http) => async () => {
        let token: string | undefined;
        let n = 0;
        let rv: string | undefined;
        do {
          const q = `limit=${PAGE}${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
          const r = await http.request('GET', `/api/v1/namespaces/${LIST_NS}/configmaps?${q}`);
          if (r.status !== 200) throw new Error(`list page: ${r.status} ${r.body.toString('utf8').slice(0, 300)}`);
          const page = parse(r.body);
          n += (page.items as unknown[]).length;
          rv ??= page.metadata.resourceVersion;
          if (page.metadata.resourceVersion !== rv) throw new Error(`a paginated list mixed resourceVersions ${rv} and ${page.metadata.resourceVersion}`);
          token = page.metadata.continue || undefined;
        } while (token);
        if (n !== LIST_OBJECTS) throw new Error(`paginated list returned ${n} items, expected ${LIST_OBJECTS}`);
      },
    }),
  ),
];

const SHAPES = ALL_SHAPES.filter((s) => ROWS.length === 0 || s.key === 'create/32' || ROWS.some((r) => s.key.startsWith(r)));

/** CPU used by each party while a measured window is open. */
function cpuWindow(api: ApiServerProcess, meter: CpuMeter): { onWindow: (phase: 'open' | 'close') => void; cpu: () => ShapeRun['cpu'] } {
  let cpu: ShapeRun['cpu'] = { apiserver: NaN, pg: null, bench: NaN, other: null };
  let s0: ReturnType<CpuMeter['snapshot']> | undefined;
  let api0 = 0;
  let w0 = 0;
  return {
    onWindow: (phase) => {
      if (phase === 'open') {
        s0 = meter.snapshot();
        api0 = api.cpuSeconds();
        w0 = performance.now();
      } else {
        const split = meter.since(s0!);
        const wall = (performance.now() - w0) / 1000;
        const apiserver = (api.cpuSeconds() - api0) / wall;
        // CpuMeter counts the API server (a child process) as "other".
        cpu = { apiserver, pg: split.pg, bench: split.node, other: split.other === null ? null : Math.max(0, split.other - apiserver) };
      }
    },
    cpu: () => cpu,
  };
}

async function runShape(shape: Shape, api: ApiServerProcess, meter: CpuMeter, run: number): Promise<ShapeRun> {
  // Fresh sockets for every row: a socket left idle by the previous row may
  // be closed by the server (keep-alive timeout, 5 s) just as it is reused.
  const http = new KeepAliveClient(api.url, shape.clients);
  const window = cpuWindow(api, meter);
  try {
    const r = await closedLoops(shape.clients, shape.op(http, run), {
      warmupSeconds: WARMUP_SECONDS,
      seconds: SECONDS,
      warmupOpsPerClient: shape.long ? 1 : 0,
      minOps: shape.long ? shape.clients : 0,
      onWindow: window.onWindow,
    });
    return { ...r, cpu: window.cpu(), resets: http.resets };
  } finally {
    http.close();
  }
}

/** LIST_OBJECTS ConfigMaps in LIST_NS, through the API (32 clients; not measured). */
async function fillListNamespace(base: string): Promise<number> {
  const http = new KeepAliveClient(base, 32);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      for (let i = next++; i < LIST_OBJECTS; i = next++) {
        const r = await http.request('POST', `/api/v1/namespaces/${LIST_NS}/configmaps`, configMapBody(listName(i)));
        if (r.status !== 201) throw new Error(`fill ${listName(i)}: ${r.status} ${r.body.toString('utf8').slice(0, 300)}`);
      }
    }),
  ).finally(() => http.close());
  return LIST_OBJECTS / ((performance.now() - t0) / 1000);
}

interface RunFigures {
  append: ShapeRun;
  shapes: Map<string, ShapeRun>;
  fillPerSec: number;
  storedBytes: number;
  listBytes: number;
  pageBytes: number;
}

async function oneRun(server: PgServer, run: number): Promise<RunFigures> {
  const db = `${PREFIX}_api_${run}`;
  const url = await server.createDatabase(db);
  await server.checkpoint();
  const api = await startApiServer(url);
  const meter = new CpuMeter(server.postmasterPid);
  // Each phase opens its own sockets (see runShape).
  const http = new KeepAliveClient(api.url, 1);
  try {
    for (const ns of [CREATE_NS, LIST_NS]) await http.json('POST', '/api/v1/namespaces', 201, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    // One object as the API server stores it: the template for the raw appends.
    const stored = (await http.json('POST', `/api/v1/namespaces/${CREATE_NS}/configmaps`, 201, JSON.parse(configMapBody('template-00000000')))) as KubeObject;
    const storedBytes = Buffer.byteLength(JSON.stringify(stored));
    http.close();

    // The event store alone, now, on the same Postgres (the API server is idle).
    const append = await appendRate(server, run, stored, api, meter);
    progress(`run ${run}: event store ${fmtInt(append.perSec)} appends/s (${APPEND_LOOPS} loops)`);

    // The objects to get and list. Creating them first also warms the
    // freshly started API server up (V8 compiles its hot paths after some
    // thousands of requests): the create rows are measured afterwards.
    const fillPerSec = await fillListNamespace(api.url);
    progress(`run ${run}: ${fmtInt(LIST_OBJECTS)} objects in ${LIST_NS} (${fmtInt(fillPerSec)} creates/s with 32 clients)`);

    const shapes = new Map<string, ShapeRun>();
    for (const shape of SHAPES) {
      const r = await runShape(shape, api, meter, run);
      shapes.set(shape.key, r);
      progress(
        `run ${run}: ${shape.label} × ${shape.clients}: ${fmtRate(r.perSec)} ${shape.unit}, p50 ${fmtMs(percentile(r.latencies, 50))} ms, p99 ${fmtMs(percentile(r.latencies, 99))} ms`,
      );
    }
    const sizes = new KeepAliveClient(api.url, 1);
    const full = await sizes.request('GET', `/api/v1/namespaces/${LIST_NS}/configmaps`);
    const page = await sizes.request('GET', `/api/v1/namespaces/${LIST_NS}/configmaps?limit=${PAGE}`);
    sizes.close();
    return { append, shapes, fillPerSec, storedBytes, listBytes: full.body.length, pageBytes: page.body.length };
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- API server (${api.state()}), output (tail) ---\n${api.output().slice(-4000)}`);
  } finally {
    http.close();
    await api.stop();
    await server.dropDatabase(db);
  }
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const began = performance.now();
  const loadAtStart = loadavg();
  progress(process.env.DATABASE_URL ? 'using the Postgres named by DATABASE_URL' : 'starting embedded Postgres');
  const server = await startPostgres();
  let exitCode = 0;
  try {
    const runs: RunFigures[] = [];
    for (let run = 1; run <= REPEATS; run++) runs.push(await oneRun(server, run));

    const cpuList = cpus();
    const s = server.settings;
    const first = runs[0];
    log('Logbook API server benchmark (npm run bench:api)');
    const la = (l: number[]) => l.map((x) => x.toFixed(1)).join(' ');
    log(
      `  node ${process.version} · ${platform()}/${arch()} · ${cpuList.length} CPUs (${cpuList[0]?.model.trim() ?? 'unknown'}) · load average ${la(loadAtStart)} at start, ${la(loadavg())} at end`,
    );
    log(`  ${server.version.split(',')[0]} · ${server.embedded ? 'embedded, started for this run' : 'server from DATABASE_URL'}`);
    log(`  fsync=${s.fsync} synchronous_commit=${s.synchronous_commit} shared_buffers=${s.shared_buffers}`);
    log(
      `  one compiled apiserver process (dist/apps/apiserver/src/main.js) per run on a fresh database; HTTP/1.1 keep-alive, one socket per client`,
    );
    log(
      `  ConfigMaps: ${fmtInt(Buffer.byteLength(configMapBody(listName(0))))} B request body, ${fmtInt(first.storedBytes)} B as stored; ` +
        `a full list of ${fmtInt(LIST_OBJECTS)} is ${fmtBytes(first.listBytes)}, a page of ${PAGE} ${fmtBytes(first.pageBytes)}`,
    );
    log(`  median of ${REPEATS} runs; each row ${SECONDS} s measured after ${WARMUP_SECONDS} s warm-up; latency = one request, or one whole list for list rows`);
    log();

    const rows: string[][] = [];
    const med = (key: string, f: (r: ShapeRun) => number) => median(runs.map((r) => f(r.shapes.get(key)!)));
    for (const shape of SHAPES) {
      const cores = (f: (r: ShapeRun) => number | null) => {
        const v = med(shape.key, (r) => f(r) ?? NaN);
        return Number.isFinite(v) ? v.toFixed(2) : '?';
      };
      rows.push([
        shape.label,
        String(shape.clients),
        `${fmtRate(med(shape.key, (r) => r.perSec))} ${shape.unit}`,
        fmtMs(med(shape.key, (r) => percentile(r.latencies, 50))),
        fmtMs(med(shape.key, (r) => percentile(r.latencies, 99))),
        fmtInt(med(shape.key, (r) => r.completed)),
        runs.map((r) => String(r.shapes.get(shape.key)!.resets)).join(' / '),
        `${cores((r) => r.cpu.apiserver)} / ${cores((r) => r.cpu.pg)} / ${cores((r) => r.cpu.bench)} / ${cores((r) => r.cpu.other)}`,
      ]);
    }
    const appendRate = median(runs.map((r) => r.append.perSec));
    rows.push([
      `event store log.append (same run)`,
      String(APPEND_LOOPS),
      `${fmtInt(appendRate)} appends/s`,
      fmtMs(median(runs.map((r) => percentile(r.append.latencies, 50)))),
      fmtMs(median(runs.map((r) => percentile(r.append.latencies, 99)))),
      fmtInt(median(runs.map((r) => r.append.completed))),
      '-',
      (() => {
        const c = (f: (r: ShapeRun) => number | null) => {
          const v = median(runs.map((r) => f(r.append) ?? NaN));
          return Number.isFinite(v) ? v.toFixed(2) : '?';
        };
        return `${c((r) => r.cpu.apiserver)} / ${c((r) => r.cpu.pg)} / ${c((r) => r.cpu.bench)} / ${c((r) => r.cpu.other)}`;
      })(),
    ]);
    log(table(['operation', 'clients', 'throughput', 'p50 ms', 'p99 ms', 'ops measured', 'resets (each run)', `CPU cores (of ${cpuList.length}): apiserver / pg / bench / other`], rows));
    log();

    const creates32 = med('create/32', (r) => r.perSec);
    const ratio = creates32 / appendRate;
    log(`creates/s at 32 clients ÷ event-store appends/s at ${APPEND_LOOPS} loops = ${fmtInt(creates32)} ÷ ${fmtInt(appendRate)} = ${ratio.toFixed(2)}`);
    log(`Target ≥ ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? 'MET' : 'NOT MET'}`);
    // CPU per operation (ms): the cores a party used in the window ÷ operations per second.
    const msPer = (r: ShapeRun, cores: number | null) => (cores === null ? NaN : (cores * 1000) / r.perSec);
    const fmtCpu = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '?');
    const apiPerCreate = med('create/32', (r) => msPer(r, r.cpu.apiserver));
    const pgPerCreate = med('create/32', (r) => msPer(r, r.cpu.pg));
    const benchPerAppend = median(runs.map((r) => msPer(r.append, r.append.cpu.bench)));
    const pgPerAppend = median(runs.map((r) => msPer(r.append, r.append.cpu.pg)));
    log(
      `CPU per create at 32 clients: API server ${fmtCpu(apiPerCreate)} ms, Postgres ${fmtCpu(pgPerCreate)} ms; ` +
        `per event-store append: the appending process ${fmtCpu(benchPerAppend)} ms, Postgres ${fmtCpu(pgPerAppend)} ms`,
    );
    const resets = runs.reduce((n, r) => n + [...r.shapes.values()].reduce((m, x) => m + x.resets, 0), 0);
    if (resets > 0) {
      log(
        `${resets} GET(s) met a connection reset on a reused keep-alive socket and were sent again (counted in their latency): ` +
          'the API server had not read the request when its 5 s keep-alive timer closed the socket: its event loop went that long without reading sockets.',
      );
    }
    log();
    log('every run (creates/s at 32 clients, event-store appends/s, ratio):');
    runs.forEach((r, i) => {
      const c = r.shapes.get('create/32')!.perSec;
      log(`  run ${i + 1}: ${fmtInt(c)} / ${fmtInt(r.append.perSec)} = ${(c / r.append.perSec).toFixed(2)}; filling ${fmtInt(LIST_OBJECTS)} objects ran at ${fmtInt(r.fillPerSec)} creates/s`);
    });
    log();
    log(`total ${((performance.now() - began) / 1000).toFixed(0)} s`);
  } catch (err) {
    exitCode = 1;
    process.stderr.write(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  } finally {
    await server.stop();
  }
  process.exit(exitCode);
}

void main();
