import { ago, headers, ref, row, table } from '../test-helpers';

const JOB = ref('batch', 'jobs', 'Job');
const CRONJOB = ref('batch', 'cronjobs', 'CronJob');
const podTemplate = { spec: { containers: [{ name: 'pi', image: 'perl:5.34' }], restartPolicy: 'Never' } };
const selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': 'c0ffee' } };

function job(spec: object, status: object, metadata: object = {}) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', creationTimestamp: ago('12m'), ...metadata },
    spec: { selector, template: podTemplate, ...spec },
    status,
  };
}

describe('jobs', () => {
  it('headers include the 1.31+ STATUS column', () => {
    expect(headers(table(JOB, []))).toEqual({
      normal: ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'],
      wide: ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
    });
  });

  it('a completed job', () => {
    const j = job(
      { completions: 1, parallelism: 1 },
      {
        succeeded: 1,
        startTime: '2025-06-01T11:48:00Z',
        completionTime: '2025-06-01T11:48:35Z',
        conditions: [
          { type: 'SuccessCriteriaMet', status: 'True' },
          { type: 'Complete', status: 'True' },
        ],
      },
    );
    expect(row(JOB, j)).toEqual({
      NAME: 'pi',
      STATUS: 'Complete',
      COMPLETIONS: '1/1',
      DURATION: '35s',
      AGE: '12m',
      CONTAINERS: 'pi',
      IMAGES: 'perl:5.34',
      SELECTOR: 'batch.kubernetes.io/controller-uid=c0ffee',
    });
  });

  it('a running job with 5 completions: duration counts from startTime', () => {
    const j = job({ completions: 5, parallelism: 2 }, { succeeded: 1, active: 2, startTime: ago('3m20s') });
    expect(row(JOB, j)).toMatchObject({ STATUS: 'Running', COMPLETIONS: '1/5', DURATION: '3m20s' });
  });

  it('completions without spec.completions (work queue) and before start', () => {
    expect(row(JOB, job({ parallelism: 3 }, {})).COMPLETIONS).toBe('0/1 of 3');
    expect(row(JOB, job({ parallelism: 1 }, { succeeded: 1 })).COMPLETIONS).toBe('1/1');
    expect(row(JOB, job({}, {}))).toMatchObject({ COMPLETIONS: '0/1', DURATION: '' });
  });

  it('Failed, Suspended, FailureTarget, Terminating', () => {
    const failed = job({ completions: 1 }, { failed: 7, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] });
    expect(row(JOB, failed).STATUS).toBe('Failed');
    const suspended = job({ completions: 1, suspend: true }, { conditions: [{ type: 'Suspended', status: 'True' }] });
    expect(row(JOB, suspended).STATUS).toBe('Suspended');
    expect(row(JOB, job({}, { conditions: [{ type: 'FailureTarget', status: 'True' }] })).STATUS).toBe('FailureTarget');
    expect(row(JOB, job({}, { conditions: [{ type: 'Suspended', status: 'True' }] }, { deletionTimestamp: ago('1s') })).STATUS).toBe('Terminating');
    expect(row(JOB, job({}, { conditions: [{ type: 'Suspended', status: 'False' }] })).STATUS).toBe('Running');
  });
});

describe('cronjobs', () => {
  it('headers', () => {
    expect(headers(table(CRONJOB, []))).toEqual({
      normal: ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE'],
      wide: ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
    });
  });

  it('a scheduled cronjob with an active job', () => {
    const cj = {
      metadata: { name: 'backup', creationTimestamp: ago('8d5h') },
      spec: { schedule: '*/5 * * * *', timeZone: 'Europe/Paris', suspend: false, jobTemplate: { spec: { template: podTemplate } } },
      status: { active: [{ kind: 'Job', name: 'backup-29145' }], lastScheduleTime: ago('4m') },
    };
    expect(row(CRONJOB, cj)).toEqual({
      NAME: 'backup',
      SCHEDULE: '*/5 * * * *',
      TIMEZONE: 'Europe/Paris',
      SUSPEND: 'False',
      ACTIVE: 1,
      'LAST SCHEDULE': '4m',
      AGE: '8d',
      CONTAINERS: 'pi',
      IMAGES: 'perl:5.34',
      SELECTOR: '<none>',
    });
  });

  it('never scheduled, suspended, no time zone', () => {
    const cj = { metadata: { name: 'n', creationTimestamp: ago('1m') }, spec: { schedule: '@daily', suspend: true, jobTemplate: { spec: {} } } };
    expect(row(CRONJOB, cj)).toMatchObject({ TIMEZONE: '<none>', SUSPEND: 'True', ACTIVE: 0, 'LAST SCHEDULE': '<none>', CONTAINERS: '' });
  });
});
