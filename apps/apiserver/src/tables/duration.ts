// Timestamps as `kubectl get` prints them in AGE-like columns. The duration
// format itself is Kubernetes' HumanDuration, shared in @logbook/machinery.
import { humanDuration } from '@logbook/machinery';

export { humanDuration };

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 timestamp (metav1.Time / MicroTime). Returns null for
 * an empty value and NaN for one that is not RFC 3339. */
export function parseTimestamp(value: unknown): number | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || !RFC3339.test(value)) return Number.NaN;
  return Date.parse(value);
}

/** Time elapsed since `timestamp`, as `kubectl get` shows it in AGE columns;
 * `<unknown>` when the timestamp is missing (translateTimestampSince). */
export function since(timestamp: unknown, now: Date): string {
  const t = parseTimestamp(timestamp);
  if (t === null || Number.isNaN(t)) return '<unknown>';
  return humanDuration(now.getTime() - t);
}
