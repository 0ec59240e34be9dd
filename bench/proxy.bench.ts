/**
 * The service proxy's data path (TcpForwarder + BackendPicker, exactly what
 * a ClusterIP/NodePort listener runs) against talking to the pods directly,
 * in the same run: three local HTTP servers stand in for kubia pods.
 *
 *   npm run bench:proxy          BENCH_SECONDS=3 BENCH_REPEATS=3 BENCH_CONCURRENCY=16
 */
import { Agent, request } from 'http';
import { BackendPicker } from '../apps/node-agent/src/proxy/backend-picker';
import { TcpForwarder } from '../apps/node-agent/src/proxy/tcp-forwarder';
import { freeTcpPort, startLocalBackends } from '../apps/node-agent/src/proxy/testing/local-backends';
import { fmtInt, fmtMs, median, percentile, table } from './stats';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

type Target = () => { host: string; port: number };

function get(agent: Agent, t: { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: t.host, port: t.port, path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sequential requests for the latency (one client), then `CONCURRENCY` clients for requests/s. */
async function measure(target: Target, keepAlive: boolean): Promise<{ p50: number; p99: number; rps: number }> {
  const agent = new Agent({ keepAlive, maxSockets: CONCURRENCY });
  const lat: number[] = [];
  const until = Date.now() + (SECONDS * 1000) / 2;
  while (Date.now() < until) {
    const t0 = process.hrtime.bigint();
    await get(agent, target());
    lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  let done = 0;
  const end = Date.now() + (SECONDS * 1000) / 2;
  const start = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        await get(agent, target());
        done++;
      }
    }),
  );
  const rps = done / ((Date.now() - start) / 1000);
  agent.destroy();
  lat.sort((a, b) => a - b);
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), rps };
}

async function main(): Promise<void> {
  const pods = await startLocalBackends(3);
  const picker = new BackendPicker(undefined);
  picker.update(pods.ips.map((ip) => ({ ip, port: pods.port })), undefined);
  const proxy = new TcpForwarder('127.0.0.1', await freeTcpPort(), picker);
  await proxy.listen();
  let i = 0;
  const direct: Target = () => ({ host: pods.ips[i++ % pods.ips.length], port: pods.port });
  const viaProxy: Target = () => ({ host: '127.0.0.1', port: proxy.port });
  const rows: string[][] = [];
  for (const keepAlive of [false, true]) {
    const results: Record<string, Array<{ p50: number; p99: number; rps: number }>> = { direct: [], proxy: [] };
    for (let r = 0; r < REPEATS; r++) {
      process.stderr.write(`run ${r + 1}/${REPEATS} keep-alive=${keepAlive}\n`);
      results.direct.push(await measure(direct, keepAlive));
      results.proxy.push(await measure(viaProxy, keepAlive));
    }
    const med = (k: string, f: 'p50' | 'p99' | 'rps') => median(results[k].map((x) => x[f]));
    for (const k of ['direct', 'proxy']) {
      rows.push([
        keepAlive ? 'keep-alive' : 'new connection each',
        k === 'direct' ? 'direct to pods' : 'through the proxy',
        fmtMs(med(k, 'p50')),
        fmtMs(med(k, 'p99')),
        fmtInt(med(k, 'rps')),
      ]);
    }
    rows.push([keepAlive ? 'keep-alive' : 'new connection each', 'proxy adds', `+${fmtMs(med('proxy', 'p50') - med('direct', 'p50'))}`, '', `${((100 * med('proxy', 'rps')) / med('direct', 'rps')).toFixed(0)} % of direct`]);
  }
  console.log(`Service proxy vs direct pod access (3 local HTTP pods, ${CONCURRENCY} concurrent clients for req/s, medians of ${REPEATS} runs of ${SECONDS} s)\n`);
  console.log(table(['connections', 'path', 'latency p50 ms', 'p99 ms', 'requests/s'], rows));
  await proxy.close();
  await pods.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
