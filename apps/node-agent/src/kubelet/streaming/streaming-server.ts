import type * as http from 'http';
import type { Duplex } from 'stream';
import { WebSocket, WebSocketServer } from 'ws';
import { Logger } from '@nestjs/common';
import { decodeMessage, encodeMessage, EXEC_PROTOCOLS, negotiateProtocol } from './channel-protocol';
import { ExecCommand, ExecOptions, parseExecOptions, serveExec } from './exec-session';
import type { PortDialer } from '../../runtime/container-runtime';
import { ChannelPortForward, parseForwardedPorts, PORT_FORWARD_CHANNEL_PROTOCOLS, PORT_FORWARD_PROTOCOL, PortForwardSession, SPDY_TUNNEL_PROTOCOL } from './port-forward';
import type { SpdyTransport } from './spdy';
import { resizeTerminal } from './terminal';

/** What the streaming server needs from the node: the pods, and how to reach into them. */
export interface StreamingBackend {
  /** The uid of a pod of this node. */
  podUid(namespace: string, name: string): string | undefined;
  /** The command to run in a running container, or why it cannot run. */
  execTarget(uid: string, container: string, opts: ExecOptions): ExecCommand | { error: string };
  /** How to connect to the pod's ports, or why not. */
  portDialer(uid: string): PortDialer | { error: string };
}

class StreamingError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 500: 'Internal Server Error' };

/** Answers an upgrade request that is refused: an HTTP response with a metav1.Status, then the end of the connection. */
export function refuseUpgrade(socket: Duplex, code: number, reason: string, message: string): void {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  socket.end(`HTTP/1.1 ${code} ${STATUS_TEXT[code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Bytes a WebSocket may hold unsent before its writers are told to wait. */
const WS_HIGH_WATER = 1 << 20;

/** A WebSocket as the byte transport of a SPDY session (binary messages), with backpressure. */
function webSocketTransport(ws: WebSocket): SpdyTransport {
  let pending = 0;
  const waiting: (() => void)[] = [];
  return {
    write: (b) => {
      pending += b.length;
      ws.send(b, () => {
        pending -= b.length;
        if (pending < WS_HIGH_WATER) for (const w of waiting.splice(0)) w();
      });
      return pending < WS_HIGH_WATER;
    },
    close: () => ws.close(1000),
    onDrain: (listener) => (pending < WS_HIGH_WATER ? listener() : waiting.push(listener)),
    pause: () => ws.pause(),
    resume: () => ws.resume(),
  };
}

const offeredProtocols = (req: http.IncomingMessage) =>
  (req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);

/**
 * The kubelet's streaming endpoints, served on upgraded connections:
 *
 * - `/exec/{namespace}/{pod}/{container}?command=...&stdin=...` over a
 *   WebSocket in the remote-command channel protocols (v5 down to
 *   `channel.k8s.io`);
 * - `/portForward/{namespace}/{pod}` over SPDY/3.1 with
 *   `portforward.k8s.io`, either tunnelled through a WebSocket
 *   (`SPDY/3.1+portforward.k8s.io`, what kubectl 1.31+ asks for first) or
 *   on the upgraded connection itself (`Upgrade: SPDY/3.1`, its fallback);
 *   or over a WebSocket in the channel protocols with the ports in the query
 *   (`v4.channel.k8s.io`, as @kubernetes/client-node asks).
 *
 * The API server's `pods/exec` and `pods/portforward` pass such requests
 * through to here once they are authenticated and authorized.
 */
export class StreamingServer {
  /** The subprotocol chosen for each request being upgraded (ws asks handleProtocols). */
  private readonly chosen = new WeakMap<http.IncomingMessage, string>();
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (_offered, req) => this.chosen.get(req) ?? false });
  private readonly open = new Set<{ close(): void }>();
  private readonly log = new Logger('KubeletStreaming');

  constructor(private readonly backend: StreamingBackend) {}

  /** Takes an upgrade request; false if the path is not a streaming one (the caller answers). */
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const exec = /^\/exec\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    const forward = /^\/portForward\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!exec && !forward) return false;
    try {
      if (exec) this.exec(req, socket, head, url, exec.slice(1).map(decodeURIComponent) as [string, string, string]);
      else this.portForward(req, socket, head, url, forward!.slice(1).map(decodeURIComponent) as [string, string]);
    } catch (err) {
      if (err instanceof StreamingError) refuseUpgrade(socket, err.code, err.reason, err.message);
      else refuseUpgrade(socket, 500, 'InternalError', (err as Error).message);
    }
    return true;
  }

  /** Ends every session (the node agent is stopping). */
  close(): void {
    for (const s of this.open) s.close();
    this.open.clear();
    for (const c of this.wss.clients) c.terminate();
  }

  private uid(namespace: string, name: string): string {
    const uid = this.backend.podUid(namespace, name);
    if (!uid) throw new StreamingError(404, 'NotFound', `pod "${name}" not found on this node`);
    return uid;
  }

  private exec(req: http.IncomingMessage, socket: Duplex, head: Buffer, url: URL, [namespace, name, container]: [string, string, string]): void {
    let opts: ExecOptions;
    try {
      opts = parseExecOptions(url.searchParams);
    } catch (err) {
      throw new StreamingError(400, 'BadRequest', (err as Error).message);
    }
    const uid = this.uid(namespace, name);
    const target = this.backend.execTarget(uid, container, opts);
    if ('error' in target) throw new StreamingError(400, 'BadRequest', target.error);
    // With a TTY the command line carries the terminal's first size, known only once the client sent it.
    const command = (size?: ExecOptions['size']) => {
      const sized = size ? this.backend.execTarget(uid, container, { ...opts, size }) : target;
      return 'error' in sized ? target : sized;
    };
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      throw new StreamingError(400, 'BadRequest', 'exec is served over WebSockets only (v5.channel.k8s.io and earlier channel protocols), not SPDY');
    }
    const offered = offeredProtocols(req);
    const protocol = offered.length ? negotiateProtocol(offered) : '';
    if (protocol === undefined) {
      throw new StreamingError(400, 'BadRequest', `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${EXEC_PROTOCOLS.join(' ')}]`);
    }
    this.upgradeWebSocket(req, socket, head, protocol, (ws) => {
      const entry = { close: () => ws.terminate() };
      this.open.add(entry);
      const resize = opts.tty ? (size: { width: number; height: number }, pid: number) => void resizeTerminal(pid, size) : undefined;
      void serveExec(ws, protocol, opts, command, resize).finally(() => this.open.delete(entry));
    });
  }

  private portForward(req: http.IncomingMessage, socket: Duplex, head: Buffer, url: URL, [namespace, name]: [string, string]): void {
    const uid = this.uid(namespace, name);
    const dialer = this.backend.portDialer(uid);
    if (typeof dialer !== 'function') throw new StreamingError(400, 'BadRequest', dialer.error);
    const upgrade = (req.headers.upgrade ?? '').toLowerCase();
    if (upgrade === 'websocket') {
      const offered = offeredProtocols(req);
      if (!offered.includes(SPDY_TUNNEL_PROTOCOL)) return this.channelPortForward(req, socket, head, url, offered, name, uid, dialer);
      this.upgradeWebSocket(req, socket, head, SPDY_TUNNEL_PROTOCOL, (ws) => {
        const session = new PortForwardSession(webSocketTransport(ws), name, uid, dialer);
        this.track(session);
        ws.on('message', (data: Buffer) => session.spdy.receive(data));
        ws.on('close', () => session.spdy.transportClosed());
      });
      return;
    }
    if (upgrade !== 'spdy/3.1') throw new StreamingError(400, 'BadRequest', 'Upgrade request required');
    const versions = String(req.headers['x-stream-protocol-version'] ?? '')
      .split(',')
      .map((v) => v.trim());
    if (!versions.includes(PORT_FORWARD_PROTOCOL)) throw new StreamingError(400, 'BadRequest', `unable to negotiate protocol: client supports [${versions.join(' ')}], server supports [${PORT_FORWARD_PROTOCOL}]`);
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`);
    const session = new PortForwardSession(
      {
        write: (b) => socket.write(b),
        close: () => socket.end(),
        onDrain: (listener) => socket.once('drain', listener),
        pause: () => socket.pause(),
        resume: () => socket.resume(),
      },
      name,
      uid,
      dialer,
    );
    this.track(session);
    socket.on('data', (d: Buffer) => session.spdy.receive(d));
    socket.on('close', () => session.spdy.transportClosed());
    socket.on('error', () => session.spdy.transportClosed());
    if (head.length) session.spdy.receive(head);
  }

  /** Port forwarding in the WebSocket channel protocols (ports in the query). */
  private channelPortForward(req: http.IncomingMessage, socket: Duplex, head: Buffer, url: URL, offered: string[], name: string, uid: string, dialer: PortDialer): void {
    const supported = [SPDY_TUNNEL_PROTOCOL, ...PORT_FORWARD_CHANNEL_PROTOCOLS];
    const protocol = offered.length ? negotiateProtocol(offered, PORT_FORWARD_CHANNEL_PROTOCOLS) : '';
    if (protocol === undefined) throw new StreamingError(400, 'BadRequest', `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${supported.join(' ')}]`);
    let ports: number[];
    try {
      ports = parseForwardedPorts(url.searchParams);
    } catch (err) {
      throw new StreamingError(400, 'BadRequest', (err as Error).message);
    }
    this.upgradeWebSocket(req, socket, head, protocol, (ws) => {
      const forward = new ChannelPortForward(
        (channel, data) => ws.readyState === ws.OPEN && ws.send(encodeMessage(protocol, channel, data)),
        () => ws.close(1000),
        ports,
        name,
        uid,
        dialer,
      );
      const entry = { close: () => ws.terminate() };
      this.open.add(entry);
      ws.on('message', (raw: Buffer, isBinary: boolean) => {
        try {
          const m = decodeMessage(protocol, isBinary ? raw : raw.toString('utf8'));
          if (m?.kind === 'data') forward.received(m.channel, m.data);
        } catch {
          /* a malformed message is dropped, as wsstream does */
        }
      });
      ws.on('close', () => (forward.closed(), this.open.delete(entry)));
    });
  }

  private track(session: PortForwardSession): void {
    const entry = { close: () => session.spdy.close() };
    this.open.add(entry);
    session.spdy.on('close', () => this.open.delete(entry));
    session.spdy.on('protocolError', (err: Error) => this.log.warn(`port forwarding: ${err.message}`));
  }

  private upgradeWebSocket(req: http.IncomingMessage, socket: Duplex, head: Buffer, protocol: string, then: (ws: WebSocket) => void): void {
    this.chosen.set(req, protocol);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => undefined);
      then(ws);
    });
  }
}
