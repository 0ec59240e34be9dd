import 'reflect-metadata';
import '../../logbook/src/register-paths';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { nodeAgentOptionsFromEnv } from './config';
import { NodeAgentModule } from './node-agent.module';

/**
 * The node agent as its own process, against LOGBOOK_SERVER (default
 * http://127.0.0.1:8080). Configured from the environment (see config.ts):
 * by default one node (`LOGBOOK_NODE_NAME`, default node-1) whose pods are
 * OS processes; `LOGBOOK_RUNTIME=simulated LOGBOOK_SIMULATED_NODES=3` runs
 * three simulated nodes. SIGTERM/SIGINT stop it (and its pods' processes).
 */
async function main(): Promise<void> {
  const log = new Logger('NodeAgent');
  let options;
  try {
    options = nodeAgentOptionsFromEnv();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const app = await NestFactory.createApplicationContext(NodeAgentModule.forRoot(options));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal}: shutting down`);
    setTimeout(() => process.exit(1), 20_000).unref();
    await app.close().catch((err) => log.error(`closing: ${(err as Error).message}`));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();
