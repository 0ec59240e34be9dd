// Human-readable durations exactly as Kubernetes prints them
// (k8s.io/apimachinery/pkg/util/duration HumanDuration): about two
// significant figures, e.g. 5s, 119s, 3m20s, 45m, 4h5m, 12h, 2d3h, 45d, 3y45d.
//
// Kept local to apps/apiserver/src/tables so it can later be swapped for the
// shared libs/machinery implementation.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Formats a duration given in milliseconds. Negative durations of more than
 * one second (clock skew beyond tolerance) give `<invalid>`. */
export function humanDuration(ms: number): string {
  // Go truncates toward zero (int(d.Seconds())): -1.9s counts as -1s.
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;

  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;

  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    const days = Math.trunc(hours / 24);
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const years = Math.trunc(hours / 24 / 365);
    const dy = Math.trunc(hours / 24) % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

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
