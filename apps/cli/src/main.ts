#!/usr/bin/env node
/**
 * `logbook` — history, explain, replay, audit and time travel against a
 * Logbook API server over HTTP. Installed as `logbook` and as the kubectl
 * plugin `kubectl-logbook` (so `kubectl logbook history deploy/web` works).
 * It finds the server as kubectl does: --server/--token, else the current
 * context of $KUBECONFIG or ~/.kube/config (--kubeconfig, --context), else
 * http://127.0.0.1:8080.
 */
import '../../logbook/src/register-paths';
import * as path from 'path';
import { UsageError } from './args';
import { COMMANDS, GLOBAL_FLAGS, Io, runCommand } from './commands';
import { ServerError } from './connection';

function usage(program: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Ask the Logbook event log what happened, who did it, and why.',
    '',
    'Usage:',
    `  ${program} COMMAND [ARGS] [FLAGS]`,
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}   ${c.summary}`),
    '',
    'Connection flags (as kubectl): --server, --token, --kubeconfig, --context, --insecure-skip-tls-verify',
    `Run "${program} COMMAND --help" for a command's flags.`,
    '',
  ].join('\n');
}

/** Splits off the command name; global flags may come before it (`logbook --server URL history`). */
export function splitCommand(argv: string[]): { name?: string; rest: string[] } {
  const before: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-') || a === '-') return { name: a, rest: [...before, ...argv.slice(i + 1)] };
    before.push(a);
    const long = a.startsWith('--') ? a.slice(2) : undefined;
    const spec = GLOBAL_FLAGS.find((f) => (long !== undefined ? f.name === long : a.length === 2 && f.short === a.slice(1)));
    if (spec && !spec.boolean && i + 1 < argv.length) before.push(argv[++i]);
  }
  // Only flags: `--help`, or a flag error the command parser will report.
  return { name: before.find((a) => a === '--help' || a === '-h'), rest: before };
}

export async function main(argv: string[], io: Io, program = 'logbook'): Promise<number> {
  const { name, rest } = splitCommand(argv);
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.out(usage(program));
    return name ? 0 : 1;
  }
  const cmd = COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
  if (!cmd) {
    io.err(`error: unknown command "${name}" for "${program}"\n\n${usage(program)}`);
    return 1;
  }
  try {
    await runCommand(cmd, rest, io);
    return 0;
  } catch (err) {
    if (err instanceof ServerError) io.err(`Error from server${err.reason ? ` (${err.reason})` : ''}: ${err.message}\n`);
    else if (err instanceof UsageError) io.err(`error: ${err.message}\nSee '${program} ${cmd.name} --help' for usage.\n`);
    else io.err(`error: ${(err as Error).message ?? err}\n`);
    return 1;
  }
}

if (require.main === module) {
  const invokedAs = path.basename(process.argv[1] ?? 'logbook').replace(/\.js$/, '');
  const program = invokedAs === 'kubectl-logbook' ? 'kubectl logbook' : 'logbook';
  const io: Io = {
    out: (s) => void process.stdout.write(s),
    err: (s) => void process.stderr.write(s),
    progress: process.stderr.isTTY === true,
  };
  // A closed pipe (`logbook history | head`) is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
  });
  void main(process.argv.slice(2), io, program).then((code) => {
    process.exitCode = code;
  });
}
