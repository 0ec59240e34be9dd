/**
 * When a CronJob should run: the most recent unmet schedule time, and how
 * long to wait for the next one (kube's pkg/controller/cronjob/utils.go).
 * Pure functions of the CronJob, the schedule and `now` (ms since epoch).
 */
import type { CronJob } from '@logbook/api';
import { CronSchedule, CronScheduleError, runsBetween } from './cron-schedule';

/**
 * Added to every requeue so the controller wakes just after a schedule time,
 * not a hair before it (kube's nextScheduleDelta: NTP skew).
 */
export const NEXT_SCHEDULE_DELTA_MS = 100;

/** More missed schedule times than this is "many": a warning event, as kube. */
export const MANY_MISSED_SCHEDULES = 100;

export type MissedSchedules = 'none' | 'few' | 'many';

export interface MostRecentSchedule {
  /** The last schedule time, else the CronJob's creation time (moved up to the starting deadline when asked). */
  earliest: number;
  /** The most recent schedule time in (earliest, now], if any. */
  mostRecent?: number;
  missed: MissedSchedules;
}

const timeOf = (t: string | null | undefined): number | undefined => {
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
};

/**
 * kube's mostRecentScheduleTime. The number of missed times is estimated
 * from the interval between the first two runs after `earliest` (so a
 * controller that was down for years does not walk every run), which is
 * what decides "many". The most recent time is then found exactly: by
 * stepping back from `now` when the schedule can (cron expressions), else
 * (`@every`, evenly spaced) by walking forward from just before the
 * estimate. Kube walks forward for every schedule, and so misses the last
 * run of uneven ones across a gap (`30 6-16/4 * * 1-5` checked on a
 * Saturday after a week down finds no Friday run); stepping back does not.
 * Throws CronScheduleError when the schedule is grammatical but never
 * repeats sensibly.
 */
export function mostRecentScheduleTime(cj: CronJob, now: number, schedule: CronSchedule, includeStartingDeadlineSeconds: boolean): MostRecentSchedule {
  let earliest = timeOf(cj.status?.lastScheduleTime) ?? timeOf(cj.metadata?.creationTimestamp) ?? now;
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (includeStartingDeadlineSeconds && deadline != null) {
    const schedulingDeadline = now - deadline * 1000;
    if (schedulingDeadline > earliest) earliest = schedulingDeadline;
  }
  const t1 = schedule.next(earliest);
  if (t1 === undefined || now < t1) return { earliest, missed: 'none' };
  const t2 = schedule.next(t1);
  if (t2 === undefined || now < t2) return { earliest, mostRecent: t1, missed: 'none' };

  const between = Math.round((t2 - t1) / 1000);
  if (between < 1) throw new CronScheduleError('time difference between two schedules is less than 1 second', 'InvalidSchedule');
  const elapsed = Math.floor((now - t1) / 1000);
  const missedCount = Math.floor(elapsed / between) + 1;
  let mostRecent: number | undefined;
  if (schedule.previous) {
    mostRecent = schedule.previous(now);
  } else {
    const potentialEarliest = t1 + (missedCount - 2) * between * 1000;
    for (const t of runsBetween(schedule, potentialEarliest, now)) mostRecent = t;
  }
  if (mostRecent !== undefined && mostRecent <= earliest) mostRecent = undefined;
  const missed: MissedSchedules = missedCount > MANY_MISSED_SCHEDULES ? 'many' : missedCount > 0 ? 'few' : 'none';
  return { earliest, mostRecent, missed };
}

/**
 * How long until the controller should look at the CronJob again: just
 * after the first schedule time following the most recent one (kube's
 * nextScheduleTimeDuration). Undefined if the schedule has no next run.
 */
export function nextScheduleDelay(cj: CronJob, now: number, schedule: CronSchedule): number | undefined {
  let from: number;
  try {
    const { earliest, mostRecent, missed } = mostRecentScheduleTime(cj, now, schedule, false);
    from = mostRecent ?? (missed === 'none' ? earliest : now);
  } catch {
    from = now; // still requeue at some point: aim for the next slot from now
  }
  const next = schedule.next(from);
  return next === undefined ? undefined : next + NEXT_SCHEDULE_DELTA_MS - now;
}

/**
 * The schedule time to act on now, if any (kube's nextScheduleTime): the
 * most recent unmet one within the starting deadline. `tooManyMissed` asks
 * for the TooManyMissedTimes warning.
 */
export function scheduleTimeToRun(cj: CronJob, now: number, schedule: CronSchedule): { time?: number; tooManyMissed: boolean } {
  const { mostRecent, missed } = mostRecentScheduleTime(cj, now, schedule, true);
  if (mostRecent === undefined || mostRecent > now) return { tooManyMissed: false };
  return { time: mostRecent, tooManyMissed: missed === 'many' };
}
