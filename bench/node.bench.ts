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
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { loadavg, tmpdir } from 'os';
import { join } from 'path';
import { startApiServer } from './api-server';
import { startPostgres } from './pg-server';
import { fmtMs, percentile, table } from './stats';

const PODS = Number(process.env.BENCH_PODS ?? 100);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 300_000);

interface Result {
  latencies: number[];
  totalMs: number;
  /** CPU seconds (user + system) the all-in-one used from the first POST until all were Ready. */
  cpuSeconds: number;
  /** Per pod: epoch ms of its POST's answer and of the watch showing it Ready. */
  created: Map<string, number>;
  ready: Map<string, number>;
}

/** Creates the pods and times each from its POST's answer to the watch event that shows it Ready. */
async function measure(api: string, node: string, cpu: () => number): Promise<Result> {
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
        if (name && !ready.has(name) && pod.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True')) ready.set(name, Date.now());
      }
    }
  })();
  const t0 = Date.now();
  const cpu0 = cpu();
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
        created.set(name, Date.now());
      }
    }),
  );
  const deadline = Date.now() + TIMEOUT_MS;
  while (ready.size < PODS) {
    if (Date.now() > deadline) throw new Error(`${node}: only ${ready.size}/${PODS} pods Ready in ${TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const totalMs = Math.max(...ready.values()) - t0;
  const cpuSeconds = cpu() - cpu0;
  abort.abort();
  await reading;
  const latencies = [...created].map(([name, at]) => ready.get(name)! - at).sort((a, b) => a - b);
  return { latencies, totalMs, cpuSeconds, created, ready };
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
    const result = await measure(server.url, node, () => server.cpuSeconds());
    // Delete the pods (their processes stopped by the kubelet) before stopping the node.
    await fetch(`${server.url}/api/v1/namespaces/default/pods?labelSelector=bench%3Dnode`, { method: 'DELETE' });
    const gone = Date.now() + 120_000;
    while (Date.now() < gone && ((await (await fetch(`${server.url}/api/v1/namespaces/default/pods`)).json()) as { items: unknown[] }).items.length) await new Promise((r) => setTimeout(r, 500));
    return result;
  } finally {
    await server.stop();
  }
}

/**
 * Where the process pods' time went (ms, p50 and p99 over the pods): POST
 * answered → the runtime sees the pod (scheduler, watch, kubelet queue),
 * the runtime's stages (the sandbox: network namespace and veth; volumes;
 * the container's env; spawning it), then spawned → Ready seen (the
 * kubelet's status write and the watch).
 */
function stages(r: Result, lines: string[] | string): string {
  const rows = (typeof lines === 'string' ? lines.split('\n') : lines).filter(Boolean).map((l) => JSON.parse(l) as Record<string, number> & { pod: string });
  const spans: Record<string, number[]> = { 'POST → runtime sees it': [], sandbox: [], volumes: [], env: [], spawn: [], 'spawned → Ready seen': [] };
  for (const t of rows) {
    const name = t.pod.split('/')[1];
    const created = r.created.get(name);
    const ready = r.ready.get(name);
    if (created === undefined || ready === undefined) continue;
    spans['POST → runtime sees it'].push(t.at - created);
    spans.sandbox.push(t.sandbox);
    spans.volumes.push(t.volumes - t.sandbox);
    spans.env.push(t.env - t.volumes);
    spans.spawn.push(t.spawned - t.env);
    spans['spawned → Ready seen'].push(ready - (t.at + t.spawned));
  }
  const sorted = Object.entries(spans).map(([k, v]) => [k, v.sort((a, b) => a - b)] as const);
  return `process pods' stages (ms, over ${rows.length} pods):\n${table(
    ['stage', 'p50', 'p99'],
    sorted.map(([k, v]) => [k, fmtMs(percentile(v, 50)), fmtMs(percentile(v, 99))]),
  )}`;
}

async function main(): Promise<void> {
  const pg = await startPostgres();
  try {
    console.log(`Logbook node benchmark: ${PODS} pods created at once (10 concurrent POSTs) on one node, POST answered → Ready seen by a watch`);
    console.log(`  node ${process.version}, PostgreSQL ${pg.version} (${pg.embedded ? 'embedded' : 'DATABASE_URL'}), running as ${process.getuid?.() === 0 ? 'root (pod network namespaces)' : 'non-root (host network)'}`);
    const load = () => loadavg().map((l) => l.toFixed(2)).join(', ');
    console.log(`  load average before: ${load()}`);
    const traceDir = mkdtempSync(join(tmpdir(), 'logbook-bench-node-'));
    const trace = join(traceDir, 'pod-start.jsonl');
    const cidr = `10.${200 + Math.floor(Math.random() * 50)}.${1 + Math.floor(Math.random() * 250)}.0/24`;
    const processRun = await run(await pg.createDatabase('bench_node_process'), { LOGBOOK_NODES: JSON.stringify([{ name: 'bench-node', podCIDR: cidr }]), LOGBOOK_POD_START_TRACE: trace }, 'process');
    const simulatedRun = await run(await pg.createDatabase('bench_node_simulated'), { LOGBOOK_RUNTIME: 'simulated', LOGBOOK_SIMULATED_NODES: '1', LOGBOOK_SIMULATED_START_DELAY_MS: '0' }, 'simulated');
    console.log(`  load average after: ${load()}`);
    const row = (what: string, r: Result) => [
      what,
      fmtMs(percentile(r.latencies, 50)),
      fmtMs(percentile(r.latencies, 99)),
      fmtMs(r.latencies[r.latencies.length - 1]),
      fmtMs(r.totalMs),
      r.cpuSeconds.toFixed(1),
    ];
    console.log(table(['runtime', 'p50', 'p99', 'max', `all ${PODS} Ready`, 'server CPU s'], [row('process (real processes)', processRun), row('simulated (baseline: control plane only)', simulatedRun)]));
    if (existsSync(trace)) console.log(stages(processRun, readFileSync(trace, 'utf8')));
    rmSync(traceDir, { recursive: true, force: true });
  } finally {
    await pg.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
