/**
 * The control plane `bench:controllers` measures: the all-in-one module
 * (`npm start`: API server, controller-manager, scheduler, simulated nodes)
 * in the benchmark's own process, listening on a free port. In-process so
 * the benchmark can read the clients' request counts (409s among them) and
 * `node --cpu-prof` profiles all of it at once; the parts still talk to
 * each other over HTTP, as separate processes would.
 */
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createServer } from 'net';
import { nodeAgentOptionsFromEnv } from '../apps/node-agent/src';
import { LogbookModule } from '../apps/logbook/src/logbook.module';
import { endAllWatches } from '../apps/apiserver/src/handlers/watch';

export interface Cluster {
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
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const nodes = nodeAgentOptionsFromEnv({ LOGBOOK_RUNTIME: 'simulated', ...env });
  const app: INestApplication = await NestFactory.create(LogbookModule.forRoot({ databaseUrl, server: url, nodes }), {
    bodyParser: false,
    logger: process.env.BENCH_VERBOSE ? undefined : ['error', 'warn'],
  });
  await app.listen(port, '127.0.0.1');
  return {
    url,
    stop: async () => {
      endAllWatches();
      await app.close();
    },
  };
}
