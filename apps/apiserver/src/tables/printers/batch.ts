// batch/v1 printers: jobs (with the STATUS column added in 1.31) and cronjobs.

import { humanDuration, parseTimestamp, since } from '../duration';
import { ObjectMetaJSON, Printer } from '../types';
import {
  ageColumn,
  boolPtr,
  column,
  conditionTrue,
  Container,
  CONTAINERS_DESCRIPTION,
  containerCells,
  formatLabelSelector,
  IMAGES_DESCRIPTION,
  LabelSelector,
  nameColumn,
  nameOf,
  wide,
} from '../util';

interface JobSpec {
  completions?: number | null;
  parallelism?: number | null;
  selector?: LabelSelector | null;
  template?: { spec?: { containers?: Container[] } };
}

export interface Job {
  metadata?: ObjectMetaJSON;
  spec?: JobSpec;
  status?: {
    succeeded?: number;
    startTime?: string | null;
    completionTime?: string | null;
    conditions?: Array<{ type: string; status: string }>;
  };
}

function completions(job: Job): string {
  const spec = job.spec ?? {};
  const succeeded = job.status?.succeeded ?? 0;
  let completionsSpec = spec.completions;
  // Defaulting: with neither set, both become 1; parallelism defaults to 1.
  if ((completionsSpec === undefined || completionsSpec === null) && (spec.parallelism === undefined || spec.parallelism === null)) {
    completionsSpec = 1;
  }
  if (completionsSpec !== undefined && completionsSpec !== null) return `${succeeded}/${completionsSpec}`;
  const parallelism = spec.parallelism ?? 1;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(job: Job, now: Date): string {
  const start = parseTimestamp(job.status?.startTime);
  if (start === null || Number.isNaN(start)) return '';
  const end = parseTimestamp(job.status?.completionTime);
  if (end === null || Number.isNaN(end)) return humanDuration(now.getTime() - start);
  return humanDuration(end - start);
}

/** The STATUS column of `kubectl get jobs`. */
export function jobStatus(job: Job): string {
  const conditions = job.status?.conditions;
  if (conditionTrue(conditions, 'Complete')) return 'Complete';
  if (conditionTrue(conditions, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (conditionTrue(conditions, 'Suspended')) return 'Suspended';
  if (conditionTrue(conditions, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export const jobPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Status', 'string', 'Status of the job.'),
    column('Completions', 'string', 'The number of pods which reached phase Succeeded.'),
    column('Duration', 'string', 'Time required to complete the job.'),
    ageColumn(),
    wide('Containers', CONTAINERS_DESCRIPTION),
    wide('Images', IMAGES_DESCRIPTION),
    wide('Selector', 'A label query over pods that should match the pod count.'),
  ],
  cells(job: Job, ctx) {
    const [names, images] = containerCells(job.spec?.template?.spec?.containers);
    return [
      nameOf(job),
      jobStatus(job),
      completions(job),
      jobDuration(job, ctx.now),
      since(job.metadata?.creationTimestamp, ctx.now),
      names,
      images,
      formatLabelSelector(job.spec?.selector),
    ];
  },
};

interface CronJob {
  metadata?: ObjectMetaJSON;
  spec?: { schedule?: string; timeZone?: string | null; suspend?: boolean | null; jobTemplate?: { spec?: JobSpec } };
  status?: { active?: unknown[]; lastScheduleTime?: string | null };
}

export const cronJobPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Schedule', 'string', 'The schedule in Cron format.'),
    column('Timezone', 'string', 'The time zone name for the given schedule.'),
    column('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions.'),
    column('Active', 'integer', 'A list of pointers to currently running jobs.'),
    column('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    ageColumn(),
    wide('Containers', CONTAINERS_DESCRIPTION),
    wide('Images', IMAGES_DESCRIPTION),
    wide('Selector', 'A label query over pods that should match the pod count.'),
  ],
  cells(cj: CronJob, ctx) {
    const spec = cj.spec ?? {};
    const jobSpec = spec.jobTemplate?.spec;
    const [names, images] = containerCells(jobSpec?.template?.spec?.containers);
    const last = cj.status?.lastScheduleTime;
    return [
      nameOf(cj),
      spec.schedule ?? '',
      spec.timeZone ?? '<none>',
      boolPtr(spec.suspend ?? false), // defaulted to false by the API server
      (cj.status?.active ?? []).length,
      last ? since(last, ctx.now) : '<none>',
      since(cj.metadata?.creationTimestamp, ctx.now),
      names,
      images,
      formatLabelSelector(jobSpec?.selector),
    ];
  },
};
