/**
 * The Jobs of a CronJob: how one is made from the template, how finished
 * ones are recognised, which are old enough to clean up.
 */
import type { CronJob, Job, JobCondition, ObjectReference } from '@logbook/api';

/** The annotation with the scheduled time a Job was created for (CronJobsScheduledAnnotation, on in 1.32). */
export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/**
 * `<cronjob>-<scheduled time in minutes since the epoch>`: deterministic, so
 * a controller that crashed between creating a Job and recording it cannot
 * create a second one for the same time (the name is the lock).
 */
export function jobName(cronJobName: string, scheduledTime: number): string {
  return `${cronJobName}-${Math.floor(scheduledTime / 60_000)}`;
}

const trueCondition = (job: Job, type: JobCondition['type']) => (job.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

/** 'Complete' or 'Failed' once the Job has finished, else undefined. */
export function finishedType(job: Job): 'Complete' | 'Failed' | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  }
  return undefined;
}

export const isJobFinished = (job: Job): boolean => finishedType(job) !== undefined;
export const isJobSucceeded = (job: Job): boolean => trueCondition(job, 'Complete');

/** An RFC 3339 time in `timeZone`, with its offset (`2024-03-10T03:30:00-04:00`), as Go's time.RFC3339. */
export function formatRfc3339InZone(ms: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  const offsetMin = Math.round((local - Math.floor(ms / 1000) * 1000) / 60_000);
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0');
  const offset = offsetMin === 0 ? 'Z' : `${offsetMin < 0 ? '-' : '+'}${pad(Math.trunc(offsetMin / 60))}:${pad(offsetMin % 60)}`;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

/** Go's time.RFC1123Z in UTC (`Mon, 02 Jan 2006 15:04:05 +0000`), as kube's MissSchedule event prints it. */
export function formatRfc1123Z(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

/**
 * The Job for one scheduled time (kube's getJobFromTemplate2): the
 * template's labels, annotations and spec, the deterministic name, the
 * scheduled-time annotation, and the CronJob as controlling owner.
 */
export function jobFromTemplate(cj: CronJob, scheduledTime: number, timeZone: string): Job {
  const template = cj.spec?.jobTemplate ?? {};
  const meta = cj.metadata ?? {};
  if (!meta.name || !meta.uid) throw new Error('a CronJob read from the server has a name and a uid');
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(meta.name, scheduledTime),
      namespace: meta.namespace,
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations: { ...(template.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: formatRfc3339InZone(scheduledTime, timeZone) },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: meta.name, uid: meta.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: structuredClone(template.spec ?? {}),
  };
}

/** An ObjectReference to a Job, as `status.active` holds them. */
export function jobReference(job: Job): ObjectReference {
  const m = job.metadata ?? {};
  return { kind: 'Job', namespace: m.namespace, name: m.name, uid: m.uid, apiVersion: 'batch/v1', resourceVersion: m.resourceVersion };
}

/** Oldest first: by status.startTime (Jobs without one last), then by name (kube's byJobStartTime). */
export function byJobStartTime(a: Job, b: Job): number {
  const sa = a.status?.startTime ? Date.parse(a.status.startTime) : undefined;
  const sb = b.status?.startTime ? Date.parse(b.status.startTime) : undefined;
  if (sa === undefined && sb !== undefined) return 1;
  if (sa !== undefined && sb === undefined) return -1;
  if (sa === sb) return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
  return sa! - sb!;
}

/**
 * The finished Jobs beyond `successfulJobsHistoryLimit` and
 * `failedJobsHistoryLimit`, oldest first (kube's cleanupFinishedJobs). A
 * limit that is not set keeps everything of its kind.
 */
export function jobsBeyondHistoryLimits(cj: CronJob, jobs: readonly Job[]): Job[] {
  const successful = jobs.filter((j) => finishedType(j) === 'Complete');
  const failed = jobs.filter((j) => finishedType(j) === 'Failed');
  const oldest = (list: Job[], limit: number | undefined) => (limit == null ? [] : [...list].sort(byJobStartTime).slice(0, Math.max(0, list.length - limit)));
  return [...oldest(successful, cj.spec?.successfulJobsHistoryLimit), ...oldest(failed, cj.spec?.failedJobsHistoryLimit)];
}
