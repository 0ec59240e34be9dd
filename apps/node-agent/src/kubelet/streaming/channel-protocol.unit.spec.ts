import { CLOSE_SIGNAL, decodeMessage, encodeMessage, errorStatus, exitStatus, negotiateProtocol, parseResize, StreamProtocol } from './channel-protocol';

describe('the remote-command channel protocols', () => {
  it('negotiates the first offered protocol it speaks: v5 for kubectl 1.32, v4 for older clients, none for unknown ones', () => {
    expect(negotiateProtocol(['v5.channel.k8s.io'])).toBe('v5.channel.k8s.io');
    expect(negotiateProtocol(['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'])).toBe('v4.channel.k8s.io');
    expect(negotiateProtocol(['base64.channel.k8s.io'])).toBe('base64.channel.k8s.io');
    expect(negotiateProtocol(['SPDY/3.1+portforward.k8s.io'])).toBeUndefined();
  });

  it('prefixes binary messages with the channel byte, both ways', () => {
    const frame = encodeMessage(StreamProtocol.V5, 1, Buffer.from('hi\n')) as Buffer;
    expect([...frame]).toEqual([1, 104, 105, 10]);
    expect(decodeMessage(StreamProtocol.V5, Buffer.from([0, 102, 111, 111, 10]))).toEqual({ kind: 'data', channel: 0, data: Buffer.from('foo\n') });
    // An empty data message on a channel (the "streams are ready" signal) is just the channel byte.
    expect([...(encodeMessage(StreamProtocol.V5, 1, Buffer.alloc(0)) as Buffer)]).toEqual([1]);
    expect(decodeMessage(StreamProtocol.V5, Buffer.alloc(0))).toBeUndefined();
  });

  it("reads v5's close signal [255, channel], and only in v5", () => {
    expect(decodeMessage(StreamProtocol.V5, Buffer.from([CLOSE_SIGNAL, 0]))).toEqual({ kind: 'close', channel: 0 });
    expect(() => decodeMessage(StreamProtocol.V5, Buffer.from([CLOSE_SIGNAL, 0, 1]))).toThrow(/single channel byte/);
    // In v4, 255 is just an (unknown) channel number.
    expect(decodeMessage(StreamProtocol.V4, Buffer.from([CLOSE_SIGNAL, 0]))).toEqual({ kind: 'data', channel: 255, data: Buffer.from([0]) });
  });

  it('encodes the base64 protocols as text: an ASCII channel digit, then base64', () => {
    expect(encodeMessage(StreamProtocol.V1Base64, 1, Buffer.from('\n'))).toBe('1Cg==');
    expect(decodeMessage(StreamProtocol.V4Base64, '0Zm9vCg==')).toEqual({ kind: 'data', channel: 0, data: Buffer.from('foo\n') });
    expect(() => decodeMessage(StreamProtocol.V4Base64, '0!!!')).toThrow(/invalid base64/);
  });

  it('reads terminal sizes from the resize channel', () => {
    expect(parseResize(Buffer.from('{"Width":120,"Height":40}'))).toEqual({ width: 120, height: 40 });
    expect(parseResize(Buffer.from('{"Width":"x"}'))).toBeUndefined();
    expect(parseResize(Buffer.from('nope'))).toBeUndefined();
  });

  it('reports the exit code as client-go reads it: Success, or NonZeroExitCode with an ExitCode cause', () => {
    expect(JSON.parse(exitStatus(StreamProtocol.V5, 0).toString())).toEqual({ metadata: {}, status: 'Success' });
    const failed = JSON.parse(exitStatus(StreamProtocol.V5, 7).toString());
    expect(failed).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '7' }] } });
    expect(JSON.parse(exitStatus(StreamProtocol.V4, 2).toString()).details.causes[0].message).toBe('2');
    // Before v4 the error channel carries a plain message, and nothing on success.
    expect(exitStatus(StreamProtocol.V1, 0).length).toBe(0);
    expect(exitStatus(StreamProtocol.V1, 3).toString()).toContain('exit status 3');
    expect(JSON.parse(errorStatus(StreamProtocol.V5, 'boom').toString())).toMatchObject({ status: 'Failure', message: 'boom', code: 500 });
  });
});
