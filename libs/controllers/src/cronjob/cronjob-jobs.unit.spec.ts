import type { CronJob, Job } from '@logbook/api';
import { byJobStartTime, formatRfc1123Z, formatRfc3339InZone, jobFromTemplate, jobName, jobsBeyondHistoryLimits, SCHEDULED_TIMESTAMP_ANNOTATION } from './cronjob-jobs';

const cronJob: CronJob = {
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'cron-batch-job', namespace: 'default', uid: 'cj-uid' },
  spec: {
    schedule: '*/1 * * * *',
    successfulJobsHistoryLimit: 2,
    failedJobsHistoryLimit: 1,
    jobTemplate: {
      metadata: { labels: { team: 'a' }, annotations: { note: 'x' } },
      spec: { template: { metadata: { labels: { app: 'cron-batch-job' } }, spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } },
    },
  },
};

function aJob(name: string, finished?: 'Complete' | 'Failed', startTime?: string): Job {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    status: { startTime, conditions: finished ? [{ type: finished, status: 'True' }] : [] },
  };
}

describe('jobName', () => {
  it('is the CronJob name and the scheduled time in minutes since the epoch', () => {
    expect(jobName('hello', Date.parse('2024-01-01T00:00:00Z'))).toBe('hello-28401120');
    expect(jobName('hello', Date.parse('2024-01-01T00:00:59Z'))).toBe('hello-28401120');
  });
});

describe('jobFromTemplate', () => {
  it('copies the template, names the job by its time and makes the CronJob its controller', () => {
    const job = jobFromTemplate(cronJob, Date.parse('2024-01-01T00:05:00Z'), 'Asia/Kolkata');
    expect(job.metadata).toEqual({
      name: 'cron-batch-job-28401125',
      namespace: 'default',
      labels: { team: 'a' },
      annotations: { note: 'x', [SCHEDULED_TIMESTAMP_ANNOTATION]: '2024-01-01T05:35:00+05:30' },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'cron-batch-job', uid: 'cj-uid', controller: true, blockOwnerDeletion: true }],
    });
    expect(job.spec).toEqual(cronJob.spec!.jobTemplate!.spec);
    expect(job.spec).not.toBe(cronJob.spec!.jobTemplate!.spec);
  });
});

describe('time formats', () => {
  it('prints RFC 3339 with the zone offset, and RFC 1123Z in UTC', () => {
    const t = Date.parse('2024-03-10T07:30:00Z');
    expect(formatRfc3339InZone(t, 'UTC')).toBe('2024-03-10T07:30:00Z');
    expect(formatRfc3339InZone(t, 'America/New_York')).toBe('2024-03-10T03:30:00-04:00');
    expect(formatRfc3339InZone(Date.parse('2024-01-10T07:30:00Z'), 'America/St_Johns')).toBe('2024-01-10T04:00:00-03:30');
    expect(formatRfc1123Z(t)).toBe('Sun, 10 Mar 2024 07:30:00 +0000');
  });
});

describe('history limits', () => {
  it('orders jobs by start time, those without one last, then by name', () => {
    const jobs = [aJob('c'), aJob('b', undefined, '2024-01-01T00:02:00Z'), aJob('a', undefined, '2024-01-01T00:02:00Z'), aJob('d', undefined, '2024-01-01T00:01:00Z')];
    expect([...jobs].sort(byJobStartTime).map((j) => j.metadata!.name)).toEqual(['d', 'a', 'b', 'c']);
  });

  it('deletes the oldest finished jobs beyond each limit and never an active one', () => {
    const jobs = [
      aJob('ok-1', 'Complete', '2024-01-01T00:01:00Z'),
      aJob('ok-2', 'Complete', '2024-01-01T00:02:00Z'),
      aJob('ok-3', 'Complete', '2024-01-01T00:03:00Z'),
      aJob('bad-1', 'Failed', '2024-01-01T00:04:00Z'),
      aJob('bad-2', 'Failed', '2024-01-01T00:05:00Z'),
      aJob('running', undefined, '2024-01-01T00:00:00Z'),
    ];
    expect(jobsBeyondHistoryLimits(cronJob, jobs).map((j) => j.metadata!.name)).toEqual(['ok-1', 'bad-1']);
  });

  it('keeps everything when no limit is set, and nothing when a limit is 0', () => {
    const jobs = [aJob('ok-1', 'Complete', '2024-01-01T00:01:00Z'), aJob('bad-1', 'Failed', '2024-01-01T00:04:00Z')];
    const unlimited = { ...cronJob, spec: { ...cronJob.spec!, successfulJobsHistoryLimit: undefined, failedJobsHistoryLimit: 0 } };
    expect(jobsBeyondHistoryLimits(unlimited, jobs).map((j) => j.metadata!.name)).toEqual(['bad-1']);
  });
});
