import { ChildProcess, spawn } from 'child_process';
import type { WebSocket } from 'ws';
import { exitCodeOf } from '../../runtime/process/container-process';
import { Channel, decodeMessage, encodeMessage, errorStatus, exitStatus, parseResize } from './channel-protocol';

/** PodExecOptions as the query string carries them (`command` repeated, one per argument). */
export interface ExecOptions {
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  /** With a TTY: the terminal's size when the command starts (kubectl sends it first thing on the resize channel). */
  size?: { width: number; height: number };
}

/** What to run for an exec: the program, its arguments, environment and working directory. */
export interface ExecCommand {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
}

/** Parses PodExecOptions from a query; throws a message for what Kubernetes refuses. */
export function parseExecOptions(q: URLSearchParams): ExecOptions {
  const bool = (k: string) => q.get(k) === 'true' || q.get(k) === '1';
  const opts: ExecOptions = { command: q.getAll('command'), stdin: bool('stdin'), stdout: bool('stdout'), stderr: bool('stderr'), tty: bool('tty') };
  if (!opts.command.length || !opts.command[0]) throw new Error('you must specify at least 1 command');
  if (!opts.stdin && !opts.stdout && !opts.stderr) throw new Error('you must specify at least 1 of stdin, stdout, stderr');
  if (opts.tty && opts.stderr) opts.stderr = false; // a terminal has one output stream
  return opts;
}

/** Output waiting in the WebSocket beyond which the command's output is paused (backpressure). */
const HIGH_WATER = 1 << 20;
/** How long a TTY session waits for the client's first terminal size before the command starts without one. */
const FIRST_SIZE_WAIT_MS = 500;

/**
 * Runs one `kubectl exec` over an upgraded WebSocket in one of the channel
 * subprotocols (channel-protocol.ts), as the kubelet's remotecommand server
 * does:
 *
 * - an empty message on the lowest writable channel tells the client the
 *   streams are ready;
 * - stdin (channel 0) feeds the command; v5's close signal for channel 0,
 *   or the end of the connection, closes its standard input;
 * - its stdout and stderr go to channels 1 and 2 (with a TTY both go to 1);
 * - when it has exited and its output is out, the exit status goes on
 *   channel 3 and the server closes the WebSocket (normal closure), which
 *   ends the client's streams;
 * - a client that goes away kills the command (its whole process group).
 *
 * With a TTY the command starts once the client's first terminal size has
 * come (or after FIRST_SIZE_WAIT_MS), so it starts on a terminal of the
 * right size; later sizes go to `resize`. `command` makes the command line
 * for that first size.
 */
export async function serveExec(
  ws: WebSocket,
  protocol: string,
  opts: ExecOptions,
  command: (size?: ExecOptions['size']) => ExecCommand,
  resize?: (size: { width: number; height: number }, pid: number) => void,
): Promise<number | undefined> {
  let firstSize: ExecOptions['size'];
  const early: (Buffer | string)[] = [];
  send0(ws, protocol, opts);
  if (opts.tty) {
    // Hold the client's messages until the command runs; the first size decides its terminal.
    const hold = (raw: Buffer, isBinary: boolean) => early.push(isBinary ? raw : raw.toString('utf8'));
    ws.on('message', hold);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, FIRST_SIZE_WAIT_MS);
      const look = (raw: Buffer, isBinary: boolean) => {
        const m = safeDecode(protocol, isBinary ? raw : raw.toString('utf8'));
        if (m?.kind === 'data' && m.channel === Channel.Resize) firstSize = parseResize(m.data);
        if (firstSize || ws.readyState !== ws.OPEN) {
          clearTimeout(timer);
          ws.off('message', look);
          resolve();
        }
      };
      ws.on('message', look);
      ws.once('close', () => (clearTimeout(timer), resolve()));
    });
    ws.off('message', hold);
    if (ws.readyState !== ws.OPEN) return undefined;
  }
  return run(ws, protocol, opts, command(firstSize), early, resize);
}

/** The empty message on the lowest writable channel that tells the client its streams are ready. */
function send0(ws: WebSocket, protocol: string, opts: ExecOptions): void {
  ws.send(encodeMessage(protocol, opts.stdout ? Channel.Stdout : opts.stderr ? Channel.Stderr : Channel.Error, Buffer.alloc(0)));
}

function safeDecode(protocol: string, message: Buffer | string) {
  try {
    return decodeMessage(protocol, message);
  } catch {
    return undefined;
  }
}

function run(
  ws: WebSocket,
  protocol: string,
  opts: ExecOptions,
  cmd: ExecCommand,
  early: (Buffer | string)[],
  resize?: (size: { width: number; height: number }, pid: number) => void,
): Promise<number | undefined> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    let pending = 0;
    let finished = false;
    const send = (channel: number, data: Buffer, done?: () => void) => {
      if (ws.readyState !== ws.OPEN) return;
      pending += data.length;
      ws.send(encodeMessage(protocol, channel, data), () => {
        pending -= data.length;
        if (pending < HIGH_WATER) {
          child?.stdout?.resume();
          child?.stderr?.resume();
        }
        done?.();
      });
      if (pending >= HIGH_WATER) {
        child?.stdout?.pause();
        child?.stderr?.pause();
      }
    };
    const end = (status: Buffer, code: number | undefined) => {
      if (finished) return;
      finished = true;
      send(Channel.Error, status, () => ws.close(1000));
      if (ws.readyState !== ws.OPEN) ws.terminate();
      resolve(code);
    };

    try {
      child = spawn(cmd.file, cmd.args, { env: cmd.env, cwd: cmd.cwd, detached: true, stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    } catch (err) {
      end(errorStatus(protocol, `failed to exec in container: ${(err as Error).message}`), undefined);
      return;
    }
    child.stdin?.on('error', () => undefined); // the command may exit without reading its input
    child.stdout!.on('data', (d: Buffer) => opts.stdout && send(Channel.Stdout, d));
    child.stderr!.on('data', (d: Buffer) => (opts.stderr ? send(Channel.Stderr, d) : opts.tty && opts.stdout && send(Channel.Stdout, d)));
    let spawnError: Error | undefined;
    child.on('error', (err) => (spawnError = err));
    child.on('close', (code, signal) => {
      if (spawnError) return end(errorStatus(protocol, `failed to exec in container: starting container process caused: exec: "${cmd.file}": ${spawnError.message}`), undefined);
      const exitCode = exitCodeOf(code, signal);
      end(exitStatus(protocol, exitCode), exitCode);
    });

    const onMessage = (message: Buffer | string) => {
      const m = safeDecode(protocol, message);
      if (!m) return;
      if (m.kind === 'close') {
        if (m.channel === Channel.Stdin) child.stdin?.end();
        return;
      }
      if (m.channel === Channel.Stdin && child.stdin?.writable) {
        // A command that reads slower than the client sends: stop reading the WebSocket until it catches up.
        if (!child.stdin.write(m.data)) {
          ws.pause();
          child.stdin.once('drain', () => ws.resume());
          child.stdin.once('close', () => ws.resume());
        }
      }
      else if (m.channel === Channel.Resize && resize) {
        const size = parseResize(m.data);
        if (size && child.pid !== undefined) resize(size, child.pid);
      }
    };
    for (const m of early) onMessage(m);
    ws.on('message', (raw: Buffer, isBinary: boolean) => onMessage(isBinary ? raw : raw.toString('utf8')));
    ws.on('close', () => {
      child.stdin?.end();
      if (!finished && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    });
  });
}
