/**
 * batch/v1 defaulting (pkg/apis/batch/v1/defaults.go, Kubernetes 1.32 with
 * JobPodReplacementPolicy on). A CronJob's jobTemplate only gets pod
 * template defaults: Job defaults apply to Jobs, not to templates.
 */
import { defaultPodTemplateSpec } from '../../core/v1/defaults';

type Obj = Record<string, any>;

const MAX_INT32 = 2147483647;

export function defaultJob(job: Obj): void {
  const spec = (job.spec ??= {});
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex != null ? MAX_INT32 : 6;
  const templateLabels = spec.template?.metadata?.labels;
  if (templateLabels && typeof templateLabels === 'object') {
    job.metadata ??= {};
    if (!job.metadata.labels || Object.keys(job.metadata.labels).length === 0) job.metadata.labels = { ...templateLabels };
  }
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  for (const rule of spec.podFailurePolicy?.rules ?? []) for (const p of rule?.onPodConditions ?? []) p.status ||= 'True';
  spec.podReplacementPolicy ??= spec.podFailurePolicy != null ? 'Failed' : 'TerminatingOrFailed';
  spec.manualSelector ??= false;
  defaultPodTemplateSpec(spec.template);
}

export function defaultCronJob(cj: Obj): void {
  const spec = (cj.spec ??= {});
  spec.concurrencyPolicy ||= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  defaultPodTemplateSpec(spec.jobTemplate?.spec?.template);
}
