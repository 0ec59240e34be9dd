import { createSocket, Socket } from 'dgram';
import { createServer, Server } from 'http';
import { AddressInfo, createServer as createTcpServer } from 'net';

/**
 * Stand-ins for pods in proxy, DNS and ingress tests: HTTP servers on
 * loopback addresses of their own (127.0.0.2, 127.0.0.3, ...) at one port,
 * answering with their name, as the seed's kubia answers with its hostname.
 */
export interface LocalBackends {
  port: number;
  ips: string[];
  /** The name each IP answers with. */
  names: Map<string, string>;
  stop(): Promise<void>;
}

export async function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((resolve) => s.listen(0, host, resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** `count` HTTP servers answering `You've hit <name>` (and UDP echo servers answering `<name>:<datagram>` on the same port). */
export async function startLocalBackends(count: number, opts: { firstIp?: number; prefix?: string } = {}): Promise<LocalBackends> {
  const first = opts.firstIp ?? 2;
  const ips = Array.from({ length: count }, (_, i) => `127.0.0.${first + i}`);
  const names = new Map(ips.map((ip, i) => [ip, `${opts.prefix ?? 'kubia'}-${i}`]));
  for (let attempt = 0; ; attempt++) {
    const port = await freeTcpPort(ips[0]);
    const servers: Server[] = [];
    const udp: Socket[] = [];
    try {
      for (const ip of ips) {
        const name = names.get(ip)!;
        const server = createServer((req, res) => {
          res.setHeader('content-type', 'text/plain');
          res.end(`You've hit ${name} ${req.headers.host ?? ''}${req.url}\n`);
        });
        server.keepAliveTimeout = 1;
        await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, ip, resolve));
        servers.push(server);
        const echo = createSocket('udp4');
        await new Promise<void>((resolve, reject) => echo.once('error', reject).bind(port, ip, resolve));
        echo.on('message', (msg, from) => echo.send(`${name}:${msg}`, from.port, from.address));
        udp.push(echo);
      }
    } catch (err) {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
      udp.forEach((u) => u.close());
      if (attempt < 5) continue;
      throw err;
    }
    return {
      port,
      ips,
      names,
      async stop() {
        for (const s of servers) s.closeAllConnections();
        await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
        udp.forEach((u) => u.close());
      },
    };
  }
}
