/**
 * npm run bench:proxy — the service proxy on real pods, against direct pod
 * access, in the same run.
 *
 * The all-in-one process runs one node of the process runtime (as root:
 * every pod an OS process in its own network namespace on the node's
 * bridge) with its service proxy. Three kubia pods (the seed's RC) sit
 * behind a NodePort Service. This process sends HTTP GETs from the machine
 * to: the pods' IPs at 8080 directly (round robin, as the proxy does), the
 * ClusterIP at 80 (the proxy's listener on its device), and 127.0.0.1 at the
 * NodePort. Latency: one client, requests back to back. Requests/s:
 * BENCH_CONCURRENCY clients. Both with a new connection per request and
 * with keep-alive. CPU: the all-in-one process (where the proxy runs), the
 * three pods, this client and the rest of the machine during each
 * requests/s window, in cores, and the all-in-one's CPU per 1,000 requests.
 *
 *   npm run bench:proxy          BENCH_SECONDS=3 BENCH_REPEATS=3 BENCH_CONCURRENCY=16
 */
import { Agent, request } from 'http';
import { cpus, loadavg } from 'os';
import { readFileSync } from 'fs';
import { join } from 'path';
import { canIsolatePods } from '../apps/node-agent/src/runtime/process/command';
import { podProcesses } from '../apps/node-agent/src/runtime/process/testing/pod-processes';
import { ApiServerProcess, startApiServer } from './api-server';
import { startPostgres } from './pg-server';
import { fmtInt, fmtMs, median, percentile, table } from './stats';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const CLK_TCK = 100;

/** Where one client sends its requests: called once per client, then once per request. */
type Target = () => () => { host: string; port: number };
interface Cores {
  server: number;
  pods: number;
  client: number;
  other: number;
}
interface Result {
  p50: number;
  p99: number;
  rps: number;
  cores: Cores;
  /** CPU ms of the all-in-one process per 1,000 requests in the requests/s window. */
  serverMsPerK: number;
}

function get(agent: Agent, t: { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: t.host, port: t.port, path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode} from ${t.host}:${t.port}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

const signed = (ms: number) => (ms >= 0 ? `+${fmtMs(ms)}` : `−${fmtMs(-ms)}`);

function ticksOf(pid: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

function machineBusyTicks(): number {
  const [user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return user + nice + system + irq + softirq;
}

/** CPU in cores over a window: the server process, the pods' processes, this process, and everything else. */
function cpuMeter(serverPid: number, podPids: number[]): () => Cores {
  const t0 = performance.now();
  const server0 = ticksOf(serverPid);
  const pods0 = podPids.reduce((n, p) => n + ticksOf(p), 0);
  const client0 = process.cpuUsage();
  const busy0 = machineBusyTicks();
  return () => {
    const wall = (performance.now() - t0) / 1000;
    const server = (ticksOf(serverPid) - server0) / CLK_TCK / wall;
    const pods = (podPids.reduce((n, p) => n + ticksOf(p), 0) - pods0) / CLK_TCK / wall;
    const u = process.cpuUsage(client0);
    const client = (u.user + u.system) / 1e6 / wall;
    const busy = (machineBusyTicks() - busy0) / CLK_TCK / wall;
    return { server, pods, client, other: Math.max(0, busy - server - pods - client) };
  };
}

/** Sequential requests for the latency (one client), then `CONCURRENCY` clients for requests/s. */
async function measure(target: Target, keepAlive: boolean, serverPid: number, podPids: number[]): Promise<Result> {
  const agent = new Agent({ keepAlive, maxSockets: CONCURRENCY });
  const lat: number[] = [];
  const until = Date.now() + (SECONDS * 1000) / 2;
  const one = target();
  while (Date.now() < until) {
    const t0 = process.hrtime.bigint();
    await get(agent, one());
    lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  let done = 0;
  const end = Date.now() + (SECONDS * 1000) / 2;
  const start = Date.now();
  const cpu = cpuMeter(serverPid, podPids);
  const server0 = ticksOf(serverPid);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      const next = target();
      while (Date.now() < end) {
        await get(agent, next());
        done++;
      }
    }),
  );
  const cores = cpu();
  const serverMsPerK = (((ticksOf(serverPid) - server0) / CLK_TCK) * 1000 * 1000) / done;
  const rps = done / ((Date.now() - start) / 1000);
  agent.destroy();
  lat.sort((a, b) => a - b);
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), rps, cores, serverMsPerK };
}

async function api(server: ApiServerProcess, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${server.url}${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function until<T>(what: string, f: () => Promise<T | undefined>, server: ApiServerProcess, ms = 180_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what} not within ${ms} ms:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Three kubia pods behind a NodePort Service; resolves with where they answer. */
async function deployKubia(server: ApiServerProcess) {
  await until('a Ready node', async () => ((await api(server, 'GET', '/api/v1/nodes')).items as any[]).some((n) => n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')) || undefined, server);
  await api(server, 'POST', '/api/v1/namespaces/default/replicationcontrollers', {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'kubia' },
    spec: { replicas: 3, selector: { app: 'kubia' }, template: { metadata: { labels: { app: 'kubia' } }, spec: { containers: [{ name: 'kubia', image: 'luksa/kubia', ports: [{ containerPort: 8080 }] }] } } },
  });
  const svc = await api(server, 'POST', '/api/v1/namespaces/default/services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubia' },
    spec: { type: 'NodePort', selector: { app: 'kubia' }, ports: [{ port: 80, targetPort: 8080 }] },
  });
  const ips = await until('3 ready endpoints', async () => {
    const ep = await api(server, 'GET', '/api/v1/namespaces/default/endpoints/kubia');
    const ready = (ep.subsets ?? []).flatMap((s: any) => (s.addresses ?? []).map((a: any) => a.ip as string));
    return ready.length === 3 ? (ready as string[]) : undefined;
  }, server);
  const pods = ((await api(server, 'GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dkubia')).items as any[]).map((p) => p.metadata.name as string);
  return { ips, pods, clusterIP: svc.spec.clusterIP as string, nodePort: svc.spec.ports[0].nodePort as number };
}

async function main(): Promise<void> {
  if (!canIsolatePods()) throw new Error('bench:proxy needs root: the pods must have IPs of their own (network namespaces) for the proxy to spread requests over them');
  const load0 = loadavg();
  const pg = await startPostgres();
  const random = (n: number) => Math.floor(Math.random() * n);
  const server = await startApiServer(await pg.createDatabase('bench_proxy'), 180_000, {
    entry: join(__dirname, '..', 'apps', 'logbook', 'src', 'main.js'),
    env: {
      LOGBOOK_NODES: JSON.stringify([{ name: 'bench-proxy', podCIDR: `10.${200 + random(50)}.${1 + random(250)}.0/24` }]),
      LOGBOOK_SERVICE_CIDR: `10.${50 + random(50)}.${16 * random(16)}.0/20`,
      LOGBOOK_DNS: 'false',
      LOGBOOK_INGRESS: 'false',
      LOGBOOK_KUBELET_EVENTS: 'false',
    },
  });
  try {
    const k = await deployKubia(server);
    const podPids = k.pods.flatMap(podProcesses);
    let i = 0;
    const roundRobin = () => ({ host: k.ips[i++ % k.ips.length], port: 8080 });
    const proxied = (host: string, port: number) => () => () => ({ host, port });
    // Direct access spreads requests as the proxy does: each new connection to the next pod, and a
    // keep-alive connection (one client's, here) staying with its pod.
    const direct = (keepAlive: boolean): Target => () => {
      if (!keepAlive) return roundRobin;
      const pinned = roundRobin();
      return () => pinned;
    };
    const paths = (keepAlive: boolean): Array<[string, Target]> => [
      ['direct to the pods (IP:8080)', direct(keepAlive)],
      [`ClusterIP ${k.clusterIP}:80`, proxied(k.clusterIP, 80)],
      [`NodePort 127.0.0.1:${k.nodePort}`, proxied('127.0.0.1', k.nodePort)],
    ];
    // The proxy's listeners follow the Service within a moment.
    for (const [name, target] of paths(false)) await until(`an answer from ${name}`, () => get(new Agent(), target()()).then(() => true), server, 30_000);
    const rows: string[][] = [];
    const cpuRows: string[][] = [];
    for (const keepAlive of [false, true]) {
      const mode = keepAlive ? 'keep-alive' : 'new connection each';
      const results = new Map<string, Result[]>(paths(keepAlive).map(([name]) => [name, []]));
      for (let r = 0; r < REPEATS; r++) {
        for (const [name, target] of paths(keepAlive)) {
          process.stderr.write(`run ${r + 1}/${REPEATS} ${mode}: ${name}\n`);
          results.get(name)!.push(await measure(target, keepAlive, server.pid, podPids));
        }
      }
      const med = (name: string, f: (x: Result) => number) => median(results.get(name)!.map(f));
      const baseline = paths(keepAlive)[0][0];
      for (const [name] of paths(keepAlive)) {
        const isBase = name === baseline;
        const added = isBase ? '' : signed(med(name, (x) => x.p50) - med(baseline, (x) => x.p50));
        const share = isBase ? '' : `${((100 * med(name, (x) => x.rps)) / med(baseline, (x) => x.rps)).toFixed(0)} %`;
        rows.push([mode, name, fmtMs(med(name, (x) => x.p50)), fmtMs(med(name, (x) => x.p99)), added, fmtInt(med(name, (x) => x.rps)), share]);
        const c = (f: keyof Cores) => med(name, (x) => x.cores[f]).toFixed(2);
        const perK = med(name, (x) => x.serverMsPerK);
        const proxyPerK = isBase ? '' : (perK - med(baseline, (x) => x.serverMsPerK)).toFixed(0);
        cpuRows.push([mode, name, c('server'), c('pods'), c('client'), c('other'), perK.toFixed(0), proxyPerK]);
      }
    }
    const load1 = loadavg();
    console.log(`Service proxy vs direct pod access: 3 kubia pods (process runtime, own network namespaces), requests from this machine`);
    console.log(`  node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}; load average ${load0.map((l) => l.toFixed(2)).join(' ')} at start, ${load1.map((l) => l.toFixed(2)).join(' ')} at end`);
    console.log(`  latency: 1 client back to back; requests/s: ${CONCURRENCY} clients; medians of ${REPEATS} runs of ${SECONDS} s (half latency, half requests/s)\n`);
    console.log(table(['connections', 'path', 'p50 ms', 'p99 ms', 'added p50', 'requests/s', 'of direct'], rows));
    console.log('\nCPU during the requests/s windows, in cores (the proxy runs in the all-in-one process):\n');
    console.log(table(['connections', 'path', 'all-in-one', '3 pods', 'this client', 'rest of machine', 'all-in-one ms / 1k req', 'proxy ms / 1k req'], cpuRows));
    console.log('\nproxy ms / 1k req: the all-in-one\'s CPU per 1,000 requests above the direct run\'s (which is the kubelet writing the pods\' logs).');
  } finally {
    await server.stop();
    await pg.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
