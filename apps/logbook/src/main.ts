import 'reflect-metadata';
import './register-paths';
import { Logger } from '@nestjs/common';
import { serve } from '@logbook/apiserver';
import { nodeAgentOptionsFromEnv } from '@logbook/node-agent';
import { openDatabase } from './database';
import { LogbookModule } from './logbook.module';

/**
 * `npm start`: the whole control plane in one process, on
 * http://127.0.0.1:8080 (PORT, LOGBOOK_BIND_ADDRESS), over DATABASE_URL or an
 * embedded Postgres under .logbook/ (LOGBOOK_DATA_DIR): API server,
 * controllers, scheduler and — with LOGBOOK_RUNTIME=simulated — simulated
 * nodes (LOGBOOK_SIMULATED_NODES, default 1; see apps/node-agent/src/config.ts).
 */
async function main(): Promise<void> {
  const log = new Logger('Logbook');
  let nodes;
  try {
    const runtime = process.env.LOGBOOK_RUNTIME;
    if (runtime === 'simulated') nodes = nodeAgentOptionsFromEnv(process.env);
    else if (runtime && runtime !== 'process') throw new Error(`LOGBOOK_RUNTIME must be simulated or process, not ${JSON.stringify(runtime)}`);
    else log.warn('no nodes: the process runtime is not available yet (LOGBOOK_RUNTIME=simulated runs simulated nodes)');
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const db = await openDatabase();
  await serve(LogbookModule.forRoot({ databaseUrl: db.url, server: localServer(), nodes }), { name: 'Logbook', afterClose: () => db.close() });
}

/** How this process reaches its own API server. */
function localServer(): string {
  const port = Number(process.env.PORT ?? 8080);
  const bind = process.env.LOGBOOK_BIND_ADDRESS ?? '127.0.0.1';
  const host = bind === '0.0.0.0' || bind === '::' || bind === '' ? '127.0.0.1' : bind.includes(':') ? `[${bind}]` : bind;
  return `http://${host}:${port}`;
}

void main();
