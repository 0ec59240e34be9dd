/**
 * npm run bench:controllers — the built-in controllers at scale, on
 * simulated nodes: the all-in-one process (apiserver, controllers,
 * scheduler, BENCH_NODES simulated kubelets) on one Postgres.
 *
 *   1. A Deployment of BENCH_REPLICAS replicas, from create to every pod
 *      Ready (the Deployment's readyReplicas);
 *   2. a rolling update of it (new image) to every pod updated and available.
 *
 * For each: the time, and the API writes it took (events appended to the
 * log, read from the log's head). The baseline from the same run: how long
 * the event store alone takes to append that many events, 32 writers at a
 * time — the floor any control plane on this log stands on.
 */
import '../apps/logbook/src/register-paths';
import 'reflect-metadata';
import { join } from 'path';
import { Client } from 'pg';
import { EventStore } from '../libs/event-store/src';
import { startApiServer } from './api-server';
import { startPostgres } from './pg-server';
import { fmtInt, table } from './stats';
import { createOp } from './workload';

const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 1000);
const NODES = Number(process.env.BENCH_NODES ?? 100);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 600_000);

async function head(db: Client): Promise<number> {
  return Number((await db.query('SELECT seq::text AS seq FROM log_head')).rows[0].seq);
}

async function until<T>(what: string, get: () => Promise<T>, done: (v: T) => boolean, progress?: (v: T) => string): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  let last = 0;
  for (;;) {
    const v = await get();
    if (done(v)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not done in ${TIMEOUT_MS} ms (${progress?.(v) ?? ''})`);
    if (progress && Date.now() - last > 5000) {
      console.log(`  … ${what}: ${progress(v)}`);
      last = Date.now();
    }
    await new Promise((r) => setTimeout(r, 200));
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

async function main(): Promise<void> {
  const pg = await startPostgres();
  const dbUrl = await pg.createDatabase('bench_controllers');
  const server = await startApiServer(dbUrl, 180_000, {
    entry: join(__dirname, '..', 'apps', 'logbook', 'src', 'main.js'),
    env: { LOGBOOK_RUNTIME: 'simulated', LOGBOOK_SIMULATED_NODES: String(NODES) },
  });
  const db = new Client({ connectionString: dbUrl });
  await db.connect();
  const api = server.url;
  try {
    console.log(`Logbook controllers benchmark: a Deployment of ${fmtInt(REPLICAS)} replicas on ${NODES} simulated nodes`);
    console.log(`  node ${process.version}, PostgreSQL ${pg.version} (${pg.embedded ? 'embedded' : 'DATABASE_URL'})`);
    await until('nodes Ready', () => json(`${api}/api/v1/nodes`), (l) => l.items.filter((n: any) => n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')).length === NODES, (l) => `${l.items.length} nodes`);

    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'bench', namespace: 'default' },
      spec: {
        replicas: REPLICAS,
        selector: { matchLabels: { app: 'bench' } },
        strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
        template: { metadata: { labels: { app: 'bench' } }, spec: { containers: [{ name: 'main', image: 'luksa/kubia:v1' }] } },
      },
    };
    const url = `${api}/apis/apps/v1/namespaces/default/deployments/bench`;
    const get = () => json(url);

    let h0 = await head(db);
    let t0 = performance.now();
    await json(`${api}/apis/apps/v1/namespaces/default/deployments`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(deployment) });
    await until('scale-up', get, (d) => d.status?.readyReplicas === REPLICAS, (d) => `ready ${d.status?.readyReplicas ?? 0}/${REPLICAS}`);
    const upSeconds = (performance.now() - t0) / 1000;
    const upWrites = (await head(db)) - h0;

    h0 = await head(db);
    t0 = performance.now();
    const patched = await json(url, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
      body: JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'main', image: 'luksa/kubia:v2' }] } } } }),
    });
    const generation = patched.metadata.generation;
    await until(
      'rolling update',
      get,
      (d) => d.status?.observedGeneration >= generation && d.status?.updatedReplicas === REPLICAS && d.status?.availableReplicas === REPLICAS && d.status?.replicas === REPLICAS,
      (d) => `updated ${d.status?.updatedReplicas ?? 0}, available ${d.status?.availableReplicas ?? 0}, total ${d.status?.replicas ?? 0}`,
    );
    const rollSeconds = (performance.now() - t0) / 1000;
    const rollWrites = (await head(db)) - h0;

    const floorDb = await pg.createDatabase('bench_controllers_floor');
    const floorUp = await appendFloor(floorDb, upWrites, 'up');
    const floorRoll = await appendFloor(floorDb, rollWrites, 'roll');
    const row = (what: string, s: number, writes: number, floor: number) => [what, `${s.toFixed(1)} s`, fmtInt(writes), (writes / REPLICAS).toFixed(1), `${floor.toFixed(1)} s`, `${(s / floor).toFixed(1)}×`];
    console.log(
      table(
        ['phase', 'time', 'API writes', 'writes/pod', 'log floor (same writes, bare store)', 'vs floor'],
        [row(`create → ${fmtInt(REPLICAS)} Ready`, upSeconds, upWrites, floorUp), row('rolling update → all available', rollSeconds, rollWrites, floorRoll)],
      ),
    );
    console.log(`Target: ${fmtInt(REPLICAS)} replicas Ready in under 10 s: ${upSeconds < 10 ? 'MET' : 'NOT MET'} (${upSeconds.toFixed(1)} s)`);
  } finally {
    await db.end();
    await server.stop();
    await pg.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
