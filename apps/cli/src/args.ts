/** Command-line parsing: positionals and flags (`--name value`, `--name=value`, `-n value`, booleans). */

export interface FlagSpec {
  /** Long name without dashes. */
  name: string;
  short?: string;
  boolean?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string>;
}

export class UsageError extends Error {}

export function parseArgs(argv: string[], specs: FlagSpec[]): ParsedArgs {
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const positionals: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let spec: FlagSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      spec = byLong.get(name);
      if (!spec) throw new UsageError(`unknown flag: --${name}`);
    } else if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
      const name = arg.slice(1, 2);
      spec = byShort.get(name);
      if (!spec) throw new UsageError(`unknown shorthand flag: '${name}' in ${arg}`);
      if (arg.length > 2) inline = arg.slice(2).replace(/^=/, '');
    } else {
      positionals.push(arg);
      continue;
    }
    if (spec.boolean) {
      if (inline !== undefined && !['true', 'false'].includes(inline)) throw new UsageError(`--${spec.name} takes no value (or =true/=false)`);
      flags.set(spec.name, inline ?? 'true');
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`flag needs an argument: --${spec.name}`);
    flags.set(spec.name, value);
  }
  return { positionals, flags };
}

/**
 * An object as kubectl names it: `deployment/web`, `deploy web`, or just a
 * type (`pods`). Returns the type and the name, if any.
 */
export function parseObjectArgs(positionals: string[]): { type?: string; name?: string } {
  if (positionals.length === 0) return {};
  const [first, second] = positionals;
  if (positionals.length > 2) throw new UsageError(`too many arguments: ${positionals.join(' ')}`);
  if (first.includes('/')) {
    if (second !== undefined) throw new UsageError(`there is no need to specify a resource type as a separate argument when passing arguments in resource/name form`);
    const [type, ...rest] = first.split('/');
    const name = rest.join('/');
    if (!type || !name) throw new UsageError(`arguments in resource/name form must have a single resource and name: ${first}`);
    return { type, name };
  }
  return { type: first, name: second };
}
