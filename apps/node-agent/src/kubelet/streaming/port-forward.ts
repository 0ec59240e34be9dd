import type { Duplex } from 'stream';
import type { PortDialer } from '../../runtime/container-runtime';
import { SpdyServerSession, SpdyStream, SpdyTransport } from './spdy';

/** The subprotocol of port forwarding over SPDY. */
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
/** kubectl ≥ 1.31 tunnels SPDY through a WebSocket with this subprotocol (client-go's tunneling dialer). */
export const SPDY_TUNNEL_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;
/** How long the two streams of one forwarded connection may arrive apart (the kubelet's streamCreationTimeout). */
const STREAM_PAIR_TIMEOUT_MS = 30_000;

interface Pair {
  requestId: string;
  port?: number;
  data?: SpdyStream;
  error?: SpdyStream;
  timer: NodeJS.Timeout;
}

/**
 * The kubelet's port forwarding over one SPDY connection
 * (kubelet/pkg/cri/streaming/portforward/httpstream.go): for every local
 * connection kubectl opens an `error` stream and a `data` stream with the
 * headers `port` and `requestID`; once both are there the kubelet dials the
 * pod's port and copies bytes both ways — a FIN from kubectl half-closes the
 * pod connection, the pod's end of data becomes a FIN to kubectl. Failures
 * are written to the error stream (kubectl prints them and gives up the
 * connection); both streams are closed when forwarding ends.
 */
export class PortForwardSession {
  readonly spdy: SpdyServerSession;
  private readonly pairs = new Map<string, Pair>();
  private readonly sockets = new Set<Duplex>();

  constructor(
    transport: SpdyTransport,
    private readonly podName: string,
    private readonly podUid: string,
    private readonly dial: PortDialer,
  ) {
    this.spdy = new SpdyServerSession(transport, (s) => this.validate(s));
    this.spdy.on('stream', (s: SpdyStream) => this.add(s));
    this.spdy.on('close', () => {
      for (const p of this.pairs.values()) clearTimeout(p.timer);
      this.pairs.clear();
      for (const socket of this.sockets) socket.destroy();
    });
  }

  /** Refuses a stream without a valid `port` and `streamType` (the kubelet's handler does the same). */
  private validate(s: SpdyStream): string | undefined {
    const port = s.header('port');
    if (!port) return '"port" header is required';
    if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) return `invalid port "${port}"`;
    const type = s.header('streamType');
    if (!type) return '"streamType" header is required';
    if (type !== 'error' && type !== 'data') return `invalid stream type "${type}"`;
    return undefined;
  }

  private add(s: SpdyStream): void {
    const type = s.header('streamType') as 'error' | 'data';
    // Clients older than request ids: pair by stream id (error n, data n + 2), as the kubelet does.
    const requestId = s.header('requestID') ?? String(type === 'error' ? s.id : s.id - 2);
    let pair = this.pairs.get(requestId);
    if (!pair) {
      pair = {
        requestId,
        timer: setTimeout(() => {
          this.pairs.delete(requestId);
          pair!.error?.write(Buffer.from(`timed out waiting for streams of request ${requestId}`));
          pair!.error?.end();
          pair!.data?.reset();
        }, STREAM_PAIR_TIMEOUT_MS),
      };
      this.pairs.set(requestId, pair);
    }
    if (pair[type]) {
      if (pair.error) pair.error.write(Buffer.from(`error processing stream for request ${requestId}: ${type} stream already assigned`));
      s.reset();
      return;
    }
    pair[type] = s;
    if (type === 'data') pair.port = Number(s.header('port'));
    if (pair.data && pair.error) {
      clearTimeout(pair.timer);
      this.pairs.delete(requestId);
      this.forward(pair.data, pair.error, pair.port!);
    }
  }

  private forward(data: SpdyStream, error: SpdyStream, port: number): void {
    // kubectl never writes to the error stream; drain whatever comes.
    error.on('data', () => undefined);
    const socket = this.dial(port);
    this.sockets.add(socket);
    let finished = false;
    const finish = (failure?: string) => {
      if (finished) return;
      finished = true;
      this.sockets.delete(socket);
      if (failure) error.write(Buffer.from(`error forwarding port ${port} to pod ${this.podName}, uid ${this.podUid}: ${failure}`));
      error.end();
      data.end();
      socket.destroy();
    };
    // Backpressure both ways: a slow client pauses the pod connection, a slow pod pauses the client's connection.
    socket.on('data', (chunk: Buffer) => {
      if (data.write(chunk)) return;
      socket.pause();
      this.spdy.whenWritable(() => socket.resume());
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (err: Error) => finish(err.message));
    data.on('data', (chunk: Buffer) => {
      if (socket.write(chunk)) return;
      this.spdy.pause();
      let resumed = false;
      const resume = () => {
        if (!resumed) this.spdy.resume();
        resumed = true;
      };
      socket.once('drain', resume);
      socket.once('close', resume);
    });
    data.on('end', () => socket.end());
    // kubectl resets the data stream once the pod's side is done (or its local client went away).
    data.on('reset', () => finish());
  }
}

/** The WebSocket port-forward subprotocols (channels, no SPDY): what @kubernetes/client-node's PortForward asks for. */
export const PORT_FORWARD_CHANNEL_PROTOCOLS: readonly string[] = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io'];

/** The `ports` query of a WebSocket port-forward (repeated or comma-separated); throws a message for a bad one. */
export function parseForwardedPorts(q: URLSearchParams): number[] {
  const values = q.getAll('ports');
  if (!values.length) throw new Error('query parameter "port" is required');
  const ports: number[] = [];
  for (const value of values) {
    if (!value) throw new Error('query parameter "port" cannot be empty');
    for (const p of value.split(',')) {
      if (!/^\d+$/.test(p) || Number(p) > 65535) throw new Error(`unable to parse "${value}" as a port`);
      if (Number(p) < 1) throw new Error(`port "${value}" must be > 0`);
      ports.push(Number(p));
    }
  }
  return ports;
}

/**
 * Port forwarding over a WebSocket in the channel protocols (the kubelet's
 * portforward/websocket.go): the ports come in the query, port i gets the
 * data channel 2i and the error channel 2i+1, and the first message on
 * each of them is the port number (16 bits, little endian). Each port is
 * one connection to the pod; when every one has ended the server closes
 * the WebSocket.
 */
export class ChannelPortForward {
  private readonly sockets: Duplex[] = [];

  constructor(
    private readonly send: (channel: number, data: Buffer) => void,
    private readonly close: () => void,
    ports: number[],
    podName: string,
    podUid: string,
    dial: PortDialer,
  ) {
    let open = ports.length;
    ports.forEach((port, i) => {
      const number = Buffer.alloc(2);
      number.writeUInt16LE(port);
      send(2 * i, number);
      send(2 * i + 1, number);
      const socket = dial(port);
      this.sockets.push(socket);
      let done = false;
      const finish = (failure?: string) => {
        if (done) return;
        done = true;
        if (failure) send(2 * i + 1, Buffer.from(`error forwarding port ${port} to pod ${podName}, uid ${podUid}: ${failure}`));
        socket.destroy();
        if (--open === 0) close();
      };
      socket.on('data', (chunk: Buffer) => send(2 * i, chunk));
      socket.on('end', () => finish());
      socket.on('close', () => finish());
      socket.on('error', (err: Error) => finish(err.message));
    });
  }

  /** Data from the client on a channel: for the pod's connection if it is a data channel. */
  received(channel: number, data: Buffer): void {
    if (channel % 2 === 0) this.sockets[channel / 2]?.write(data);
  }

  /** The WebSocket is gone: so are the connections. */
  closed(): void {
    for (const s of this.sockets) s.destroy();
  }
}
