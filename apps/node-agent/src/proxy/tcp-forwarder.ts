import { createConnection, createServer, Server, Socket } from 'net';
import { BackendPicker, backendKey } from './backend-picker';

/** How long connecting to one backend may take before the next is tried. */
const CONNECT_TIMEOUT_MS = 3_000;

/**
 * Accepts TCP connections on one address and port and splices each to a
 * backend chosen by the picker; a backend that refuses the connection is
 * skipped and the next tried (as Kubernetes' userspace proxy did). With no
 * backend, the connection is closed at once (kube-proxy rejects it).
 */
export class TcpForwarder {
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly address: string,
    readonly port: number,
    readonly picker: BackendPicker,
  ) {}

  /** Binds; rejects with the bind error (EADDRINUSE, EADDRNOTAVAIL). */
  listen(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.address, port: this.port }, () => {
        server.off('error', reject);
        this.server = server;
        resolve();
      });
    });
  }

  private accept(client: Socket): void {
    this.track(client);
    client.pause();
    const clientIP = (client.remoteAddress ?? '').replace(/^::ffff:/, '');
    const tried = new Set<string>();
    const attempt = (): void => {
      const backend = this.picker.pick(clientIP, tried);
      if (!backend || client.destroyed) return void client.destroy();
      tried.add(backendKey(backend));
      const upstream = createConnection({ host: backend.ip, port: backend.port });
      this.track(upstream);
      upstream.setTimeout(CONNECT_TIMEOUT_MS, () => upstream.destroy(new Error('connect timeout')));
      upstream.once('error', () => {
        if (!upstream.connecting) return;
        upstream.destroy();
        attempt();
      });
      upstream.once('connect', () => {
        upstream.setTimeout(0);
        // As Go's sockets (kube-proxy's) are: no Nagle delay on either side of the splice.
        upstream.setNoDelay(true);
        client.setNoDelay(true);
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.once('close', () => upstream.destroy());
        upstream.once('close', () => client.destroy());
        client.resume();
      });
    };
    client.on('error', () => undefined);
    attempt();
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  /** Stops listening and ends every connection. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
