import 'reflect-metadata';
import './register-paths';
import { Logger } from '@nestjs/common';
import * as path from 'path';
import { clusterPki, serve, writeClientKubeconfig } from '@logbook/apiserver';
import { nodeAgentOptionsFromEnv } from '@logbook/node-agent';
import { dataDir, openDatabase } from './database';
import { componentIdentities } from './identities';
import { LogbookModule } from './logbook.module';

/**
 * `npm start`: the whole control plane in one process, on
 * https://127.0.0.1:6443 (PORT, LOGBOOK_BIND_ADDRESS; LOGBOOK_INSECURE_PORT
 * adds a plain-HTTP development port), writing an admin kubeconfig to
 * .logbook/admin.kubeconfig, over DATABASE_URL or an
 * embedded Postgres under .logbook/ (LOGBOOK_DATA_DIR): API server,
 * controllers, scheduler and a node agent: by default one node whose pods
 * are OS processes (the `process` runtime), with LOGBOOK_RUNTIME=simulated
 * simulated nodes (LOGBOOK_SIMULATED_NODES, default 1); LOGBOOK_RUNTIME=none
 * runs no node. See apps/node-agent/src/config.ts.
 */
async function main(): Promise<void> {
  const log = new Logger('Logbook');
  let nodes;
  try {
    if (process.env.LOGBOOK_RUNTIME === 'none') log.log('no nodes (LOGBOOK_RUNTIME=none)');
    else nodes = nodeAgentOptionsFromEnv(process.env);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const pki = await clusterPki();
  const server = localServer();
  const identities = await componentIdentities(pki, server, nodes?.nodes.map((n) => n.name) ?? []);
  const kubeconfig = path.join(dataDir(), 'admin.kubeconfig');
  await writeClientKubeconfig(kubeconfig, pki, server, 'admin', ['system:masters']);
  const db = await openDatabase();
  const app = await serve(LogbookModule.forRoot({ databaseUrl: db.url, server, identities, nodes }), { name: 'Logbook', afterClose: () => db.close() });
  if (app) {
    log.log(`admin credentials: ${kubeconfig}`);
    log.log(`  kubectl --kubeconfig ${path.relative(process.cwd(), kubeconfig) || kubeconfig} get nodes`);
  }
}

/** How this process reaches its own API server. */
function localServer(): string {
  const port = Number(process.env.PORT ?? 6443);
  const bind = process.env.LOGBOOK_BIND_ADDRESS ?? '127.0.0.1';
  const host = bind === '0.0.0.0' || bind === '::' || bind === '' ? '127.0.0.1' : bind.includes(':') ? `[${bind}]` : bind;
  return `https://${host}:${port}`;
}

void main();
