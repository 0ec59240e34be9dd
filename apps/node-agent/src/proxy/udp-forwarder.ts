import { createSocket, RemoteInfo, Socket } from 'dgram';
import { BackendPicker } from './backend-picker';

/** A UDP flow with no datagram for this long is forgotten (kube's userspace proxy used 250 ms–; kube-proxy conntrack 30 s+). */
const FLOW_IDLE_MS = 30_000;

interface Flow {
  socket: Socket;
  backend: { ip: string; port: number };
  timer: NodeJS.Timeout;
}

/**
 * Receives datagrams on one address and port and relays each client's
 * datagrams to one backend (chosen once per client address and port, while
 * the flow is active) through a socket of its own, so that replies come
 * back to that client from the service address.
 */
export class UdpForwarder {
  private socket?: Socket;
  private readonly flows = new Map<string, Flow>();

  constructor(
    readonly address: string,
    readonly port: number,
    readonly picker: BackendPicker,
  ) {}

  listen(): Promise<void> {
    const socket = createSocket({ type: 'udp4', reuseAddr: false });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: this.address, port: this.port }, () => {
        socket.off('error', reject);
        socket.on('error', () => undefined);
        socket.on('message', (msg, from) => this.relay(msg, from));
        this.socket = socket;
        resolve();
      });
    });
  }

  private relay(msg: Buffer, from: RemoteInfo): void {
    const key = `${from.address}:${from.port}`;
    let flow = this.flows.get(key);
    if (!flow) {
      const backend = this.picker.pick(from.address);
      if (!backend) return;
      const upstream = createSocket('udp4');
      upstream.on('error', () => this.forget(key));
      upstream.on('message', (reply) => {
        this.socket?.send(reply, from.port, from.address);
        this.touch(key);
      });
      flow = { socket: upstream, backend, timer: setTimeout(() => this.forget(key), FLOW_IDLE_MS) };
      this.flows.set(key, flow);
    } else this.touch(key);
    flow.socket.send(msg, flow.backend.port, flow.backend.ip, (err) => err && this.forget(key));
  }

  private touch(key: string): void {
    const flow = this.flows.get(key);
    if (!flow) return;
    clearTimeout(flow.timer);
    flow.timer = setTimeout(() => this.forget(key), FLOW_IDLE_MS);
  }

  private forget(key: string): void {
    const flow = this.flows.get(key);
    if (!flow) return;
    this.flows.delete(key);
    clearTimeout(flow.timer);
    try {
      flow.socket.close();
    } catch {
      // closed already
    }
  }

  async close(): Promise<void> {
    for (const key of [...this.flows.keys()]) this.forget(key);
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
