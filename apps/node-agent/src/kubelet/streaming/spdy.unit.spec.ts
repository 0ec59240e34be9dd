import * as zlib from 'zlib';
import { decodeHeaderBlock, encodeHeaderBlock, HeaderCompression, RstStatus, SpdyFrame, SpdyParser, SpdyServerSession, SpdyStream, SpdyWriter } from './spdy';
import { SPDY3_HEADER_DICTIONARY } from './spdy-dictionary';

/** A continuous zlib stream with the SPDY dictionary, one sync flush per block: what Go's framer writes. */
async function goStyleBlocks(blocks: Buffer[]): Promise<Buffer[]> {
  const deflate = zlib.createDeflate({ dictionary: SPDY3_HEADER_DICTIONARY, level: 9 });
  const out: Buffer[] = [];
  let current: Buffer[] = [];
  deflate.on('data', (c: Buffer) => current.push(c));
  for (const b of blocks) {
    deflate.write(b);
    await new Promise<void>((r) => deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => r()));
    await new Promise((r) => setImmediate(r));
    out.push(Buffer.concat(current));
    current = [];
  }
  deflate.end();
  return out;
}

describe('SPDY/3.1 framing', () => {
  it('knows the SPDY/3 dictionary (its Adler-32 is the id in every header stream)', async () => {
    const [first] = await goStyleBlocks([Buffer.from('x')]);
    expect(first.subarray(0, 6).toString('hex')).toBe('78f9e3c6a7c2');
    expect(SPDY3_HEADER_DICTIONARY.length).toBe(1423);
  });

  it('inflates header blocks of one zlib stream one frame at a time, back-references across frames included', async () => {
    const plain = [
      encodeHeaderBlock({ streamtype: ['error'], port: ['8080'], requestid: ['0'] }),
      encodeHeaderBlock({ streamtype: ['data'], port: ['8080'], requestid: ['0'] }),
      encodeHeaderBlock({ streamtype: ['error'], port: ['8080'], requestid: ['1'], big: ['y'.repeat(50_000)] }),
      encodeHeaderBlock({ streamtype: ['data'], port: ['8080'], requestid: ['1'] }),
    ];
    const compressed = await goStyleBlocks(plain);
    const c = new HeaderCompression();
    expect(compressed.map((b) => c.inflate(b))).toEqual(plain);
    // The second block is tiny: it leans on the first.
    expect(compressed[1].length).toBeLessThan(20);
  });

  it('deflates header blocks into one zlib stream that a continuous inflater reads', async () => {
    const c = new HeaderCompression();
    const plain = [encodeHeaderBlock({}), encodeHeaderBlock({ a: ['1', '2'] }), encodeHeaderBlock({})];
    const inflate = zlib.createInflate({ dictionary: SPDY3_HEADER_DICTIONARY });
    const got: Buffer[] = [];
    inflate.on('data', (d: Buffer) => got.push(d));
    for (const p of plain) {
      inflate.write(c.deflate(p));
      await new Promise<void>((r) => inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => r()));
      await new Promise((r) => setImmediate(r));
    }
    expect(Buffer.concat(got)).toEqual(Buffer.concat(plain));
  });

  it('encodes and decodes header blocks: lower-case names, NUL-separated values', () => {
    const block = encodeHeaderBlock({ StreamType: ['data'], multi: ['a', 'b'] });
    expect(decodeHeaderBlock(block)).toEqual({ streamtype: ['data'], multi: ['a', 'b'] });
    expect(() => decodeHeaderBlock(block.subarray(0, block.length - 1))).toThrow(/truncated/);
  });

  it('parses frames whatever the chunking: SYN_STREAM with headers, data with FIN, PING, RST_STREAM, SETTINGS', () => {
    const client = new SpdyWriter();
    const bytes = Buffer.concat([
      client.synStream(1, { streamtype: ['error'], port: ['80'] }),
      ...client.data(1, Buffer.from('abc'), true),
      client.ping(7),
      client.rstStream(1, RstStatus.Cancel),
      Buffer.from('800300040000000c000000010000000700010000', 'hex'), // SETTINGS, one entry
    ]);
    const parser = new SpdyParser();
    const frames: SpdyFrame[] = [];
    for (let i = 0; i < bytes.length; i += 5) frames.push(...parser.push(bytes.subarray(i, i + 5)));
    expect(frames.map((f) => f.type)).toEqual(['syn_stream', 'data', 'ping', 'rst_stream', 'settings']);
    expect(frames[0]).toMatchObject({ streamId: 1, fin: false, headers: { streamtype: ['error'], port: ['80'] } });
    expect(frames[1]).toMatchObject({ streamId: 1, fin: true, data: Buffer.from('abc') });
    expect(frames[2]).toEqual({ type: 'ping', id: 7 });
    expect(frames[3]).toEqual({ type: 'rst_stream', streamId: 1, status: RstStatus.Cancel });
    expect(frames[4]).toEqual({ type: 'settings', entries: [{ flags: 0, id: 7, value: 65536 }] });
  });

  it('writes control frames with version 3 and the FIN flag on the last data frame only', () => {
    const w = new SpdyWriter();
    const reply = w.synReply(3);
    expect(reply.readUInt32BE(0)).toBe(0x80030002);
    expect(reply.readUInt32BE(8)).toBe(3);
    const [head, body] = w.data(3, Buffer.from('xyz'), true);
    expect(head.toString('hex')).toBe('0000000301000003');
    expect(body.toString()).toBe('xyz');
    expect(w.data(5, Buffer.alloc(0), true)[0].toString('hex')).toBe('0000000501000000');
  });

  describe('the server session', () => {
    function session(accept: (s: SpdyStream) => string | undefined = () => undefined) {
      const sent: Buffer[] = [];
      let closed = false;
      const s = new SpdyServerSession({ write: (b) => void sent.push(b), close: () => (closed = true) }, accept);
      const replies = () => new SpdyParser().push(Buffer.concat(sent));
      return { s, sent, replies, closed: () => closed };
    }

    it('replies to a stream before anything else, passes data and FIN, and echoes the client\'s pings', () => {
      const { s, replies } = session();
      const streams: SpdyStream[] = [];
      const got: string[] = [];
      s.on('stream', (st: SpdyStream) => {
        streams.push(st);
        st.on('data', (d: Buffer) => got.push(d.toString()));
        st.on('end', () => got.push('<end>'));
      });
      const client = new SpdyWriter();
      s.receive(Buffer.concat([client.synStream(1, { streamtype: ['data'], port: ['8080'], requestid: ['0'] }), ...client.data(1, Buffer.from('GET /'), true), client.ping(1)]));
      expect(streams[0].header('streamType')).toBe('data');
      expect(got).toEqual(['GET /', '<end>']);
      streams[0].write(Buffer.from('200 OK'));
      streams[0].end();
      const frames = replies();
      expect(frames.map((f) => f.type)).toEqual(['syn_reply', 'ping', 'data', 'data']);
      expect(frames[0]).toMatchObject({ type: 'syn_reply', streamId: 1, headers: {} });
      expect(frames[2]).toMatchObject({ streamId: 1, fin: false, data: Buffer.from('200 OK') });
      expect(frames[3]).toMatchObject({ streamId: 1, fin: true });
      expect(s.openStreams).toBe(0);
    });

    it('refuses streams the handler refuses and even stream ids (RST_STREAM), and closes on GOAWAY', () => {
      const { s, replies, closed } = session((st) => (st.header('port') ? undefined : 'port required'));
      const client = new SpdyWriter();
      s.receive(Buffer.concat([client.synStream(1, { streamtype: ['data'] }), client.synStream(2, { port: ['1'] })]));
      expect(replies()).toEqual([
        { type: 'rst_stream', streamId: 1, status: RstStatus.RefusedStream },
        { type: 'rst_stream', streamId: 2, status: RstStatus.ProtocolError },
      ]);
      s.receive(client.goAway(0));
      expect(closed()).toBe(true);
    });

    it('tells a stream the client reset it, and ends the session on garbage', () => {
      const { s, closed } = session();
      let reset = false;
      s.on('stream', (st: SpdyStream) => st.on('reset', () => (reset = true)));
      const client = new SpdyWriter();
      s.receive(Buffer.concat([client.synStream(1, { port: ['1'] }), client.rstStream(1, RstStatus.Cancel)]));
      expect(reset).toBe(true);
      let error: Error | undefined;
      s.on('protocolError', (e: Error) => (error = e));
      s.receive(Buffer.from('800200010000000400000001', 'hex')); // version 2
      expect(error?.message).toMatch(/unsupported SPDY version 2/);
      expect(closed()).toBe(true);
    });
  });
});
