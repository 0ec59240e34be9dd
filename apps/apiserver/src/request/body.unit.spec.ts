import * as http from 'http';
import type { AddressInfo } from 'net';
import { ApiError } from '@logbook/machinery';
import { MAX_REQUEST_BYTES, readBody } from './body';

/** A real server whose handler reads the body; each test sends a request and gets what readBody settled with. */
describe('readBody over HTTP', () => {
  let server: http.Server;
  let port: number;
  let settled: Promise<Buffer | Error>;
  let settle: (v: Buffer | Error) => void;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      readBody(req).then(
        (b) => {
          settle(b);
          res.end(String(b.length));
        },
        (e: Error) => {
          settle(e);
          if (!res.destroyed) res.writeHead(e instanceof ApiError ? e.code : 500).end();
        },
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    settled = new Promise((r) => (settle = r));
  });

  const send = (headers: http.OutgoingHttpHeaders, write: (req: http.ClientRequest) => void) =>
    new Promise<number | Error>((resolve) => {
      const req = http.request({ port, host: '127.0.0.1', method: 'POST', headers, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', (e) => resolve(e));
      write(req);
    });

  it('joins the chunks of a body', async () => {
    await send({}, (req) => {
      req.write('{"a":');
      setTimeout(() => req.end('1}'), 20);
    });
    expect(String(await settled)).toBe('{"a":1}');
  });

  it('refuses a declared Content-Length over the limit with 413', async () => {
    const status = await send({ 'Content-Length': MAX_REQUEST_BYTES + 1 }, (req) => req.end());
    const err = await settled;
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(413);
    expect(status === 413 || status instanceof Error).toBe(true);
  });

  it('refuses a chunked body once it passes the limit, and closes the request', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    const sent = send({ 'Transfer-Encoding': 'chunked' }, (req) => {
      for (let i = 0; i < 4; i++) req.write(chunk);
      req.end();
    });
    const err = await settled;
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(413);
    expect(typeof (await sent)).not.toBe('number'); // the connection was reset, no answer
  });

  it('rejects when the client goes away before the body ends', async () => {
    await send({ 'Content-Length': 100 }, (req) => {
      req.write('{"partial":');
      setTimeout(() => req.destroy(), 20);
    });
    const err = await settled;
    expect(Buffer.isBuffer(err)).toBe(false);
    expect(err).not.toBeInstanceOf(ApiError);
    expect((err as Error).message).toBeTruthy();
  });
});
