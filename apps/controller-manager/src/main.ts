import 'reflect-metadata';
import '../../logbook/src/register-paths';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ControllerManagerModule } from './controller-manager.module';

/**
 * The controller-manager as its own process: the built-in controllers
 * against the API server at LOGBOOK_SERVER (default
 * http://127.0.0.1:8080; LOGBOOK_TOKEN to authenticate), leader-elected on
 * the Lease kube-system/kube-controller-manager (LOGBOOK_LEADER_ELECT=false
 * to turn it off), serving /metrics, /healthz and /readyz on
 * LOGBOOK_CONTROLLER_MANAGER_PORT (default 10257, as kube-controller-manager)
 * at LOGBOOK_BIND_ADDRESS (default 127.0.0.1). SIGTERM/SIGINT stop it,
 * handing the lease back.
 */
async function main(): Promise<void> {
  const log = new Logger('ControllerManager');
  const app = await NestFactory.create(
    ControllerManagerModule.forRoot({
      server: process.env.LOGBOOK_SERVER,
      token: process.env.LOGBOOK_TOKEN,
      identity: process.env.LOGBOOK_IDENTITY,
      leaderElect: process.env.LOGBOOK_LEADER_ELECT !== 'false',
    }),
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal}: shutting down`);
    setTimeout(() => process.exit(1), 20_000).unref();
    await app.close().catch((err) => log.error(`closing: ${(err as Error).message}`));
    log.log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  const port = Number(process.env.LOGBOOK_CONTROLLER_MANAGER_PORT ?? 10257);
  const host = process.env.LOGBOOK_BIND_ADDRESS ?? '127.0.0.1';
  try {
    await app.listen(port, host);
  } catch (err) {
    log.error(`start-up failed: ${(err as Error).message}`);
    await app.close().catch(() => undefined);
    process.exit(1);
  }
  log.log(`serving /metrics, /healthz and /readyz on http://${host}:${port}`);
}

void main();
