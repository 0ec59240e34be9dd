import 'reflect-metadata';
import '../../logbook/src/register-paths';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SchedulerModule } from './scheduler.module';

/**
 * The scheduler as its own process, against the API server at
 * LOGBOOK_SERVER (default http://127.0.0.1:8080), leader-elected on the
 * Lease kube-system/kube-scheduler (LOGBOOK_LEADER_ELECT=false to turn it
 * off; LOGBOOK_IDENTITY names the replica). SIGTERM/SIGINT stop it,
 * handing the lease back.
 */
async function main(): Promise<void> {
  const log = new Logger('Scheduler');
  const app = await NestFactory.createApplicationContext(
    SchedulerModule.forRoot({
      server: process.env.LOGBOOK_SERVER,
      token: process.env.LOGBOOK_TOKEN,
      identity: process.env.LOGBOOK_IDENTITY,
      leaderElection: process.env.LOGBOOK_LEADER_ELECT === 'false' ? false : undefined,
    }),
  );
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
