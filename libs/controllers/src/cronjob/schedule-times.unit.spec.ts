import type { CronJob } from '@logbook/api';
import { parseCronSchedule } from './cron-schedule';
import { mostRecentScheduleTime, NEXT_SCHEDULE_DELTA_MS, nextScheduleDelay, scheduleTimeToRun } from './schedule-times';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

function aCronJob(schedule: string, opts: { created?: string; lastScheduleTime?: string; startingDeadlineSeconds?: number } = {}): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'cj', namespace: 'default', uid: 'u', creationTimestamp: opts.created ?? '2024-01-01T10:00:00Z' },
    spec: { schedule, startingDeadlineSeconds: opts.startingDeadlineSeconds, jobTemplate: {} },
    status: opts.lastScheduleTime ? { lastScheduleTime: opts.lastScheduleTime } : {},
  };
}

describe('mostRecentScheduleTime', () => {
  const hourly = parseCronSchedule('0 * * * *', 'UTC');

  it('has nothing to run before the first time after creation', () => {
    const r = mostRecentScheduleTime(aCronJob('0 * * * *', { created: '2024-01-01T10:10:00Z' }), at('2024-01-01T10:59:59Z'), hourly, true);
    expect(r).toEqual({ earliest: at('2024-01-01T10:10:00Z'), missed: 'none' });
  });

  it('returns the one time that passed', () => {
    const r = mostRecentScheduleTime(aCronJob('0 * * * *', { created: '2024-01-01T10:10:00Z' }), at('2024-01-01T11:00:05Z'), hourly, true);
    expect(iso(r.mostRecent)).toBe('2024-01-01T11:00:00.000Z');
    expect(r.missed).toBe('none');
  });

  it('returns the most recent of several missed times, counting from the last schedule time', () => {
    const cj = aCronJob('0 * * * *', { lastScheduleTime: '2024-01-01T11:00:00Z' });
    const r = mostRecentScheduleTime(cj, at('2024-01-01T15:30:00Z'), hourly, true);
    expect(iso(r.mostRecent)).toBe('2024-01-01T15:00:00.000Z');
    expect(r.missed).toBe('few');
  });

  it('says "many" beyond a hundred missed times, and still finds the latest', () => {
    const cj = aCronJob('0 * * * *', { lastScheduleTime: '2024-01-01T11:00:00Z' });
    const r = mostRecentScheduleTime(cj, at('2024-01-10T15:30:00Z'), hourly, true);
    expect(iso(r.mostRecent)).toBe('2024-01-10T15:00:00.000Z');
    expect(r.missed).toBe('many');
  });

  it('finds the latest time of an unevenly spaced schedule', () => {
    const uneven = parseCronSchedule('30 6-16/4 * * 1-5', 'UTC'); // 06:30, 10:30, 14:30 on weekdays
    const cj = aCronJob('30 6-16/4 * * 1-5', { lastScheduleTime: '2024-01-01T06:30:00Z' }); // a Monday
    const r = mostRecentScheduleTime(cj, at('2024-01-06T12:00:00Z'), uneven, true); // Saturday
    expect(iso(r.mostRecent)).toBe('2024-01-05T14:30:00.000Z');
  });

  it('looks no further back than startingDeadlineSeconds', () => {
    const cj = aCronJob('0 * * * *', { lastScheduleTime: '2024-01-01T11:00:00Z', startingDeadlineSeconds: 600 });
    // 15:00 is 30 minutes ago: outside the 10-minute window, so nothing is due.
    expect(mostRecentScheduleTime(cj, at('2024-01-01T15:30:00Z'), hourly, true).mostRecent).toBeUndefined();
    // 15:00 is 5 minutes ago: due.
    expect(iso(mostRecentScheduleTime(cj, at('2024-01-01T15:05:00Z'), hourly, true).mostRecent)).toBe('2024-01-01T15:00:00.000Z');
    // Without the deadline (as when computing the next wake-up) 15:00 counts.
    expect(iso(mostRecentScheduleTime(cj, at('2024-01-01T15:30:00Z'), hourly, false).mostRecent)).toBe('2024-01-01T15:00:00.000Z');
  });

  it('works in the CronJob time zone', () => {
    const kolkataMidnight = parseCronSchedule('0 0 * * *', 'Asia/Kolkata');
    const cj = aCronJob('0 0 * * *', { created: '2024-01-01T10:00:00Z' });
    const r = mostRecentScheduleTime(cj, at('2024-01-01T19:00:00Z'), kolkataMidnight, true);
    expect(iso(r.mostRecent)).toBe('2024-01-01T18:30:00.000Z');
  });
});

describe('nextScheduleDelay', () => {
  it('wakes just after the next time', () => {
    const s = parseCronSchedule('* * * * *', 'UTC');
    const cj = aCronJob('* * * * *', { lastScheduleTime: '2024-01-01T10:05:00Z' });
    expect(nextScheduleDelay(cj, at('2024-01-01T10:05:20Z'), s)).toBe(40_000 + NEXT_SCHEDULE_DELTA_MS);
  });

  it('counts from now when times were missed', () => {
    const s = parseCronSchedule('0 * * * *', 'UTC');
    const cj = aCronJob('0 * * * *', { lastScheduleTime: '2024-01-01T05:00:00Z' });
    expect(nextScheduleDelay(cj, at('2024-01-01T10:45:00Z'), s)).toBe(15 * 60_000 + NEXT_SCHEDULE_DELTA_MS);
  });
});

describe('scheduleTimeToRun', () => {
  it('returns the due time and asks for a warning when too many were missed', () => {
    const s = parseCronSchedule('* * * * *', 'UTC');
    const cj = aCronJob('* * * * *', { lastScheduleTime: '2024-01-01T10:00:00Z' });
    expect(scheduleTimeToRun(cj, at('2024-01-01T10:01:10Z'), s)).toEqual({ time: at('2024-01-01T10:01:00Z'), tooManyMissed: false });
    expect(scheduleTimeToRun(cj, at('2024-01-01T13:00:10Z'), s)).toEqual({ time: at('2024-01-01T13:00:00Z'), tooManyMissed: true });
    expect(scheduleTimeToRun(cj, at('2024-01-01T10:00:30Z'), s)).toEqual({ tooManyMissed: false });
  });
});
