/**
 * npm run bench:controllers — the built-in controllers at scale, on
 * simulated nodes: the all-in-one control plane (API server, controllers,
 * scheduler, BENCH_NODES simulated kubelets) on one Postgres, in this
 * process (see controllers-cluster.ts).
 *
 *   1. A Deployment of BENCH_REPLICAS replicas, from create to every pod
 *      Ready (the Deployment's readyReplicas);
 *   2. a rolling update of it (new image) to every pod updated and available;
 *   3. with BENCH_LARGE_REPLICAS (e.g. 10000), the first Deployment is
 *      deleted and one of that many replicas goes from create to Ready.
 *
 * For each: the time, the API writes it took by resource, verb and writer
 * (read back from the event log), the 409 Conflicts the clients got, and
 * when the pods were created, bound, Running and Ready. The baseline from
 * the same run: how long the bare event store takes to append that many
 * events, 32 writers at a time — the floor any control plane on this log
 * stands on.
 */
import '../apps/logbook/src/register-paths';
import 'reflect-metadata';
import { loadavg } from 'os';
import { Client } from 'pg';
import { EventStore } from '../libs/event-store/src';
import { requestCounts, requestCountsSince, RequestCount } from '../libs/sdk/src';
import { startCluster } from './controllers-cluster';
import { isBackground, logHead, podStages, PodStages, WriteGroup, writesBetween } from './controllers-log';
import { CpuMeter, describeSplit } from './cpu';
import { startPostgres } from './pg-server';
import { fmtInt, table } from './stats';
import { createOp } from './workload';

const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 1000);
const NODES = Number(process.env.BENCH_NODES ?? 100);
const LARGE = Number(process.env.BENCH_LARGE_REPLICAS ?? 0);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 600_000);
/** From a pod bound to its containers running, on the simulated nodes (KWOK's default is at once). */
const START_DELAY_MS = process.env.BENCH_START_DELAY_MS ?? '0';
/** Whether the simulated kubelets record Pulled/Created/Started events (KWOK's nodes do not). */
const KUBELET_EVENTS = process.env.BENCH_KUBELET_EVENTS === 'true';
const NAMESPACE = 'default';

async function until<T>(what: string, get: () => Promise<T>, done: (v: T) => boolean, progress?: (v: T) => string): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  let last = Date.now();
  for (;;) {
    const v = await get();
    if (done(v)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not done in ${TIMEOUT_MS} ms (${progress?.(v) ?? ''})`);
    if (progress && Date.now() - last > 5000) {
      console.error(`  … ${what}: ${progress(v)}`);
      last = Date.now();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function json(url: string, init?: RequestInit): Promise<any> {
  const res = await fetch(url, init);
  const body = await res.json();
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Seconds the bare event store takes to append `n` events with 32 concurrent writers. */
async function appendFloor(databaseUrl: string, n: number, prefix: string): Promise<number> {
  const store = await EventStore.open({ databaseUrl });
  try {
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        for (let i = next++; i < n; i = next++) await store.log.append(createOp(`${prefix}-${i}`));
      }),
    );
    return (performance.now() - t0) / 1000;
  } finally {
    await store.close();
  }
}

const deployment = (name: string, replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: NAMESPACE },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'luksa/kubia:v1' }] } },
  },
});

interface Phase {
  what: string;
  pods: number;
  seconds: number;
  writes: WriteGroup[];
  requests: RequestCount[];
  stages: PodStages;
  cpu: string;
  load: string;
  /** Seconds after the phase was done until its writes stopped (trailing events). */
  settled: number;
}

/** Waits until nothing but Lease renewals has been written for a second (at most a minute); returns how long that took. */
async function settle(db: Client, from: number): Promise<number> {
  const t0 = performance.now();
  let last = -1;
  let quietSince = performance.now();
  while (performance.now() - t0 < 60_000) {
    const { rows } = await db.query(`SELECT coalesce(max(seq), 0)::text AS seq FROM events WHERE seq > $1 AND resource <> 'leases'`, [from]);
    const seq = Number(rows[0].seq);
    if (seq !== last) {
      last = seq;
      quietSince = performance.now();
    } else if (performance.now() - quietSince >= 1000) {
      return (quietSince - t0) / 1000;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return (performance.now() - t0) / 1000;
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const sum = (gs: WriteGroup[]) => gs.reduce((n, g) => n + g.count, 0);
const conflicts = (rs: RequestCount[]) => rs.filter((r) => r.code === '409').reduce((n, r) => n + r.count, 0);
const s1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');

function report(p: Phase): void {
  const workload = p.writes.filter((g) => !isBackground(g));
  console.log(`\n${p.what}: ${s1(p.seconds)} s, ${fmtInt(sum(workload))} API writes (${(sum(workload) / p.pods).toFixed(2)} per pod), ${conflicts(p.requests)} conflicts (409)`);
  console.log(`  load average ${p.load}; ${p.cpu}; writes went on for ${s1(p.settled)} s after that (events)`);
  console.log(
    table(
      ['writes', 'verb', 'writer (field manager)', 'count', 'per pod'],
      p.writes.map((g) => [g.resource, g.verb, g.manager, fmtInt(g.count), (g.count / p.pods).toFixed(2)]),
    ),
  );
  const st = p.stages;
  const row = (name: string, t: PodStages['created']) => [name, fmtInt(t.count), s1(t.first), s1(t.median), s1(t.last)];
  console.log(
    table(
      ['pods', 'count', 'first (s)', 'median (s)', 'last (s)'],
      [row('created', st.created), row('bound', st.bound), row('Running', st.running), row('Ready', st.ready), ...(st.deleted.count ? [row('deleted', st.deleted)] : [])],
    ),
  );
  const lat = st.startLatency;
  if (lat.count) {
    const ms = (x: number) => fmtInt(Math.round(x * 1000));
    console.log(`  pod start latency (create → Ready, ${fmtInt(lat.count)} pods): p50 ${ms(lat.p50)} ms, p99 ${ms(lat.p99)} ms, max ${ms(lat.max)} ms`);
  }
  const failed = p.requests.filter((r) => !/^2/.test(r.code));
  if (failed.length) {
    console.log(table(['requests not 2xx', 'code', 'writer (field manager)', 'count'], failed.map((r) => [r.method, r.code, r.fieldManager, fmtInt(r.count)])));
  }
}

async function main(): Promise<void> {
  const pg = await startPostgres();
  const dbUrl = await pg.createDatabase('bench_controllers');
  const cluster = await startCluster(dbUrl, {
    LOGBOOK_SIMULATED_NODES: String(NODES),
    LOGBOOK_SIMULATED_START_DELAY_MS: START_DELAY_MS,
    LOGBOOK_KUBELET_EVENTS: String(KUBELET_EVENTS),
  });
  const db = new Client({ connectionString: dbUrl });
  await db.connect();
  const cpu = new CpuMeter(pg.postmasterPid);
  const api = cluster.url;
  const phases: Phase[] = [];

  /** Runs one phase: `act` starts it, `done` says when the Deployment `name` got there. */
  const phase = async (what: string, name: string, pods: number, act: () => Promise<unknown>, done: (d: any) => boolean, progress: (d: any) => string) => {
    const h0 = await logHead(db);
    const r0 = requestCounts.snapshot();
    const c0 = cpu.snapshot();
    const t0 = performance.now();
    await act();
    await until(what, () => json(`${api}/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${name}`), done, progress);
    const seconds = (performance.now() - t0) / 1000;
    const used = cpu.since(c0);
    const perPod = (cores: number | null) => (cores === null ? '?' : ((cores * seconds * 1000) / pods).toFixed(1));
    const split = `${describeSplit(used)}, i.e. ${perPod(used.node)} ms of this process + ${perPod(used.pg)} ms of Postgres per pod`;
    // Events are written off the hot path and may trail: count the phase's writes once they stop.
    const settled = await settle(db, h0);
    const h1 = await logHead(db);
    const p: Phase = {
      what,
      pods,
      seconds,
      writes: await writesBetween(db, h0, h1),
      requests: requestCountsSince(r0, requestCounts.snapshot()),
      stages: await podStages(db, NAMESPACE, h0, h1),
      cpu: split,
      load: load(),
      settled,
    };
    report(p);
    phases.push(p);
    return p;
  };

  try {
    console.log(`Logbook controllers benchmark: a Deployment of ${fmtInt(REPLICAS)} replicas on ${NODES} simulated nodes`);
    console.log(`  node ${process.version}, PostgreSQL ${pg.version.split(' on ')[0]} (${pg.embedded ? 'embedded' : 'DATABASE_URL'}), load average ${load()}`);
    console.log(
      `  simulated nodes as KWOK's: containers start ${START_DELAY_MS} ms after their pod is bound (BENCH_START_DELAY_MS), kubelet container events ${KUBELET_EVENTS ? 'on' : 'off'} (BENCH_KUBELET_EVENTS)`,
    );
    await until(
      'nodes Ready',
      () => json(`${api}/api/v1/nodes`),
      (l) => l.items.filter((n: any) => n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')).length === NODES,
      (l) => `${l.items.length} nodes`,
    );

    const post = (body: unknown) =>
      json(`${api}/apis/apps/v1/namespaces/${NAMESPACE}/deployments`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const url = `${api}/apis/apps/v1/namespaces/${NAMESPACE}/deployments/bench`;

    const up = await phase(
      `create → ${fmtInt(REPLICAS)} Ready`,
      'bench',
      REPLICAS,
      () => post(deployment('bench', REPLICAS)),
      (d) => d.status?.readyReplicas === REPLICAS,
      (d) => `ready ${d.status?.readyReplicas ?? 0}/${REPLICAS}`,
    );

    let generation = 0;
    if (process.env.BENCH_ROLLOUT !== 'false') await phase(
      'rolling update → all updated and available',
      'bench',
      REPLICAS,
      async () => {
        const patched = await json(url, {
          method: 'PATCH',
          headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
          body: JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'main', image: 'luksa/kubia:v2' }] } } } }),
        });
        generation = patched.metadata.generation;
      },
      (d) => d.status?.observedGeneration >= generation && d.status?.updatedReplicas === REPLICAS && d.status?.availableReplicas === REPLICAS && d.status?.replicas === REPLICAS,
      (d) => `updated ${d.status?.updatedReplicas ?? 0}, available ${d.status?.availableReplicas ?? 0}, total ${d.status?.replicas ?? 0}`,
    );

    if (LARGE > 0) {
      await json(url, { method: 'DELETE', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ propagationPolicy: 'Foreground' }) });
      await until(
        'deleting the first Deployment',
        () => json(`${api}/api/v1/namespaces/${NAMESPACE}/pods?labelSelector=app%3Dbench`),
        (l) => l.items.length === 0,
        (l) => `${l.items.length} pods left`,
      );
      await phase(
        `create → ${fmtInt(LARGE)} Ready`,
        'bench-large',
        LARGE,
        () => post(deployment('bench-large', LARGE)),
        (d) => d.status?.readyReplicas === LARGE,
        (d) => `ready ${d.status?.readyReplicas ?? 0}/${LARGE}`,
      );
    }

    const floorDb = await pg.createDatabase('bench_controllers_floor');
    const rows: string[][] = [];
    for (const [i, p] of phases.entries()) {
      const writes = sum(p.writes);
      const floor = await appendFloor(floorDb, writes, `p${i}`);
      const workload = sum(p.writes.filter((g) => !isBackground(g)));
      rows.push([p.what, `${s1(p.seconds)} s`, fmtInt(workload), (workload / p.pods).toFixed(2), String(conflicts(p.requests)), `${s1(floor)} s`, `${(p.seconds / floor).toFixed(1)}×`]);
    }
    console.log('\nSummary (writes without Lease renewals; the floor appends all writes of the phase, leases included)');
    console.log(table(['phase', 'time', 'API writes', 'writes/pod', '409s', 'log floor (same writes, bare store)', 'vs floor'], rows));
    console.log(`Target: ${fmtInt(REPLICAS)} replicas Ready in under 10 s: ${up.seconds < 10 ? 'MET' : 'NOT MET'} (${s1(up.seconds)} s, load average ${up.load})`);
  } finally {
    await db.end();
    await cluster.stop();
    await pg.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
