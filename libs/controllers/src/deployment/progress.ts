/**
 * Rollout progress (kube's progress.go): the Progressing condition that
 * `kubectl rollout status` reads, with its deadline, and when to look again
 * at a rollout that made no progress.
 *
 * Progressing stays True while the rollout advances — each advance
 * (more updated, ready or available pods, fewer old ones) refreshes its
 * lastUpdateTime with reason ReplicaSetUpdated — becomes True with
 * NewReplicaSetAvailable when it completes, and False with
 * ProgressDeadlineExceeded when progressDeadlineSeconds pass after the last
 * advance without completion. A Deployment without a deadline has no
 * Progressing condition.
 */
import type { Deployment, DeploymentStatus, ReplicaSet } from '@logbook/api';
import { semanticEqual } from '@logbook/api';
import {
  DeploymentCondition,
  getDeploymentCondition,
  newDeploymentCondition,
  PROGRESSING,
  Reasons,
  removeDeploymentCondition,
  REPLICA_FAILURE,
  setDeploymentCondition,
} from './conditions';
import { desiredReplicas, hasProgressDeadline } from './deployment-spec';
import type { DeploymentSync } from './deployment-sync';
import { calculateStatus } from './sync';

/** Every pod of the Deployment is updated and available, and the latest spec was seen (kube's `DeploymentComplete`). */
export function deploymentComplete(d: Deployment, status: DeploymentStatus): boolean {
  const want = desiredReplicas(d);
  return (
    (status.updatedReplicas ?? 0) === want &&
    (status.replicas ?? 0) === want &&
    (status.availableReplicas ?? 0) === want &&
    (status.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0)
  );
}

/**
 * Whether the rollout advanced between the Deployment's current status and
 * `next`: more updated pods, fewer old pods, or more ready or available
 * pods (kube's `DeploymentProgressing`).
 */
export function deploymentProgressing(d: Deployment, next: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const nextOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    nextOld < oldOld ||
    (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/**
 * Whether progressDeadlineSeconds have passed since the Progressing
 * condition last changed — not for a completed rollout; always once timed
 * out (kube's `DeploymentTimedOut`).
 */
export function deploymentTimedOut(d: Deployment, status: DeploymentStatus, now: Date): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getDeploymentCondition(status, PROGRESSING);
  if (!cond) return false;
  if (cond.reason === Reasons.NewReplicaSetAvailable) return false;
  if (cond.reason === Reasons.TimedOut) return true;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return false;
  return from + d.spec!.progressDeadlineSeconds! * 1000 < now.getTime();
}

/**
 * The status a rolling or recreate sync writes (kube's `syncRolloutStatus`
 * without the write): calculateStatus plus the Progressing condition and
 * the ReplicaFailure condition of the ReplicaSets.
 */
export function rolloutStatus(d: Deployment, allRSs: ReadonlyArray<ReplicaSet | undefined>, newRS: ReplicaSet | undefined, now: Date): DeploymentStatus {
  const status = calculateStatus(allRSs, newRS, d, now);
  if (!hasProgressDeadline(d)) removeDeploymentCondition(status, PROGRESSING);

  // One active ReplicaSet that already finished: a resync, nothing to estimate.
  const current = getDeploymentCondition(d.status, PROGRESSING);
  const isCompleteDeployment = status.replicas === status.updatedReplicas && current?.reason === Reasons.NewReplicaSetAvailable;
  const name = d.metadata?.name;
  const rsName = newRS?.metadata?.name;
  if (hasProgressDeadline(d) && !isCompleteDeployment) {
    if (deploymentComplete(d, status)) {
      const msg = rsName ? `ReplicaSet "${rsName}" has successfully progressed.` : `Deployment "${name}" has successfully progressed.`;
      setDeploymentCondition(status, newDeploymentCondition(PROGRESSING, 'True', Reasons.NewReplicaSetAvailable, msg, now));
    } else if (deploymentProgressing(d, status)) {
      // Progress refreshes lastUpdateTime even when the reason stays (SetDeploymentCondition would not).
      const msg = rsName ? `ReplicaSet "${rsName}" is progressing.` : `Deployment "${name}" is progressing.`;
      const cond = newDeploymentCondition(PROGRESSING, 'True', Reasons.ReplicaSetUpdated, msg, now);
      if (current) {
        if (current.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
        removeDeploymentCondition(status, PROGRESSING);
      }
      setDeploymentCondition(status, cond);
    } else if (deploymentTimedOut(d, status, now)) {
      const msg = rsName ? `ReplicaSet "${rsName}" has timed out progressing.` : `Deployment "${name}" has timed out progressing.`;
      setDeploymentCondition(status, newDeploymentCondition(PROGRESSING, 'False', Reasons.TimedOut, msg, now));
    }
  }

  const failure = replicaFailure(allRSs, newRS);
  if (failure) setDeploymentCondition(status, failure);
  else removeDeploymentCondition(status, REPLICA_FAILURE);
  return status;
}

/**
 * The ReplicaFailure condition of the new ReplicaSet, else of the first old
 * one that has it (kube's `getReplicaFailures`): failed pod creations (quota,
 * admission) surface on the Deployment.
 */
export function replicaFailure(allRSs: ReadonlyArray<ReplicaSet | undefined>, newRS: ReplicaSet | undefined): DeploymentCondition | undefined {
  const failureOf = (rs: ReplicaSet | undefined) => rs?.status?.conditions?.find((c) => c.type === REPLICA_FAILURE);
  const own = failureOf(newRS);
  if (own) return { ...own, lastUpdateTime: own.lastTransitionTime };
  for (const rs of allRSs) {
    if (!rs || rs === newRS) continue;
    const c = failureOf(rs);
    if (c) return { ...c, lastUpdateTime: c.lastTransitionTime };
  }
  return undefined;
}

/**
 * When to look at a stalled rollout again to see whether it timed out
 * (kube's `requeueStuckDeployment`): a second after its deadline, measured
 * from the Progressing condition's lastUpdateTime; `undefined` when there
 * is no deadline, nothing to wait for, or the rollout completed or timed
 * out already. At least one second.
 */
export function stuckDeploymentRequeueAfterMs(d: Deployment, status: DeploymentStatus, now: Date): number | undefined {
  const cond = getDeploymentCondition(d.status, PROGRESSING);
  if (!hasProgressDeadline(d) || !cond) return undefined;
  if (deploymentComplete(d, status) || cond.reason === Reasons.TimedOut) return undefined;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return undefined;
  const after = from + d.spec!.progressDeadlineSeconds! * 1000 - now.getTime();
  return after < 1000 ? 1000 : after + 1000;
}

/**
 * Writes the rollout status if it changed (kube's `syncRolloutStatus`) and
 * says when to check a stalled rollout again (milliseconds), if ever.
 */
export async function syncRolloutStatus(s: DeploymentSync, allRSs: ReadonlyArray<ReplicaSet | undefined>, newRS: ReplicaSet | undefined): Promise<number | undefined> {
  const now = s.now();
  const status = rolloutStatus(s.d, allRSs, newRS, now);
  if (!semanticEqual(s.d.status ?? {}, status)) {
    s.d.status = status;
    await s.updateStatus();
  }
  return stuckDeploymentRequeueAfterMs(s.d, status, s.now());
}
