import { EventEmitter } from 'events';
import * as zlib from 'zlib';
import { SPDY3_HEADER_DICTIONARY } from './spdy-dictionary';

/**
 * SPDY/3.1 framing, as far as Kubernetes' streaming (moby/spdystream, which
 * `kubectl port-forward` speaks) uses it. No maintained npm library speaks
 * SPDY any more (spdy-transport's last release is from 2018), and the
 * subset is small:
 *
 * - a control frame: `1 | version(15) | type(16)`, `flags(8) | length(24)`,
 *   then its fields; a data frame: `0 | stream id(31)`, `flags(8) |
 *   length(24)`, then the data; flag 0x01 is FIN on both;
 * - SYN_STREAM (1) opens a stream with headers, SYN_REPLY (2) accepts it,
 *   RST_STREAM (3) aborts it, SETTINGS (4), PING (6, echoed by the side that
 *   did not send it), GOAWAY (7), HEADERS (8), WINDOW_UPDATE (9: spdystream
 *   does no flow control, neither do we);
 * - header blocks are `count`, then `len name len value` pairs (32-bit
 *   lengths, values joined by NUL), compressed as ONE zlib stream per
 *   direction and connection, with the SPDY/3 dictionary, each block ending
 *   in a sync flush.
 */

export const SPDY_VERSION = 3;
export const FrameType = { SynStream: 1, SynReply: 2, RstStream: 3, Settings: 4, Ping: 6, GoAway: 7, Headers: 8, WindowUpdate: 9 } as const;
export const FLAG_FIN = 0x01;
/** RST_STREAM status codes used here. */
export const RstStatus = { ProtocolError: 1, InvalidStream: 2, RefusedStream: 3, Cancel: 5, InternalError: 6 } as const;

/** Header names lower case, values as a list (SPDY joins repeated values with NUL). */
export type SpdyHeaders = Record<string, string[]>;

export type SpdyFrame =
  | { type: 'data'; streamId: number; fin: boolean; data: Buffer }
  | { type: 'syn_stream'; streamId: number; associatedTo: number; priority: number; fin: boolean; unidirectional: boolean; headers: SpdyHeaders }
  | { type: 'syn_reply'; streamId: number; fin: boolean; headers: SpdyHeaders }
  | { type: 'headers'; streamId: number; fin: boolean; headers: SpdyHeaders }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; entries: { flags: number; id: number; value: number }[] }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'window_update'; streamId: number; delta: number }
  | { type: 'unknown'; frameType: number };

const WINDOW = 32 * 1024;
/** Adler-32 of the SPDY/3 dictionary: the DICTID of the zlib stream's header. */
const DICTIONARY_ID = 0xe3c6a7c2;

/**
 * One direction's header compression context: SPDY keeps one zlib stream
 * per direction for the whole connection. Every block ends in a sync flush,
 * so each starts on a deflate block boundary and is decoded on its own by a
 * raw inflater primed with the window (the dictionary and all output so
 * far) — the state a continuous zlib stream would have — synchronously.
 */
export class HeaderCompression {
  private window: Buffer = SPDY3_HEADER_DICTIONARY;
  private started = false;

  inflate(block: Buffer): Buffer {
    let body = block;
    if (!this.started) {
      if (block.length < 2 || (block[0] & 0x0f) !== 8 || ((block[0] << 8) | block[1]) % 31 !== 0) throw new Error('invalid zlib header in SPDY header block');
      const fdict = (block[1] & 0x20) !== 0;
      if (fdict && block.readUInt32BE(2) !== DICTIONARY_ID) throw new Error('SPDY header block compressed with an unknown dictionary');
      body = block.subarray(fdict ? 6 : 2);
      this.started = true;
    }
    const out = zlib.inflateRawSync(body, { dictionary: this.window, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    this.remember(out);
    return out;
  }

  deflate(plain: Buffer): Buffer {
    const body = zlib.deflateRawSync(plain, { dictionary: this.window, finishFlush: zlib.constants.Z_SYNC_FLUSH, level: 9 });
    this.remember(plain);
    if (this.started) return body;
    this.started = true;
    const head = Buffer.alloc(6);
    head[0] = 0x78;
    head[1] = 0xf9; // FLEVEL 3, FDICT, check bits
    head.writeUInt32BE(DICTIONARY_ID, 2);
    return Buffer.concat([head, body]);
  }

  private remember(plain: Buffer): void {
    const joined = Buffer.concat([this.window, plain]);
    this.window = joined.length > WINDOW ? joined.subarray(joined.length - WINDOW) : joined;
  }
}

export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const entries = Object.entries(headers);
  parts.push(u32(entries.length));
  for (const [name, values] of entries) {
    const n = Buffer.from(name.toLowerCase());
    const v = Buffer.from(values.join('\0'));
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = {};
  let at = 0;
  const need = (n: number) => {
    if (at + n > block.length) throw new Error('truncated SPDY header block');
  };
  need(4);
  const count = block.readUInt32BE(at);
  at += 4;
  for (let i = 0; i < count; i++) {
    need(4);
    const nl = block.readUInt32BE(at);
    at += 4;
    need(nl);
    const name = block.subarray(at, at + nl).toString('latin1').toLowerCase();
    at += nl;
    need(4);
    const vl = block.readUInt32BE(at);
    at += 4;
    need(vl);
    const value = block.subarray(at, at + vl).toString('latin1');
    at += vl;
    (headers[name] ??= []).push(...value.split('\0'));
  }
  return headers;
}

/** Parses a byte stream into SPDY frames, whatever the chunking. */
export class SpdyParser {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly headers = new HeaderCompression();

  /** Feeds bytes; returns the frames completed by them. Throws on a protocol error. */
  push(chunk: Buffer): SpdyFrame[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const frames: SpdyFrame[] = [];
    while (this.buffered.length >= 8) {
      const length = this.buffered.readUInt32BE(4) & 0xffffff;
      if (this.buffered.length < 8 + length) break;
      const frame = this.buffered.subarray(0, 8 + length);
      this.buffered = this.buffered.subarray(8 + length);
      frames.push(this.parse(frame));
    }
    return frames;
  }

  private parse(f: Buffer): SpdyFrame {
    const first = f.readUInt32BE(0);
    const flags = f[4];
    const body = f.subarray(8);
    if ((first & 0x80000000) === 0) return { type: 'data', streamId: first & 0x7fffffff, fin: (flags & FLAG_FIN) !== 0, data: body };
    const version = (first >>> 16) & 0x7fff;
    if (version !== SPDY_VERSION) throw new Error(`unsupported SPDY version ${version}`);
    const type = first & 0xffff;
    const u31 = (at: number) => body.readUInt32BE(at) & 0x7fffffff;
    switch (type) {
      case FrameType.SynStream:
        return {
          type: 'syn_stream',
          streamId: u31(0),
          associatedTo: u31(4),
          priority: body[8] >> 5,
          fin: (flags & FLAG_FIN) !== 0,
          unidirectional: (flags & 0x02) !== 0,
          headers: decodeHeaderBlock(this.headers.inflate(body.subarray(10))),
        };
      case FrameType.SynReply:
        return { type: 'syn_reply', streamId: u31(0), fin: (flags & FLAG_FIN) !== 0, headers: decodeHeaderBlock(this.headers.inflate(body.subarray(4))) };
      case FrameType.Headers:
        return { type: 'headers', streamId: u31(0), fin: (flags & FLAG_FIN) !== 0, headers: decodeHeaderBlock(this.headers.inflate(body.subarray(4))) };
      case FrameType.RstStream:
        return { type: 'rst_stream', streamId: u31(0), status: body.readUInt32BE(4) };
      case FrameType.Settings: {
        const n = body.readUInt32BE(0);
        const entries = Array.from({ length: n }, (_, i) => ({ flags: body[4 + i * 8], id: body.readUInt32BE(4 + i * 8) & 0xffffff, value: body.readUInt32BE(8 + i * 8) }));
        return { type: 'settings', entries };
      }
      case FrameType.Ping:
        return { type: 'ping', id: body.readUInt32BE(0) };
      case FrameType.GoAway:
        return { type: 'goaway', lastGoodStreamId: u31(0), status: body.readUInt32BE(4) };
      case FrameType.WindowUpdate:
        return { type: 'window_update', streamId: u31(0), delta: u31(4) };
      default:
        return { type: 'unknown', frameType: type };
    }
  }
}

function controlFrame(type: number, flags: number, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE((0x80000000 | (SPDY_VERSION << 16) | type) >>> 0, 0);
  head.writeUInt32BE(((flags << 24) | body.length) >>> 0, 4);
  return Buffer.concat([head, body]);
}

/** Writes SPDY frames; header blocks share this writer's compression context. */
export class SpdyWriter {
  private readonly headers = new HeaderCompression();

  synStream(streamId: number, headers: SpdyHeaders, fin = false): Buffer {
    const fixed = Buffer.alloc(10);
    fixed.writeUInt32BE(streamId, 0);
    return controlFrame(FrameType.SynStream, fin ? FLAG_FIN : 0, Buffer.concat([fixed, this.headers.deflate(encodeHeaderBlock(headers))]));
  }

  synReply(streamId: number, headers: SpdyHeaders = {}, fin = false): Buffer {
    const id = Buffer.alloc(4);
    id.writeUInt32BE(streamId);
    return controlFrame(FrameType.SynReply, fin ? FLAG_FIN : 0, Buffer.concat([id, this.headers.deflate(encodeHeaderBlock(headers))]));
  }

  data(streamId: number, data: Buffer, fin = false): Buffer[] {
    // A data frame holds at most 2^24 - 1 bytes.
    const frames: Buffer[] = [];
    let at = 0;
    do {
      const part = data.subarray(at, at + 0xffffff);
      at += part.length;
      const last = at >= data.length;
      const head = Buffer.alloc(8);
      head.writeUInt32BE(streamId & 0x7fffffff, 0);
      head.writeUInt32BE((((last && fin ? FLAG_FIN : 0) << 24) | part.length) >>> 0, 4);
      frames.push(head, part);
    } while (at < data.length);
    return frames;
  }

  rstStream(streamId: number, status: number): Buffer {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(streamId, 0);
    b.writeUInt32BE(status, 4);
    return controlFrame(FrameType.RstStream, 0, b);
  }

  ping(id: number): Buffer {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(id >>> 0);
    return controlFrame(FrameType.Ping, 0, b);
  }

  goAway(lastGoodStreamId: number, status = 0): Buffer {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(lastGoodStreamId, 0);
    b.writeUInt32BE(status, 4);
    return controlFrame(FrameType.GoAway, 0, b);
  }
}

/** The byte transport a SPDY session runs over: a socket, or a WebSocket tunnel. */
export interface SpdyTransport {
  /** Writes; false when the transport's buffer is full (wait for `onDrain`). */
  write(chunk: Buffer): boolean | void;
  close(): void;
  /** Calls `listener` once the transport can take more. */
  onDrain?(listener: () => void): void;
  /** Stops and restarts reading from the client (a pod connection that cannot keep up). */
  pause?(): void;
  resume?(): void;
}

/**
 * One stream of a server-side session, opened by the client. Emits `data`
 * (Buffer), `end` (the client half-closed it), `reset` (the client or the
 * session aborted it).
 */
export class SpdyStream extends EventEmitter {
  private localClosed = false;
  remoteClosed = false;
  private resetDone = false;

  constructor(
    private readonly session: SpdyServerSession,
    readonly id: number,
    readonly headers: SpdyHeaders,
  ) {
    super();
  }

  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]?.[0];
  }

  get closed(): boolean {
    return this.resetDone || (this.localClosed && this.remoteClosed);
  }

  /** Sends data; false when the connection's buffer is full (the session's `whenWritable` says when to go on). */
  write(data: Buffer): boolean {
    if (this.localClosed || this.resetDone || !data.length) return true;
    return this.session.send(this.session.writer.data(this.id, data));
  }

  /** Half-closes: a FIN (an empty data frame carrying it). */
  end(): void {
    if (this.localClosed || this.resetDone) return;
    this.localClosed = true;
    this.session.send(this.session.writer.data(this.id, Buffer.alloc(0), true));
    this.session.settle(this);
  }

  reset(status: number = RstStatus.Cancel): void {
    if (this.resetDone) return;
    this.resetDone = true;
    this.session.send([this.session.writer.rstStream(this.id, status)]);
    this.emit('reset');
    this.session.settle(this);
  }

  /** From the session: the client's frames for this stream. */
  received(frame: SpdyFrame): void {
    if (frame.type === 'data') {
      if (this.remoteClosed || this.resetDone) return;
      if (frame.data.length) this.emit('data', frame.data);
      if (frame.fin) this.remoteEnded();
    } else if (frame.type === 'rst_stream') {
      if (this.resetDone) return;
      this.resetDone = true;
      this.emit('reset');
      this.session.settle(this);
    }
  }

  remoteEnded(): void {
    if (this.remoteClosed) return;
    this.remoteClosed = true;
    this.emit('end');
    this.session.settle(this);
  }

  /** The connection went away. */
  abort(): void {
    if (this.resetDone) return;
    this.resetDone = true;
    this.emit('reset');
  }
}

/**
 * The server side of a SPDY/3.1 connection (spdystream's, as the kubelet
 * runs it): each SYN_STREAM from the client is offered to `accept`, which
 * says whether to take it (a SYN_REPLY) or refuse it (RST_STREAM); PINGs
 * are echoed; a GOAWAY or a protocol error ends the session. `close` emits
 * once, when the transport is gone.
 */
export class SpdyServerSession extends EventEmitter {
  readonly writer = new SpdyWriter();
  private readonly parser = new SpdyParser();
  private readonly streams = new Map<number, SpdyStream>();
  private lastStreamId = 0;
  private ended = false;
  private pauses = 0;

  constructor(
    private readonly transport: SpdyTransport,
    private readonly accept: (stream: SpdyStream) => string | undefined,
  ) {
    super();
  }

  /** Bytes from the client. */
  receive(chunk: Buffer): void {
    if (this.ended) return;
    let frames: SpdyFrame[];
    try {
      frames = this.parser.push(chunk);
    } catch (err) {
      this.emit('protocolError', err);
      this.close();
      return;
    }
    for (const f of frames) this.handle(f);
  }

  /** Writes frames; false when the transport is full (see `whenWritable`). */
  send(chunks: Buffer[]): boolean {
    if (this.ended) return true;
    let room = true;
    for (const c of chunks) room = this.transport.write(c) !== false && room;
    return room;
  }

  /** Calls `listener` once the transport has room again (at once if it cannot tell). */
  whenWritable(listener: () => void): void {
    if (this.transport.onDrain) this.transport.onDrain(listener);
    else listener();
  }

  /**
   * Stops reading from the client until every `pause` has had its `resume`
   * (every stream waits: SPDY here has no flow control).
   */
  pause(): void {
    if (this.pauses++ === 0) this.transport.pause?.();
  }

  resume(): void {
    if (this.pauses > 0 && --this.pauses === 0) this.transport.resume?.();
  }

  /** Forgets a stream once both sides are done with it. */
  settle(stream: SpdyStream): void {
    if (stream.closed) this.streams.delete(stream.id);
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /** Ends the session: every stream is aborted, a GOAWAY goes out, the transport closes. */
  close(): void {
    if (this.ended) return;
    this.send([this.writer.goAway(this.lastStreamId)]);
    this.transportClosed();
    this.transport.close();
  }

  /** The transport went away (or close() ended it). */
  transportClosed(): void {
    if (this.ended) return;
    this.ended = true;
    for (const s of this.streams.values()) s.abort();
    this.streams.clear();
    this.emit('close');
  }

  private handle(f: SpdyFrame): void {
    switch (f.type) {
      case 'syn_stream': {
        if (f.streamId % 2 === 0 || f.streamId <= this.lastStreamId) {
          this.send([this.writer.rstStream(f.streamId, RstStatus.ProtocolError)]);
          return;
        }
        this.lastStreamId = f.streamId;
        const stream = new SpdyStream(this, f.streamId, f.headers);
        const refusal = this.accept(stream);
        if (refusal !== undefined) {
          this.emit('refused', stream, refusal);
          this.send([this.writer.rstStream(f.streamId, RstStatus.RefusedStream)]);
          return;
        }
        this.streams.set(f.streamId, stream);
        this.send([this.writer.synReply(f.streamId)]);
        this.emit('stream', stream);
        if (f.fin) stream.remoteEnded();
        return;
      }
      case 'data':
      case 'rst_stream':
        this.streams.get(f.streamId)?.received(f);
        return;
      case 'headers':
        if (f.fin) this.streams.get(f.streamId)?.remoteEnded();
        return;
      case 'ping':
        // The client's pings have odd ids; echo them. (This side sends none.)
        if (f.id % 2 === 1) this.send([this.writer.ping(f.id)]);
        return;
      case 'goaway':
        this.close();
        return;
      default:
        // SETTINGS, WINDOW_UPDATE, SYN_REPLY to nothing, unknown types: nothing to do.
        return;
    }
  }
}
