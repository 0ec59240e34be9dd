import { execFile } from 'child_process';
import * as fs from 'fs';

/** Quotes a word for `sh -c`. */
const shellQuote = (word: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/**
 * A command line that runs `command` on a pseudo-terminal of its own, for
 * `kubectl exec -t`: util-linux `script` allocates the pty (Node.js cannot
 * without a native module), copies its input to the terminal and the
 * terminal to its output, and exits with the command's code (`-e`). With
 * `size`, the terminal has that size before the command starts.
 */
export function onTerminal(command: string[], size?: { width: number; height: number }): string[] {
  const line = command.map(shellQuote).join(' ');
  const sized = size ? `stty rows ${Math.trunc(size.height)} cols ${Math.trunc(size.width)} 2>/dev/null; exec ${line}` : `exec ${line}`;
  return ['script', '--quiet', '--return', '--command', sized, '/dev/null'];
}

/**
 * Sets the size of the terminal that `script` (process `pid`) gave its
 * command: `stty` on the command's terminal device, which makes the kernel
 * send SIGWINCH to it as a terminal emulator's resize does. Retries while
 * the command is still starting; gives up quietly.
 */
export async function resizeTerminal(pid: number, size: { width: number; height: number }, attempts = 10): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    const device = terminalOf(pid);
    if (device) {
      await new Promise<void>((resolve) => execFile('stty', ['-F', device, 'rows', String(size.height), 'cols', String(size.width)], () => resolve()));
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The terminal device of `script`'s child: its standard input, `/dev/pts/N`. */
function terminalOf(pid: number): string | undefined {
  try {
    const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    for (const child of children) {
      const fd0 = fs.readlinkSync(`/proc/${child}/fd/0`);
      if (fd0.startsWith('/dev/pts/')) return fd0;
    }
  } catch {
    /* not started yet, or gone */
  }
  return undefined;
}
