/**
 * Deployment conditions (kube's `deploymentutil` condition helpers). Unlike
 * metav1.Condition, a Deployment condition also has `lastUpdateTime`, and
 * setting a condition with the same status and reason is a no-op, so
 * `lastUpdateTime` marks when the reason last changed — except for
 * Progressing, which the rollout refreshes on every sign of progress (see
 * progress.ts): the progress deadline counts from it.
 */
import type { DeploymentStatus, WorkloadCondition } from '@logbook/api';

export type DeploymentCondition = WorkloadCondition;

export const AVAILABLE = 'Available';
export const PROGRESSING = 'Progressing';
export const REPLICA_FAILURE = 'ReplicaFailure';

/** Reasons, worded as Kubernetes words them (`kubectl describe` and `rollout status` read them). */
export const Reasons = Object.freeze({
  /** Available=True: at least replicas - maxUnavailable pods are available. */
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
  /** Progressing=True: a new ReplicaSet was created. */
  NewReplicaSet: 'NewReplicaSetCreated',
  /** Progressing=True: an existing ReplicaSet is the new one (a Deployment that had no Progressing condition). */
  FoundNewReplicaSet: 'FoundNewReplicaSet',
  /** Progressing=True: the rollout made progress. */
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  /** Progressing=True: the rollout is complete. */
  NewReplicaSetAvailable: 'NewReplicaSetAvailable',
  /** Progressing=False: no progress within progressDeadlineSeconds. */
  TimedOut: 'ProgressDeadlineExceeded',
  /** Progressing=False: the new ReplicaSet could not be created. */
  FailedReplicaSetCreate: 'ReplicaSetCreateError',
  /** Progressing=Unknown while paused, and right after a resume. */
  Paused: 'DeploymentPaused',
  Resumed: 'DeploymentResumed',
  RollbackRevisionNotFound: 'DeploymentRollbackRevisionNotFound',
  RollbackTemplateUnchanged: 'DeploymentRollbackTemplateUnchanged',
  RollbackDone: 'DeploymentRollback',
});

/** Kubernetes times: RFC 3339 with whole seconds. */
export const formatTime = (t: Date): string => t.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function newDeploymentCondition(
  type: string,
  status: DeploymentCondition['status'],
  reason: string,
  message: string,
  now: Date,
): DeploymentCondition {
  const t = formatTime(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getDeploymentCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * Sets a condition (in place), as kube's `SetDeploymentCondition`: nothing
 * happens when one with the same status and reason is there already; a
 * change of reason alone keeps lastTransitionTime. The condition moves to
 * the end of the list.
 */
export function setDeploymentCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getDeploymentCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = { ...condition };
  if (current && current.status === condition.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

export function removeDeploymentCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
}
