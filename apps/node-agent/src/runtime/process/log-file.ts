import * as fs from 'fs';

/**
 * One container run's log, as CRI runtimes keep it: a line per output line,
 * `<RFC 3339 time> <stdout|stderr> <text>`, so `kubectl logs --timestamps`
 * and `--since` can be answered and streams kept apart.
 */
export class LogWriter {
  private readonly fd: number;
  private readonly partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  private closed = false;

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, 'a');
  }

  write(stream: 'stdout' | 'stderr', chunk: Buffer | string): void {
    if (this.closed) return;
    const text = this.partial[stream] + chunk.toString();
    const lines = text.split('\n');
    this.partial[stream] = lines.pop() ?? '';
    if (!lines.length) return;
    const at = new Date().toISOString();
    fs.writeSync(this.fd, lines.map((l) => `${at} ${stream} ${l}\n`).join(''));
  }

  close(): void {
    if (this.closed) return;
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) {
        this.write(stream, '\n');
      }
    }
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

export interface LogLine {
  time: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** Parses a log file's lines (a trailing incomplete line is left for later). */
export function parseLogLines(text: string): { lines: LogLine[]; rest: string } {
  const parts = text.split('\n');
  const rest = parts.pop() ?? '';
  const lines: LogLine[] = [];
  for (const p of parts) {
    const s1 = p.indexOf(' ');
    const s2 = p.indexOf(' ', s1 + 1);
    if (s1 < 0 || s2 < 0) continue;
    lines.push({ time: p.slice(0, s1), stream: p.slice(s1 + 1, s2) as LogLine['stream'], text: p.slice(s2 + 1) });
  }
  return { lines, rest };
}
