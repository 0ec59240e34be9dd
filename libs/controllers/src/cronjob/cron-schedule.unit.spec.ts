import { CronScheduleError, parseCronSchedule, parseGoDuration, runsBetween } from './cron-schedule';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const nextN = (schedule: string, from: string, n: number, tz = 'UTC') => {
  const s = parseCronSchedule(schedule, tz);
  const out: string[] = [];
  let t = at(from);
  for (let i = 0; i < n; i++) {
    const next = s.next(t);
    if (next === undefined) break;
    out.push(iso(next)!);
    t = next;
  }
  return out;
};

describe('parseCronSchedule', () => {
  it('runs every minute, strictly after the given time', () => {
    expect(nextN('* * * * *', '2024-01-01T00:01:00Z', 2)).toEqual(['2024-01-01T00:02:00.000Z', '2024-01-01T00:03:00.000Z']);
    expect(nextN('*/1 * * * *', '2024-01-01T00:01:30.250Z', 1)).toEqual(['2024-01-01T00:02:00.000Z']);
  });

  it('knows steps, ranges, lists and names', () => {
    expect(nextN('*/15 9-10 * * MON-FRI', '2024-01-05T10:40:00Z', 3)).toEqual([
      '2024-01-05T10:45:00.000Z',
      '2024-01-08T09:00:00.000Z', // Friday evening → Monday morning
      '2024-01-08T09:15:00.000Z',
    ]);
    expect(nextN('0 0 1 JAN,JUL ?', '2024-02-01T00:00:00Z', 2)).toEqual(['2024-07-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z']);
  });

  it('matches either a restricted day of month or a restricted day of week, as cron does', () => {
    // the 13th, and every Friday
    expect(nextN('0 0 13 * 5', '2024-01-01T00:00:00Z', 4)).toEqual([
      '2024-01-05T00:00:00.000Z',
      '2024-01-12T00:00:00.000Z',
      '2024-01-13T00:00:00.000Z',
      '2024-01-19T00:00:00.000Z',
    ]);
  });

  it('knows the descriptors', () => {
    expect(nextN('@hourly', '2024-03-09T00:10:00Z', 1)).toEqual(['2024-03-09T01:00:00.000Z']);
    expect(nextN('@daily', '2024-03-09T00:10:00Z', 1)).toEqual(['2024-03-10T00:00:00.000Z']);
    expect(nextN('@midnight', '2024-03-09T00:10:00Z', 1)).toEqual(['2024-03-10T00:00:00.000Z']);
    expect(nextN('@weekly', '2024-03-09T00:10:00Z', 1)).toEqual(['2024-03-10T00:00:00.000Z']); // a Sunday
    expect(nextN('@monthly', '2024-03-09T00:10:00Z', 1)).toEqual(['2024-04-01T00:00:00.000Z']);
    expect(nextN('@yearly', '2024-03-09T00:10:00Z', 1)).toEqual(['2025-01-01T00:00:00.000Z']);
    expect(nextN('@annually', '2024-03-09T00:10:00Z', 1)).toEqual(['2025-01-01T00:00:00.000Z']);
  });

  it('counts @every from the last run, in whole seconds of at least one', () => {
    expect(nextN('@every 1h30m', '2024-01-01T00:00:10.700Z', 2)).toEqual(['2024-01-01T01:30:10.000Z', '2024-01-01T03:00:10.000Z']);
    expect(nextN('@every 10ms', '2024-01-01T00:00:00Z', 1)).toEqual(['2024-01-01T00:00:01.000Z']);
  });

  it('computes runs in the CronJob time zone, across daylight saving changes', () => {
    // Midnight in India is 18:30 UTC the day before.
    expect(nextN('0 0 * * *', '2024-01-01T10:00:00Z', 1, 'Asia/Kolkata')).toEqual(['2024-01-01T18:30:00.000Z']);
    // 09:00 in New York: 14:00 UTC in winter, 13:00 UTC after the spring change on 10 March 2024.
    expect(nextN('0 9 * * *', '2024-03-09T00:00:00Z', 3, 'America/New_York')).toEqual([
      '2024-03-09T14:00:00.000Z',
      '2024-03-10T13:00:00.000Z',
      '2024-03-11T13:00:00.000Z',
    ]);
    // 01:30 happens twice when clocks go back (3 November 2024): not a run lost.
    const fallBack = nextN('30 1 * * *', '2024-11-02T12:00:00Z', 2, 'America/New_York');
    expect(fallBack[0]).toBe('2024-11-03T05:30:00.000Z');
    expect(fallBack.length).toBe(2);
  });

  it('rejects what the controller cannot run', () => {
    expect(() => parseCronSchedule('* * * *', 'UTC')).toThrow(/expected exactly 5 fields, found 4/);
    expect(() => parseCronSchedule('0 * * * * *', 'UTC')).toThrow(/expected exactly 5 fields, found 6/);
    expect(() => parseCronSchedule('61 * * * *', 'UTC')).toThrow(CronScheduleError);
    expect(() => parseCronSchedule('@fortnightly', 'UTC')).toThrow(/unrecognized descriptor/);
    expect(() => parseCronSchedule('0 0 L * *', 'UTC')).toThrow(/failed to parse "L"/);
    expect(() => parseCronSchedule('@every', 'UTC')).toThrow(CronScheduleError);
    expect(() => parseCronSchedule('@every 5 minutes', 'UTC')).toThrow(/invalid duration/);
    try {
      parseCronSchedule('* * * * *', 'Mars/Olympus_Mons');
      fail('expected an error');
    } catch (err) {
      expect((err as CronScheduleError).reason).toBe('UnknownTimeZone');
    }
  });

  it('rejects a date that never comes', () => {
    expect(() => parseCronSchedule('0 0 30 2 *', 'UTC')).toThrow(CronScheduleError);
  });

  it('steps back to the latest run at or before a time', () => {
    const s = parseCronSchedule('30 6-16/4 * * 1-5', 'UTC');
    expect(iso(s.previous!(at('2024-01-06T12:00:00Z')))).toBe('2024-01-05T14:30:00.000Z');
    expect(iso(s.previous!(at('2024-01-05T14:30:00Z')))).toBe('2024-01-05T14:30:00.000Z');
    expect(parseCronSchedule('@every 1m', 'UTC').previous).toBeUndefined();
  });

  it('lists the runs in a window, oldest first', () => {
    const s = parseCronSchedule('*/20 * * * *', 'UTC');
    expect([...runsBetween(s, at('2024-01-01T00:00:00Z'), at('2024-01-01T01:00:00Z'))].map(iso)).toEqual([
      '2024-01-01T00:20:00.000Z',
      '2024-01-01T00:40:00.000Z',
      '2024-01-01T01:00:00.000Z',
    ]);
  });
});

describe('parseGoDuration', () => {
  it('reads Go durations in milliseconds', () => {
    expect(parseGoDuration('90s')).toBe(90_000);
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('1.5h')).toBe(5_400_000);
    expect(parseGoDuration('250ms')).toBe(250);
    expect(parseGoDuration('0')).toBe(0);
    expect(() => parseGoDuration('5')).toThrow();
    expect(() => parseGoDuration('1d')).toThrow();
  });
});
