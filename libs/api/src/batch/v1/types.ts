/**
 * batch/v1: Job and CronJob.
 */
import type { Time } from '../../meta/v1/types';
import { LabelSelector, ObjectMeta } from '../../meta/v1/types';
import { ObjectReference, PodTemplateSpec } from '../../core/v1/pod.types';
import { Int, Nested, NonNegative, OneOf } from '../../validation/rules';

export const COMPLETION_MODES = ['NonIndexed', 'Indexed'] as const;
export const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'] as const;
export const POD_REPLACEMENT_POLICIES = ['TerminatingOrFailed', 'Failed'] as const;

/** Labels the apiserver puts on a Job's pod template (k8s.io/api/batch/v1). */
export const JOB_LABELS = {
  controllerUid: 'batch.kubernetes.io/controller-uid',
  jobName: 'batch.kubernetes.io/job-name',
  legacyControllerUid: 'controller-uid',
  legacyJobName: 'job-name',
  jobCompletionIndex: 'batch.kubernetes.io/job-completion-index',
} as const;

export class JobSpec {
  @Int() @NonNegative() parallelism?: number;
  @Int() @NonNegative() completions?: number;
  @Int() @NonNegative() activeDeadlineSeconds?: number;
  podFailurePolicy?: { rules: Record<string, unknown>[] };
  successPolicy?: { rules: Record<string, unknown>[] };
  @Int() @NonNegative() backoffLimit?: number;
  @Int() @NonNegative() backoffLimitPerIndex?: number;
  @Int() @NonNegative() maxFailedIndexes?: number;
  @Nested(() => LabelSelector)
  selector?: LabelSelector;
  manualSelector?: boolean;
  @Nested(() => PodTemplateSpec)
  template?: PodTemplateSpec;
  @Int() @NonNegative() ttlSecondsAfterFinished?: number;
  @OneOf(COMPLETION_MODES)
  completionMode?: (typeof COMPLETION_MODES)[number];
  suspend?: boolean;
  @OneOf(POD_REPLACEMENT_POLICIES)
  podReplacementPolicy?: (typeof POD_REPLACEMENT_POLICIES)[number];
  managedBy?: string;
}

export interface JobCondition {
  type: 'Suspended' | 'Complete' | 'Failed' | 'FailureTarget' | 'SuccessCriteriaMet' | string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime?: Time;
  lastTransitionTime?: Time;
  reason?: string;
  message?: string;
}

export class JobStatus {
  conditions?: JobCondition[];
  startTime?: Time;
  completionTime?: Time;
  active?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  completedIndexes?: string;
  failedIndexes?: string;
  uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] };
  ready?: number;
}

export class Job {
  apiVersion?: 'batch/v1';
  kind?: 'Job';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  @Nested(() => JobSpec)
  spec?: JobSpec;
  status?: JobStatus;
}

export class JobTemplateSpec {
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  @Nested(() => JobSpec)
  spec?: JobSpec;
}

export class CronJobSpec {
  schedule!: string;
  timeZone?: string;
  @Int() @NonNegative() startingDeadlineSeconds?: number;
  concurrencyPolicy?: (typeof CONCURRENCY_POLICIES)[number];
  suspend?: boolean;
  @Nested(() => JobTemplateSpec)
  jobTemplate?: JobTemplateSpec;
  @Int() @NonNegative() successfulJobsHistoryLimit?: number;
  @Int() @NonNegative() failedJobsHistoryLimit?: number;
}

export class CronJobStatus {
  active?: ObjectReference[];
  lastScheduleTime?: Time;
  lastSuccessfulTime?: Time;
}

export class CronJob {
  apiVersion?: 'batch/v1' | 'batch/v1beta1';
  kind?: 'CronJob';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  @Nested(() => CronJobSpec)
  spec?: CronJobSpec;
  status?: CronJobStatus;
}
