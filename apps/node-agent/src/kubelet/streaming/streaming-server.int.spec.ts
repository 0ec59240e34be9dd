import { createHash } from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as net from 'net';
import { WebSocket } from 'ws';
import { SpdyFrame, SpdyParser, SpdyWriter } from './spdy';
import { StreamingServer } from './streaming-server';

/**
 * The kubelet's streaming endpoints over real HTTP upgrades, real
 * WebSockets (the `ws` client standing in for client-go and client-node),
 * real processes and a real TCP server; kubectl itself drives them in
 * test/e2e/node-streaming.e2e.spec.ts.
 */
describe('the kubelet streaming server', () => {
  let server: http.Server;
  let echo: net.Server;
  let base: string;
  let echoPort: number;
  let streaming: StreamingServer;

  beforeAll(async () => {
    echo = net.createServer((s) => {
      sockets.push(s);
      s.pipe(s);
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    echoPort = (echo.address() as AddressInfo).port;
    streaming = new StreamingServer({
      podUid: (ns, name) => (ns === 'default' && name === 'web' ? 'uid-1' : undefined),
      execTarget: (_uid, container, opts) =>
        container === 'main' ? { file: opts.command[0], args: opts.command.slice(1), env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, cwd: '/tmp' } : { error: `container ${container} is not valid for pod web` },
      portDialer: () => (port) => net.connect(port, '127.0.0.1'),
    });
    server = http.createServer((_req, res) => res.end());
    server.on('upgrade', (req, socket, head) => streaming.handleUpgrade(req, socket, head));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  /** Raw client connections, ended after the tests (an upgraded one keeps the server from closing). */
  const sockets: net.Socket[] = [];

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    streaming.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await new Promise((r) => echo.close(r));
  });

  /** Opens a WebSocket and collects its messages until the server closes it. */
  function session(path: string, protocols: string[]) {
    const ws = new WebSocket(`${base}${path}`, protocols);
    const messages: (Buffer | string)[] = [];
    ws.on('message', (m: Buffer, binary: boolean) => messages.push(binary ? m : m.toString()));
    const opened = new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    return { ws, messages, opened, closed };
  }

  /** A refused upgrade: its status code and metav1.Status. */
  function refusal(path: string, protocols: string[]): Promise<{ code: number; status: { message: string; reason: string } }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${base}${path}`, protocols);
      ws.on('open', () => reject(new Error('upgraded')));
      ws.on('error', () => undefined);
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ code: res.statusCode!, status: JSON.parse(body) }));
      });
    });
  }

  const byChannel = (messages: (Buffer | string)[], channel: number) =>
    Buffer.concat(messages.filter((m): m is Buffer => Buffer.isBuffer(m) && m[0] === channel).map((m) => m.subarray(1))).toString();

  it('execs over v5: ready signal, stdin until the close signal, stdout and stderr apart, the exit code on the error channel, then a normal close', async () => {
    const s = session('/exec/default/web/main?command=sh&command=-c&command=cat%3B%20pwd%3B%20echo%20err%20%3E%262%3B%20exit%203&stdin=true&stdout=true&stderr=true', ['v5.channel.k8s.io']);
    await s.opened;
    expect(s.ws.protocol).toBe('v5.channel.k8s.io');
    s.ws.send(Buffer.from([0, ...Buffer.from('hello ')]));
    s.ws.send(Buffer.from([0, ...Buffer.from('world\n')]));
    s.ws.send(Buffer.from([255, 0]));
    expect(await s.closed).toBe(1000);
    expect([...(s.messages[0] as Buffer)]).toEqual([1]);
    expect(byChannel(s.messages, 1)).toBe('hello world\n/tmp\n');
    expect(byChannel(s.messages, 2)).toBe('err\n');
    expect(JSON.parse(byChannel(s.messages, 3))).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
  });

  it('feeds a command that reads slowly all of a large input, in order (the WebSocket waits for it)', async () => {
    const s = session('/exec/default/web/main?command=sh&command=-c&command=sleep%200.5%3B%20md5sum&stdin=true&stdout=true', ['v5.channel.k8s.io']);
    await s.opened;
    const chunks = Array.from({ length: 80 }, (_, i) => Buffer.alloc(64 * 1024, i));
    for (const c of chunks) s.ws.send(Buffer.concat([Buffer.from([0]), c]));
    s.ws.send(Buffer.from([255, 0]));
    expect(await s.closed).toBe(1000);
    const expected = createHash('md5').update(Buffer.concat(chunks)).digest('hex');
    expect(byChannel(s.messages, 1)).toBe(`${expected}  -\n`);
  });

  it('speaks the base64 text protocols to older clients', async () => {
    const s = session('/exec/default/web/main?command=echo&command=hi&stdout=true', ['v4.base64.channel.k8s.io']);
    await s.opened;
    expect(await s.closed).toBe(1000);
    expect(s.messages).toContain(`1${Buffer.from('hi\n').toString('base64')}`);
    expect(s.messages[s.messages.length - 1]).toBe(`3${Buffer.from(JSON.stringify({ metadata: {}, status: 'Success' })).toString('base64')}`);
  });

  it('kills the command when the client goes away', async () => {
    const s = session('/exec/default/web/main?command=sh&command=-c&command=echo%20%24%24%3B%20exec%20sleep%20100&stdout=true', ['v5.channel.k8s.io']);
    await s.opened;
    while (!byChannel(s.messages, 1).includes('\n')) await new Promise((r) => setTimeout(r, 20));
    const pid = Number(byChannel(s.messages, 1).trim());
    s.ws.terminate();
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive()).toBe(false);
  });

  it('forwards ports over the WebSocket channel protocol: the port number first on both channels, then the bytes both ways', async () => {
    const s = session(`/portForward/default/web?ports=${echoPort}`, ['v4.channel.k8s.io']);
    await s.opened;
    const port = Buffer.alloc(2);
    port.writeUInt16LE(echoPort);
    while (s.messages.length < 2) await new Promise((r) => setTimeout(r, 10));
    expect(s.messages.slice(0, 2)).toEqual([Buffer.from([0, ...port]), Buffer.from([1, ...port])]);
    s.ws.send(Buffer.from([0, ...Buffer.from('ping')]));
    while (byChannel(s.messages.slice(2), 0) !== 'ping') await new Promise((r) => setTimeout(r, 10));
    s.ws.close();
    await s.closed;
  });

  it('reports a port nothing listens on on the error channel and closes', async () => {
    const unused = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    const s = session(`/portForward/default/web?ports=${unused}`, ['v4.channel.k8s.io']);
    await s.opened;
    expect(await s.closed).toBe(1000);
    expect(byChannel(s.messages.slice(2), 1)).toMatch(new RegExp(`^error forwarding port ${unused} to pod web, uid uid-1: connect ECONNREFUSED`));
  });

  it('forwards over plain SPDY: the 101 with the protocol, a reply per stream, megabytes echoed back whole and in order, FIN both ways', async () => {
    const port = (server.address() as AddressInfo).port;
    const socket = net.connect(port, '127.0.0.1');
    sockets.push(socket);
    socket.write(`POST /portForward/default/web HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n`);
    const parser = new SpdyParser();
    const frames: SpdyFrame[] = [];
    let head = '';
    socket.on('data', (d: Buffer) => {
      if (!head.includes('\r\n\r\n')) {
        head += d.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        d = Buffer.from(head.slice(end + 4), 'latin1');
        head = head.slice(0, end + 4);
      }
      frames.push(...parser.push(d));
    });
    const client = new SpdyWriter();
    socket.write(client.synStream(1, { streamtype: ['error'], port: [String(echoPort)], requestid: ['0'] }));
    socket.write(client.synStream(3, { streamtype: ['data'], port: [String(echoPort)], requestid: ['0'] }));
    const payload = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
    for (let at = 0; at < payload.length; at += 32 * 1024) for (const f of client.data(3, payload.subarray(at, at + 32 * 1024), at + 32 * 1024 >= payload.length)) socket.write(f);
    const received = () => Buffer.concat(frames.filter((f): f is Extract<SpdyFrame, { type: 'data' }> => f.type === 'data' && f.streamId === 3).map((f) => f.data));
    for (let i = 0; i < 500 && !frames.some((f) => f.type === 'data' && f.streamId === 3 && f.fin); i++) await new Promise((r) => setTimeout(r, 20));
    expect(head).toMatch(/^HTTP\/1.1 101 Switching Protocols\r\n/);
    expect(head).toContain('X-Stream-Protocol-Version: portforward.k8s.io');
    expect(frames.slice(0, 2).map((f) => [f.type, 'streamId' in f ? f.streamId : 0])).toEqual([
      ['syn_reply', 1],
      ['syn_reply', 3],
    ]);
    expect(received().equals(payload)).toBe(true);
    // The echo server ended its side once ours ended: FIN on the data stream, and the error stream closes empty.
    expect(frames.some((f) => f.type === 'data' && f.streamId === 1 && f.fin && !f.data.length)).toBe(true);
  });

  it('refuses with a Status: an unknown pod, a bad container, no command, an unknown protocol, ports missing', async () => {
    expect(await refusal('/exec/default/nope/main?command=true&stdout=true', ['v5.channel.k8s.io'])).toMatchObject({ code: 404, status: { reason: 'NotFound', message: 'pod "nope" not found on this node' } });
    expect(await refusal('/exec/default/web/other?command=true&stdout=true', ['v5.channel.k8s.io'])).toMatchObject({ code: 400, status: { message: 'container other is not valid for pod web' } });
    expect(await refusal('/exec/default/web/main?stdout=true', ['v5.channel.k8s.io'])).toMatchObject({ code: 400, status: { message: 'you must specify at least 1 command' } });
    expect(await refusal('/exec/default/web/main?command=true', ['v5.channel.k8s.io'])).toMatchObject({ code: 400, status: { message: 'you must specify at least 1 of stdin, stdout, stderr' } });
    expect((await refusal('/exec/default/web/main?command=true&stdout=true', ['v9.channel.k8s.io'])).status.message).toMatch(/requested protocol\(s\) are not supported: \[v9.channel.k8s.io\]/);
    expect(await refusal('/portForward/default/web', ['v4.channel.k8s.io'])).toMatchObject({ code: 400, status: { message: 'query parameter "port" is required' } });
    expect(await refusal('/portForward/default/web?ports=0', ['v4.channel.k8s.io'])).toMatchObject({ code: 400, status: { message: 'port "0" must be > 0' } });
  });
});
