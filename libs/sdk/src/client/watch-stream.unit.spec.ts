import { ApiError, isResourceExpired } from '@logbook/machinery';
import { decodeWatchLine, LineSplitter } from './watch-stream';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('LineSplitter', () => {
  it('yields complete lines only, joining lines split across chunks', () => {
    const s = new LineSplitter();
    expect(s.push(bytes('{"a":1}\n{"b"'))).toEqual(['{"a":1}']);
    expect(s.push(bytes(':2}'))).toEqual([]);
    expect(s.push(bytes('\n\n{"c":3}\n'))).toEqual(['{"b":2}', '{"c":3}']);
    expect(s.end()).toEqual([]);
  });

  it('keeps a multi-byte character split between chunks intact', () => {
    const s = new LineSplitter();
    const all = bytes('{"name":"ü-€"}\n');
    const out = [...s.push(all.slice(0, 11)), ...s.push(all.slice(11, 13)), ...s.push(all.slice(13))];
    expect(out).toEqual(['{"name":"ü-€"}']);
  });

  it('hands out an unterminated last line at the end', () => {
    const s = new LineSplitter();
    expect(s.push(bytes('{"x":1}'))).toEqual([]);
    expect(s.end()).toEqual(['{"x":1}']);
  });
});

describe('decodeWatchLine', () => {
  it('types object events and bookmarks', () => {
    expect(decodeWatchLine('{"type":"ADDED","object":{"kind":"Pod"}}')).toEqual({ type: 'ADDED', object: { kind: 'Pod' } });
    expect(decodeWatchLine('{"type":"BOOKMARK","object":{"kind":"Pod","metadata":{"resourceVersion":"42"}}}')).toEqual({
      type: 'BOOKMARK',
      resourceVersion: '42',
    });
  });

  it('throws the ApiError an ERROR event carries', () => {
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 410, reason: 'Expired', message: 'too old resource version: 1 (5)' };
    let err: unknown;
    try {
      decodeWatchLine(JSON.stringify({ type: 'ERROR', object: status }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect(isResourceExpired(err)).toBe(true);
    expect((err as ApiError).code).toBe(410);
  });

  it('rejects lines that are not events', () => {
    expect(() => decodeWatchLine('not json')).toThrow(/not a JSON event/);
    expect(() => decodeWatchLine('{"type":"SOMETHING"}')).toThrow(/unknown event type/);
  });
});
