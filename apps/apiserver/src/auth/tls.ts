import type { IncomingMessage, Server } from 'http';
import type { Socket } from 'net';

/** Connections accepted by the development plain-HTTP listener. */
const trustedPlain = new WeakSet<Socket>();

/**
 * Marks every connection `server` accepts as the development port's: its
 * requests without credentials are the local admin. Only `serve()` calls
 * this, for LOGBOOK_INSECURE_PORT on 127.0.0.1.
 */
export function trustPlainConnections(server: Server): void {
  server.on('connection', (socket: Socket) => trustedPlain.add(socket));
}

export function isTrustedPlainConnection(req: IncomingMessage): boolean {
  return trustedPlain.has(req.socket);
}
