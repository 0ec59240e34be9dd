/**
 * npm run bench:node — pod start latency on a node: from the API accepting a
 * pod (its POST answered) to a watcher seeing the pod Ready, for BENCH_PODS
 * pods created at once (10 at a time), on one node of the all-in-one process.
 *
 * Runs twice on one Postgres, in the same run: the `process` runtime (each
 * pod a real process — busybox `sleep`; as root in its own network
 * namespace with a veth and an IP) and, as the baseline, the `simulated`
 * runtime (no processes; its start delay set to 0), so the difference is
 * what starting real pods costs beyond the control plane's own path
 * (scheduler, kubelet status writes, watch).
 */
import '../apps/logbook/src/register-paths';
import 'reflect-metadata';
import { join } from 'path';
import { startApiServer } from './api-server';
import { startPostgres } from './pg-server';
import { fmtMs, percentile, table } from './stats';

const PODS = Number(process.env.BENCH_PODS ?? 100);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 300_000);

interface Result {
  latencies: number[];
  totalMs: number;
}

/** Creates the pods and times each from its POST's answer to the watch event that shows it Ready. */
async function measure(api: string, node: string): Promise<Result> {
  const created = new Map<string, number>();
  const ready = new Map<string, number>();
  const abort = new AbortController();
  const watch = await fetch(`${api}/api/v1/namespaces/default/pods?watch=1&labelSelector=bench%3Dnode`, { signal: abort.signal });
  const reading = (async () => {
    const reader = watch.body!.getReader();
    let buf = '';
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      buf += Buffer.from(value!).toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.trim()) continue;
        const ev = JSON.parse(line);
        const pod = ev.object;
        const name = pod?.metadata?.name;
        if (name && !ready.has(name) && pod.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True')) ready.set(name, performance.now());
      }
    }
  })();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      for (let i = next++; i < PODS; i = next++) {
        const name = `bench-${i}`;
        const pod = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, labels: { bench: 'node' } },
          spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] },
        };
        const res = await fetch(`${api}/api/v1/namespaces/default/pods`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(pod) });
        if (!res.ok) throw new Error(`creating ${name}: ${res.status} ${await res.text()}`);
        created.set(name, performance.now());
      }
    }),
  );
  const deadline = Date.now() + TIMEOUT_MS;
  while (ready.size < PODS) {
    if (Date.now() > deadline) throw new Error(`${node}: only ${ready.size}/${PODS} pods Ready in ${TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const totalMs = Math.max(...ready.values()) - t0;
  abort.abort();
  await reading;
  const latencies = [...created].map(([name, at]) => ready.get(name)! - at).sort((a, b) => a - b);
  return { latencies, totalMs };
}

async function run(pgUrl: string, env: NodeJS.ProcessEnv, node: string): Promise<Result> {
  const server = await startApiServer(pgUrl, 180_000, { entry: join(__dirname, '..', 'apps', 'logbook', 'src', 'main.js'), env: { LOGBOOK_NODE_PODS: String(PODS + 10), LOGBOOK_KUBELET_EVENTS: 'false', ...env } });
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const nodes = (await (await fetch(`${server.url}/api/v1/nodes`)).json()) as { items?: any[] };
      if (nodes.items?.some((n: any) => n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'))) break;
      if (Date.now() > deadline) throw new Error(`no Ready node:\n${server.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const result = await measure(server.url, node);
    // Delete the pods (their processes stopped by the kubelet) before stopping the node.
    await fetch(`${server.url}/api/v1/namespaces/default/pods?labelSelector=bench%3Dnode`, { method: 'DELETE' });
    const gone = Date.now() + 120_000;
    while (Date.now() < gone && ((await (await fetch(`${server.url}/api/v1/namespaces/default/pods`)).json()) as { items: unknown[] }).items.length) await new Promise((r) => setTimeout(r, 500));
    return result;
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const pg = await startPostgres();
  try {
    console.log(`Logbook node benchmark: ${PODS} pods created at once (10 concurrent POSTs) on one node, POST answered → Ready seen by a watch`);
    console.log(`  node ${process.version}, PostgreSQL ${pg.version} (${pg.embedded ? 'embedded' : 'DATABASE_URL'}), running as ${process.getuid?.() === 0 ? 'root (pod network namespaces)' : 'non-root (host network)'}`);
    const cidr = `10.${200 + Math.floor(Math.random() * 50)}.${1 + Math.floor(Math.random() * 250)}.0/24`;
    const processRun = await run(await pg.createDatabase('bench_node_process'), { LOGBOOK_NODES: JSON.stringify([{ name: 'bench-node', podCIDR: cidr }]) }, 'process');
    const simulatedRun = await run(await pg.createDatabase('bench_node_simulated'), { LOGBOOK_RUNTIME: 'simulated', LOGBOOK_SIMULATED_NODES: '1', LOGBOOK_SIMULATED_START_DELAY_MS: '0' }, 'simulated');
    const row = (what: string, r: Result) => [what, fmtMs(percentile(r.latencies, 50)), fmtMs(percentile(r.latencies, 99)), fmtMs(r.latencies[r.latencies.length - 1]), fmtMs(r.totalMs)];
    console.log(table(['runtime', 'p50', 'p99', 'max', `all ${PODS} Ready`], [row('process (real processes)', processRun), row('simulated (baseline: control plane only)', simulatedRun)]));
  } finally {
    await pg.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
