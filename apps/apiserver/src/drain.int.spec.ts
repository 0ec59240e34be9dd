import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import type { AddressInfo } from 'net';
import * as tls from 'tls';
import { createCa, issueCert } from './auth/pki';
import { ConnectionDrain, trackConnections, UNUSED_CONNECTION_GRACE_MS } from './drain';

/** A server as serve() sets one up: idle connections kept a minute, drained on shutdown. */
async function listen(server: http.Server): Promise<{ server: http.Server; drain: ConnectionDrain; port: number }> {
  server.keepAliveTimeout = 60_000;
  const drain = trackConnections(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, drain, port: (server.address() as AddressInfo).port };
}

/** What a shutdown does: drain, then close; resolves with how long close() took. */
function shutDown(s: { server: http.Server; drain: ConnectionDrain }): Promise<number> {
  const t0 = Date.now();
  s.drain.start();
  return new Promise((resolve) => s.server.close(() => resolve(Date.now() - t0)));
}

const closed = (socket: net.Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

describe('trackConnections: what a closing server does not wait for', () => {
  const open: net.Socket[] = [];
  afterEach(() => {
    for (const s of open.splice(0)) s.destroy();
  });

  /** A plain TCP connection, once the server has accepted it. */
  async function connect(s: { server: http.Server; port: number }): Promise<net.Socket> {
    const accepted = new Promise((resolve) => s.server.once('connection', resolve));
    const client = net.connect(s.port, '127.0.0.1');
    open.push(client);
    await accepted;
    return client;
  }

  it('closes a plain connection that never sent a request, which close() alone waits for until its client goes', async () => {
    const s = await listen(http.createServer((_req, res) => res.end('ok')));
    const client = await connect(s);
    const took = await shutDown(s);
    expect(took).toBeGreaterThanOrEqual(UNUSED_CONNECTION_GRACE_MS - 50);
    expect(took).toBeLessThan(UNUSED_CONNECTION_GRACE_MS + 2_000);
    await closed(client);
  });

  it('closes a TLS connection that completed its handshake and never sent a request (the all-in-one case)', async () => {
    const ca = await createCa('drain-test-ca');
    const serving = await issueCert(ca, { commonName: 'drain-test', server: { dns: ['localhost'], ips: ['127.0.0.1'] } });
    const s = await listen(https.createServer({ cert: serving.cert, key: serving.key }, (_req, res) => res.end('ok')));
    const client = tls.connect({ port: s.port, host: '127.0.0.1', ca: ca.cert });
    open.push(client);
    await new Promise((resolve, reject) => client.once('secureConnect', resolve).once('error', reject));
    const took = await shutDown(s);
    expect(took).toBeLessThan(UNUSED_CONNECTION_GRACE_MS + 2_000);
    await closed(client);
  });

  it('lets a request in progress finish, then closes its keep-alive connection at once', async () => {
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const s = await listen(
      http.createServer((_req, res) => {
        entered();
        setTimeout(() => res.end('late answer'), UNUSED_CONNECTION_GRACE_MS + 500);
      }),
    );
    const agent = new http.Agent({ keepAlive: true });
    const response = new Promise<{ status: number; body: string; at: number }>((resolve, reject) => {
      http
        .get({ port: s.port, host: '127.0.0.1', agent }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, at: Date.now() }));
        })
        .on('error', reject);
    });
    await inHandler;
    const stopped = shutDown(s).then(() => Date.now());
    const answered = await response;
    expect(answered).toMatchObject({ status: 200, body: 'late answer' });
    // Answered, the connection is idle: closed then, not after the keep-alive minute.
    expect((await stopped) - answered.at).toBeLessThan(1_000);
    agent.destroy();
  });

  it('serves a request sent within the grace period on a connection accepted before the close', async () => {
    const s = await listen(http.createServer((_req, res) => res.end('ok')));
    const client = await connect(s);
    const stopped = shutDown(s);
    await new Promise((r) => setTimeout(r, UNUSED_CONNECTION_GRACE_MS / 4));
    let reply = '';
    client.on('data', (d) => (reply += d));
    client.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await closed(client);
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok$/);
    expect(await stopped).toBeLessThan(UNUSED_CONNECTION_GRACE_MS + 2_000);
  });
});
