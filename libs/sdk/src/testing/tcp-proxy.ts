import * as net from 'net';

/**
 * A TCP proxy in front of a server, for testing what a client does when the
 * network misbehaves: `freeze()` keeps the open connections up but passes no
 * more bytes on them (a half-dead connection, as a broken NAT or load
 * balancer leaves behind); new connections go through normally.
 */
export interface TcpProxy {
  readonly url: string;
  /** Connections currently open through the proxy. */
  readonly openConnections: number;
  /** Stops forwarding on every open connection, leaving it open. */
  freeze(): void;
  /** Resets every open connection. */
  dropConnections(): void;
  close(): Promise<void>;
}

export function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; frozen: boolean }>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    const pair = { client, upstream, frozen: false };
    pairs.add(pair);
    client.on('data', (d) => {
      if (!pair.frozen) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!pair.frozen) client.write(d);
    });
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', () => {
      if (!pair.frozen) end();
    });
    client.on('error', end);
    upstream.on('error', () => undefined);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        get openConnections() {
          return pairs.size;
        },
        freeze() {
          for (const p of pairs) p.frozen = true;
        },
        dropConnections() {
          for (const p of [...pairs]) {
            p.client.resetAndDestroy();
            p.upstream.destroy();
            pairs.delete(p);
          }
        },
        close() {
          for (const p of pairs) {
            p.client.destroy();
            p.upstream.destroy();
          }
          pairs.clear();
          return new Promise((r) => server.close(() => r()));
        },
      });
    });
  });
}
