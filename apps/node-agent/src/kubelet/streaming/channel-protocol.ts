/**
 * The WebSocket remote-command subprotocols of Kubernetes (apimachinery's
 * wsstream, the kubelet's and client-go's remotecommand):
 *
 * - every message starts with one byte naming its channel — 0 stdin,
 *   1 stdout, 2 stderr, 3 error (a metav1.Status, from v4 on), 4 resize
 *   (JSON `{"Width":w,"Height":h}`);
 * - `v5.channel.k8s.io` adds a close signal: the message `[255, channel]`
 *   half-closes a channel (the client's stdin at its end of input);
 * - `base64.channel.k8s.io` variants send text messages: the channel as an
 *   ASCII digit, then the data in base64.
 *
 * kubectl 1.32 asks for `v5.channel.k8s.io` only; older clients (and
 * @kubernetes/client-node) ask for v4 and earlier.
 */
export const StreamProtocol = {
  V5: 'v5.channel.k8s.io',
  V4: 'v4.channel.k8s.io',
  V4Base64: 'v4.base64.channel.k8s.io',
  V1: 'channel.k8s.io',
  V1Base64: 'base64.channel.k8s.io',
} as const;

/** The subprotocols this kubelet speaks, most preferred first. */
export const EXEC_PROTOCOLS: readonly string[] = [StreamProtocol.V5, StreamProtocol.V4, StreamProtocol.V4Base64, StreamProtocol.V1, StreamProtocol.V1Base64];

export const Channel = { Stdin: 0, Stdout: 1, Stderr: 2, Error: 3, Resize: 4 } as const;
/** v5's close signal: `[CLOSE_SIGNAL, channel]`. */
export const CLOSE_SIGNAL = 255;

/** Picks the subprotocol: the first one the client offers that the server speaks (wsstream's handshake). */
export function negotiateProtocol(offered: Iterable<string>, supported: readonly string[] = EXEC_PROTOCOLS): string | undefined {
  for (const p of offered) if (supported.includes(p)) return p;
  return undefined;
}

const isBase64 = (protocol: string) => protocol.includes('base64.');

/** A decoded client message: data for a channel, or (v5) the close of one. */
export type ChannelMessage = { kind: 'data'; channel: number; data: Buffer } | { kind: 'close'; channel: number };

/** One message on a channel, as this subprotocol frames it (binary: `[channel, ...data]`; base64: `"<digit><base64>"`). */
export function encodeMessage(protocol: string, channel: number, data: Buffer): Buffer | string {
  if (isBase64(protocol)) return String.fromCharCode(48 + channel) + data.toString('base64');
  const frame = Buffer.allocUnsafe(data.length + 1);
  frame[0] = channel;
  data.copy(frame, 1);
  return frame;
}

/**
 * Decodes a client message; undefined for an empty one (ignored, as wsstream
 * does). Throws on a malformed close signal or bad base64.
 */
export function decodeMessage(protocol: string, message: Buffer | string): ChannelMessage | undefined {
  if (isBase64(protocol)) {
    const text = typeof message === 'string' ? message : message.toString('latin1');
    if (!text.length) return undefined;
    const payload = text.slice(1);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(payload) || payload.length % 4 === 1) throw new Error(`channel ${text[0]}: invalid base64 data`);
    return { kind: 'data', channel: text.charCodeAt(0) - 48, data: Buffer.from(payload, 'base64') };
  }
  const buf = typeof message === 'string' ? Buffer.from(message) : message;
  if (!buf.length) return undefined;
  if (protocol === StreamProtocol.V5 && buf[0] === CLOSE_SIGNAL) {
    if (buf.length !== 2) throw new Error(`a single channel byte should follow the stream close signal, got ${buf.length - 1} bytes`);
    return { kind: 'close', channel: buf[1] };
  }
  return { kind: 'data', channel: buf[0], data: buf.subarray(1) };
}

/** A terminal size from the resize channel (`{"Width":80,"Height":24}`), or undefined if it is not one. */
export function parseResize(data: Buffer): { width: number; height: number } | undefined {
  try {
    const v = JSON.parse(data.toString('utf8')) as { Width?: unknown; Height?: unknown };
    if (typeof v.Width !== 'number' || typeof v.Height !== 'number') return undefined;
    return { width: v.Width, height: v.Height };
  } catch {
    return undefined;
  }
}

/**
 * What goes on the error channel when the command has ended (v4 and v5): a
 * metav1.Status — Success, or Failure with reason NonZeroExitCode and the
 * exit code as an `ExitCode` cause, which kubectl turns into its own exit
 * code ("command terminated with exit code N"). Earlier protocols take a
 * plain message and nothing on success.
 */
export function exitStatus(protocol: string, exitCode: number): Buffer {
  const v4 = protocol === StreamProtocol.V5 || protocol.startsWith('v4.');
  if (!v4) return Buffer.from(exitCode === 0 ? '' : `command terminated with non-zero exit code: exit status ${exitCode}`);
  if (exitCode === 0) return Buffer.from(JSON.stringify({ metadata: {}, status: 'Success' }));
  return Buffer.from(
    JSON.stringify({
      metadata: {},
      status: 'Failure',
      message: `command terminated with non-zero exit code: error executing command [exit status ${exitCode}], exit code ${exitCode}`,
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
    }),
  );
}

/** An error that kept the command from running (v4/v5: a Failure Status; earlier: its message). */
export function errorStatus(protocol: string, message: string, code = 500, reason = 'InternalError'): Buffer {
  const v4 = protocol === StreamProtocol.V5 || protocol.startsWith('v4.');
  if (!v4) return Buffer.from(message);
  return Buffer.from(JSON.stringify({ metadata: {}, status: 'Failure', message, reason, code }));
}
