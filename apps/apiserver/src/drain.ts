import type { IncomingMessage, Server } from 'http';
import type { Socket } from 'net';
import { Server as TlsServer } from 'tls';

/** How long a connection may stay open without sending a request once the server has stopped listening. */
export const UNUSED_CONNECTION_GRACE_MS = 1_000;
/** How often a draining server looks at its connections. */
const SWEEP_INTERVAL_MS = 100;

export interface ConnectionDrain {
  /**
   * Starts draining: from the moment the server stops listening (its
   * `close()`, whoever calls it) until it has closed, every connection
   * that carries no request is closed; requests in progress finish.
   */
  start(): void;
}

/**
 * Closes the connections that `server.close()` would wait for although no
 * request is on them.
 *
 * Node's `close()` closes the connections idle at that moment, once. It
 * does not count a connection that has not carried a request yet as idle
 * (it guards against clients that connect and send nothing, which the
 * headers timeout normally deals with, a check that `close()` stops), so
 * such a connection holds `close()` until its client closes it. The
 * all-in-one's own clients leave one behind when they stop during a
 * shutdown: the watches ended by the shutdown are sent again, an undici
 * client connects anew for one, its component stops and aborts the watch
 * before it is written, and the new connection stays in the pool, unused,
 * for the keep-alive time the server advertised earlier (60 s, less
 * undici's 2 s margin: a stop took 58 s). Go's http.Server.Shutdown treats
 * such connections as idle after 5 s for the same reason.
 *
 * So, while the server closes: connections that go idle close at once (not
 * only those idle when `close()` began), and a connection that has carried
 * no request for UNUSED_CONNECTION_GRACE_MS after it was accepted closes
 * too (a client sends its request as soon as it has connected). Must be
 * called before the server listens. TLS connections count from their
 * handshake; one still in its handshake is not looked at. An upgraded
 * connection (exec, port-forward) counts as unused: a shutdown ends those
 * sessions first anyway.
 */
export function trackConnections(server: Server, graceMs = UNUSED_CONNECTION_GRACE_MS): ConnectionDrain {
  /** Accepted connections that have not carried a request yet, with when they were accepted. */
  const unused = new Map<Socket, number>();
  server.on(server instanceof TlsServer ? 'secureConnection' : 'connection', (socket: Socket) => {
    unused.set(socket, Date.now());
    socket.once('close', () => unused.delete(socket));
  });
  // Not 'upgrade' as well: a listener there makes Node hand upgrade requests to it, not to 'request'.
  server.on('request', (req: IncomingMessage) => unused.delete(req.socket));

  let timer: NodeJS.Timeout | undefined;
  let lastSweep = 0;
  const sweep = () => {
    const now = Date.now();
    // A late tick means the process was busy: a request may be waiting
    // unread on a connection that looks unused; look again next tick.
    const late = now - lastSweep > 2 * SWEEP_INTERVAL_MS;
    lastSweep = now;
    if (server.listening || late) return;
    server.closeIdleConnections();
    for (const [socket, acceptedAt] of unused) if (now - acceptedAt >= graceMs) socket.destroy();
  };
  return {
    start() {
      if (timer) return;
      lastSweep = Date.now();
      timer = setInterval(sweep, SWEEP_INTERVAL_MS).unref();
      server.once('close', () => clearInterval(timer));
    },
  };
}
