import * as yaml from 'js-yaml';

export function columnWidths(header: string[], rows: string[][]): number[] {
  const all = [header, ...rows];
  return header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
}

/** Columns separated by three spaces, as kubectl's tabwriter prints them (with given widths: as wide as those, at least). */
export function formatTable(header: string[], rows: string[][], widthsAtLeast?: number[]): string {
  const all = [header, ...rows];
  const widths = columnWidths(header, rows).map((w, i) => Math.max(w, widthsAtLeast?.[i] ?? 0));
  return all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : (cell ?? '').padEnd(widths[i]))).join('   ').trimEnd()).join('\n') + '\n';
}

/** RFC 3339 to the second. */
export const shortTime = (iso: string): string => iso.replace(/\.\d+Z$/, 'Z');

export function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export type Output = 'table' | 'wide' | 'json' | 'yaml' | 'jsonl' | 'name';

export function parseOutput<T extends Output>(value: string | undefined, allowed: T[], fallback: T): T {
  const v = (value ?? fallback) as T;
  if (!allowed.includes(v)) throw new Error(`unable to match a printer suitable for the output format "${value}", allowed formats are: ${allowed.join(',')}`);
  return v;
}

export function dump(value: unknown, output: 'json' | 'yaml'): string {
  return output === 'json' ? JSON.stringify(value, null, 2) + '\n' : yaml.dump(value, { noRefs: true, lineWidth: -1 });
}
