import { execFile } from 'child_process';

/** Runs a program to completion; rejects with its stderr on a non-zero exit. */
export function run(file: string, args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { timeout: opts.timeoutMs ?? 10_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')}: ${String(stderr).trim() || err.message}`));
      else resolve(String(stdout));
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Whether this process may create network and mount namespaces (root with CAP_SYS_ADMIN and CAP_NET_ADMIN). */
export function canIsolatePods(): boolean {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return false;
  try {
    // CapEff bits 12 (NET_ADMIN) and 21 (SYS_ADMIN).
    const status = require('fs').readFileSync('/proc/self/status', 'utf8') as string;
    const hex = /^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1];
    if (!hex) return false;
    const caps = BigInt(`0x${hex}`);
    return (caps & (1n << 12n)) !== 0n && (caps & (1n << 21n)) !== 0n;
  } catch {
    return false;
  }
}
