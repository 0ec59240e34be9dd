import * as http from 'http';
import type { AddressInfo } from 'net';
import { HttpTransport, MAX_REQUEST_CONNECTIONS } from './http-transport';
import { resolveClientConfig } from './client-config';

/**
 * The transport against a real local HTTP server that counts the TCP
 * connections it is sent on: requests share a bounded pool of keep-alive
 * connections, whatever their method.
 */
describe('HttpTransport connections', () => {
  let server: http.Server;
  let connections = 0;
  let closed = 0;
  let transport: HttpTransport;
  let release: () => void = () => undefined;
  let held = new Promise<void>((r) => (release = r));

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', async () => {
        if (req.url?.startsWith('/slow')) await held;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ method: req.method, body: body ? JSON.parse(body) : null }));
      });
    });
    server.keepAliveTimeout = 60_000;
    server.on('connection', (socket) => {
      connections++;
      socket.on('close', () => closed++);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    transport = new HttpTransport(resolveClientConfig({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
  afterAll(async () => {
    release();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it(`opens at most ${MAX_REQUEST_CONNECTIONS} connections for many requests at once, and queues the rest on them`, async () => {
    connections = 0;
    const all = Array.from({ length: 3 * MAX_REQUEST_CONNECTIONS }, () => transport.json<{ method: string }>({ method: 'GET', path: '/slow' }));
    await new Promise((r) => setTimeout(r, 300));
    expect(connections).toBe(MAX_REQUEST_CONNECTIONS);
    release();
    expect((await Promise.all(all)).every((r) => r.method === 'GET')).toBe(true);
    expect(connections).toBe(MAX_REQUEST_CONNECTIONS);
    held = new Promise<void>((r) => (release = r));
  });

  it('keeps the connection after a DELETE with a body (DeleteOptions)', async () => {
    closed = 0;
    for (let i = 0; i < 3; i++) {
      const deleted = await transport.json<{ method: string; body: unknown }>({ method: 'DELETE', path: '/a', body: { gracePeriodSeconds: 0 } });
      expect(deleted).toEqual({ method: 'DELETE', body: { gracePeriodSeconds: 0 } });
      expect((await transport.json<{ method: string }>({ method: 'GET', path: '/a' })).method).toBe('GET');
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(0);
  });
});
