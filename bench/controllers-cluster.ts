/**
 * The control plane `bench:controllers` measures: the all-in-one, started
 * as `npm start` starts it (apps/logbook/src/main.ts: TLS on the secure
 * port, the components with their own client certificates, simulated
 * nodes), but in the benchmark's own process, so that the benchmark can
 * read the clients' request counts (409s among them) and `node --cpu-prof`
 * profiles all of it at once. The parts still talk to each other over
 * HTTPS, as separate processes would. The benchmark itself uses the plain
 * development port (LOGBOOK_INSECURE_PORT), as the local admin.
 */
import { INestApplication, Logger } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { clusterPki, serve } from '../apps/apiserver/src';
import { endAllWatches } from '../apps/apiserver/src/handlers/watch';
import { componentIdentities } from '../apps/logbook/src/identities';
import { LogbookModule } from '../apps/logbook/src/logbook.module';
import { nodeAgentOptionsFromEnv } from '../apps/node-agent/src';

export interface Cluster {
  /** Plain HTTP, as the admin. */
  url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts the all-in-one on `databaseUrl` with `env` read as `npm start` reads it (LOGBOOK_SIMULATED_NODES, ...). */
export async function startCluster(databaseUrl: string, env: NodeJS.ProcessEnv): Promise<Cluster> {
  const [port, insecurePort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'logbook-bench-controllers-'));
  Object.assign(process.env, { PORT: String(port), LOGBOOK_INSECURE_PORT: String(insecurePort), LOGBOOK_BIND_ADDRESS: '127.0.0.1', LOGBOOK_DATA_DIR: dataDir });
  const server = `https://127.0.0.1:${port}`;
  const nodes = nodeAgentOptionsFromEnv({ LOGBOOK_RUNTIME: 'simulated', ...env });
  const pki = await clusterPki();
  const identities = await componentIdentities(pki, server, nodes.nodes.map((n) => n.name));
  // Warnings and errors only, so the report stays readable (BENCH_VERBOSE=1: everything).
  if (!process.env.BENCH_VERBOSE) Logger.overrideLogger(['error', 'warn']);
  const app: INestApplication = await serve(LogbookModule.forRoot({ databaseUrl, server, identities, nodes }), { name: 'Logbook' });
  return {
    url: `http://127.0.0.1:${insecurePort}`,
    stop: async () => {
      endAllWatches();
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
