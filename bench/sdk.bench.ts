/**
 * npm run bench:sdk — what the operator SDK costs on top of the API.
 *
 * One apiserver process on one Postgres, 10,000 ConfigMaps, and in the same
 * run:
 *   - the API's own rates: a full paged list (limit=500) and a watch from
 *     resourceVersion 0 (10,000 synthetic ADDED events), over raw HTTP;
 *   - the SDK: an informer's cold start (list + watch until synced) for the
 *     10,000 objects, and a no-op reconciler's throughput over 10,000 keys
 *     (from manager start until every key has been reconciled once).
 * Each figure is the median of 3 runs; the ratios are the point.
 */
import '../apps/logbook/src/register-paths';
import 'reflect-metadata';
import { ControllerManager, InformerFactory, KubeClient, Reconciler, Request, kinds } from '@logbook/sdk';
import { startApiServer } from './api-server';
import { startPostgres } from './pg-server';
import { fmtInt, median, table } from './stats';

const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 10_000);
const RUNS = 3;
const NS = 'bench';

async function seed(url: string): Promise<void> {
  const body = (i: number) =>
    JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: NS, labels: { bench: 'sdk' } }, data: { payload: 'x'.repeat(900) } });
  await fetch(`${url}/api/v1/namespaces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }) });
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      for (let i = next++; i < OBJECTS; i = next++) {
        const res = await fetch(`${url}/api/v1/namespaces/${NS}/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body(i) });
        if (res.status !== 201) throw new Error(`seed create ${i}: ${res.status} ${await res.text()}`);
      }
    }),
  );
}

/** Seconds for a full list of the namespace, 500 at a time. */
async function listAll(url: string): Promise<number> {
  const t0 = performance.now();
  let cont = '';
  let n = 0;
  do {
    const res = await fetch(`${url}/api/v1/namespaces/${NS}/configmaps?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
    const list = (await res.json()) as { items: unknown[]; metadata: { continue?: string } };
    n += list.items.length;
    cont = list.metadata.continue ?? '';
  } while (cont);
  if (n !== OBJECTS) throw new Error(`listed ${n} of ${OBJECTS}`);
  return (performance.now() - t0) / 1000;
}

/** Seconds until a watch from resourceVersion 0 has delivered every object. */
async function watchAll(url: string): Promise<number> {
  const t0 = performance.now();
  const ctrl = new AbortController();
  const res = await fetch(`${url}/api/v1/namespaces/${NS}/configmaps?watch=true&resourceVersion=0`, { signal: ctrl.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let seen = 0;
  let buf = '';
  while (seen < OBJECTS) {
    const { value, done } = await reader.read();
    if (done) throw new Error('watch ended early');
    buf += decoder.decode(value, { stream: true });
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      buf = buf.slice(i + 1);
      seen++;
    }
  }
  ctrl.abort();
  return (performance.now() - t0) / 1000;
}

/** Seconds from an informer's start until it has synced every object. */
async function informerColdStart(url: string): Promise<number> {
  const factory = new InformerFactory(new KubeClient({ server: url }));
  const t0 = performance.now();
  const informer = factory.informerFor(kinds.ConfigMap, { namespace: NS });
  informer.start();
  await informer.waitForSync({ timeoutMs: 300_000 });
  const seconds = (performance.now() - t0) / 1000;
  const count = informer.lister.list(NS).length;
  await informer.stop();
  if (count !== OBJECTS) throw new Error(`informer synced ${count} of ${OBJECTS}`);
  return seconds;
}

/** Seconds from a manager's start until a no-op reconciler has seen every key once. */
async function reconcileAll(url: string): Promise<number> {
  const seen = new Set<string>();
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  const noop: Reconciler = {
    async reconcile(req: Request) {
      seen.add(req.name);
      if (seen.size === OBJECTS) resolveAll();
    },
  };
  const manager = new ControllerManager({ server: url });
  manager.add(noop, { for: kinds.ConfigMap, maxConcurrentReconciles: 8, name: 'noop' });
  const t0 = performance.now();
  await manager.start();
  await all;
  const seconds = (performance.now() - t0) / 1000;
  await manager.stop();
  return seconds;
}

async function main(): Promise<void> {
  const pg = await startPostgres();
  const api = await startApiServer(await pg.createDatabase('bench_sdk'));
  try {
    console.log(`Logbook SDK benchmark: ${fmtInt(OBJECTS)} ConfigMaps of ~1 KB, ${RUNS} runs each (median)`);
    console.log(`  node ${process.version}, PostgreSQL ${pg.version} (${pg.embedded ? 'embedded' : 'DATABASE_URL'})`);
    const t0 = performance.now();
    await seed(api.url);
    console.log(`  seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const runs = { list: [] as number[], watch: [] as number[], informer: [] as number[], reconcile: [] as number[] };
    for (let r = 0; r < RUNS; r++) {
      runs.list.push(await listAll(api.url));
      runs.watch.push(await watchAll(api.url));
      runs.informer.push(await informerColdStart(api.url));
      runs.reconcile.push(await reconcileAll(api.url));
      console.log(`  … run ${r + 1}/${RUNS}: list ${runs.list[r].toFixed(2)} s, watch ${runs.watch[r].toFixed(2)} s, informer ${runs.informer[r].toFixed(2)} s, reconcile ${runs.reconcile[r].toFixed(2)} s`);
    }
    const row = (what: string, s: number, base?: number) => [what, `${s.toFixed(2)} s`, `${fmtInt(OBJECTS / s)} objects/s`, base ? `${(s / base).toFixed(2)}×` : '(baseline)'];
    const list = median(runs.list);
    console.log(
      table(
        ['what', 'time', 'rate', 'vs API list'],
        [
          row('API: list all, limit=500 pages', list),
          row('API: watch from RV 0 (synthetic ADDED)', median(runs.watch), list),
          row('SDK: informer cold start (list + watch, synced)', median(runs.informer), list),
          row('SDK: no-op reconcile of every key (8 workers)', median(runs.reconcile), list),
        ],
      ),
    );
  } finally {
    await api.stop();
    await pg.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
