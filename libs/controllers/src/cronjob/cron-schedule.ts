/**
 * CronJob schedules: what `cron.ParseStandard` (robfig/cron v3) accepts in
 * kube-controller-manager, computed with cron-parser.
 *
 * - five fields (minute hour day-of-month month day-of-week), `?` for `*`,
 *   names (JAN, MON), ranges, lists and steps; a restricted day of month
 *   and day of week match when either does (as cron and robfig do);
 * - the descriptors `@yearly` `@annually` `@monthly` `@weekly` `@daily`
 *   `@midnight` `@hourly`, and `@every <Go duration>` (at least a second,
 *   counted from the last run rather than aligned to the clock);
 * - a time zone: the CronJob's `spec.timeZone` (an IANA name), else the
 *   controller's own (kube uses the kube-controller-manager's local time).
 *
 * Times are milliseconds since the epoch. `next(t)` is the first run
 * strictly after `t`.
 */
import { CronExpressionParser } from 'cron-parser';

/** A schedule that cannot be used: the reason is what kube reports in an event. */
export class CronScheduleError extends Error {
  constructor(
    message: string,
    readonly reason: 'UnparseableSchedule' | 'UnknownTimeZone' | 'InvalidSchedule' = 'UnparseableSchedule',
  ) {
    super(message);
    this.name = 'CronScheduleError';
  }
}

export interface CronSchedule {
  /** The first run strictly after `after`, or undefined if there is none. */
  next(after: number): number | undefined;
  /** The runs strictly after `after`, in order (endless unless the schedule has none). */
  runsAfter(after: number): Iterable<number>;
  /** The latest run at or before `atOrBefore`, when the schedule can go backwards (`@every` cannot). */
  previous?(atOrBefore: number): number | undefined;
}

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Month and weekday names, which may contain letters that are otherwise unsupported (JUL, WED, THU). */
const NAMES = /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|sun|mon|tue|wed|thu|fri|sat)\b/gi;

const GO_DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in milliseconds (no sign: a schedule interval is never negative). */
export function parseGoDuration(text: string): number {
  const s = text.trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while (pos < s.length && (m = re.exec(s)) !== null) {
    total += parseFloat(m[1]) * GO_DURATION_UNITS[m[2]];
    pos = re.lastIndex;
  }
  if (s.length === 0 || pos !== s.length) throw new CronScheduleError(`time: invalid duration "${text}"`);
  return total;
}

/** The controller's own time zone (the process's local zone), used when a CronJob names none. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Whether `tz` names a time zone this runtime knows (Go's time.LoadLocation). */
export function isKnownTimeZone(tz: string): boolean {
  if (!tz || tz !== tz.trim()) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses a CronJob schedule in `timeZone` (default: the local zone).
 * Throws CronScheduleError for what robfig's ParseStandard rejects.
 */
export function parseCronSchedule(schedule: string, timeZone?: string): CronSchedule {
  const tz = timeZone ?? localTimeZone();
  if (!isKnownTimeZone(tz)) throw new CronScheduleError(`unknown time zone ${tz}`, 'UnknownTimeZone');
  const spec = schedule.trim();
  if (spec.startsWith('@every')) {
    const rest = spec.slice('@every'.length);
    if (!/^\s+\S/.test(rest)) throw new CronScheduleError(`failed to parse duration ${spec}: time: invalid duration ""`);
    // robfig: at least one second, whole seconds, from the last run (time zones do not matter).
    const every = Math.max(1000, Math.floor(parseGoDuration(rest) / 1000) * 1000);
    const next = (after: number) => Math.floor(after / 1000) * 1000 + every;
    return {
      next,
      *runsAfter(after) {
        for (let t = next(after); ; t = next(t)) yield t;
      },
    };
  }
  let expression: string;
  if (spec.startsWith('@')) {
    expression = DESCRIPTORS[spec];
    if (!expression) throw new CronScheduleError(`unrecognized descriptor: ${spec}`);
  } else {
    const fields = spec.split(/\s+/).filter(Boolean);
    if (fields.length !== 5) throw new CronScheduleError(`expected exactly 5 fields, found ${fields.length}: ${schedule}`);
    const unsupported = fields.find((f) => /[HLW#]/i.test(f.replace(NAMES, '')));
    if (unsupported) throw new CronScheduleError(`failed to parse ${JSON.stringify(unsupported)} in schedule ${schedule}`);
    expression = fields.join(' ');
  }
  try {
    CronExpressionParser.parse(expression, { tz, currentDate: 0 });
  } catch (err) {
    throw new CronScheduleError(err instanceof Error ? err.message : String(err));
  }
  function* runsAfter(after: number): Generator<number> {
    const it = CronExpressionParser.parse(expression, { tz, currentDate: after });
    for (;;) {
      let t: number;
      try {
        t = it.next().getTime();
      } catch {
        return; // no further run (a date that never comes)
      }
      yield t;
    }
  }
  return {
    next(after) {
      for (const t of runsAfter(after)) return t;
      return undefined;
    },
    runsAfter,
    previous(atOrBefore) {
      try {
        return CronExpressionParser.parse(expression, { tz, currentDate: atOrBefore + 1 }).prev().getTime();
      } catch {
        return undefined;
      }
    },
  };
}

/** The runs in (`after`, `until`], oldest first. */
export function* runsBetween(schedule: CronSchedule, after: number, until: number): Generator<number> {
  for (const t of schedule.runsAfter(after)) {
    if (t > until) return;
    yield t;
  }
}
