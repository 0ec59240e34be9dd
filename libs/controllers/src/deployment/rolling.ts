/**
 * The RollingUpdate strategy (kube's rolling.go): grow the new ReplicaSet
 * while the total stays within spec.replicas + maxSurge, shrink the old ones
 * while at least spec.replicas - maxUnavailable pods stay available, and
 * repeat as pods become available. Unhealthy old pods go first: scaling them
 * away costs no availability, and they would otherwise block the rollout.
 *
 * The arithmetic is pure (`maxScaledDown`, `unhealthyCleanupPlan`,
 * `oldScaleDownPlan`); `rolloutRolling` applies it.
 */
import type { Deployment, ReplicaSet } from '@logbook/api';
import { desiredReplicas, maxUnavailable, specReplicas } from './deployment-spec';
import type { DeploymentSync } from './deployment-sync';
import { deploymentComplete, syncRolloutStatus } from './progress';
import { availableReplicaCount, byCreationTimestamp, filterActive, replicaCount } from './replica-sets';
import { newRSNewReplicas } from './scaling';
import { cleanupDeployment, currentSets, getAllReplicaSetsAndSyncRevision } from './sync';

/** A ReplicaSet and the size it is to get. */
export interface ScaleStep {
  rs: ReplicaSet;
  replicas: number;
}

/**
 * How many old pods may go now: all pods, less the minimum that must stay
 * available, less the new ReplicaSet's pods that are not available yet
 * (they must not be counted on). See kube's reconcileOldReplicaSets for the
 * worked examples of why the new ReplicaSet's unavailable pods are subtracted.
 */
export function maxScaledDown(d: Deployment, allRSs: ReadonlyArray<ReplicaSet | undefined>, newRS: ReplicaSet): number {
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const newRSUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  return replicaCount(allRSs) - minAvailable - newRSUnavailable;
}

/**
 * Scale-downs that remove only unavailable pods of old ReplicaSets, oldest
 * first, at most `maxCleanupCount` in all (kube's `cleanupUnhealthyReplicas`;
 * the ReplicaSet controller deletes not-ready pods before ready ones).
 */
export function unhealthyCleanupPlan(oldRSs: readonly ReplicaSet[], maxCleanupCount: number): ScaleStep[] {
  const steps: ScaleStep[] = [];
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreationTimestamp)) {
    if (total >= maxCleanupCount) break;
    const size = specReplicas(rs);
    const available = rs.status?.availableReplicas ?? 0;
    if (size === 0 || size === available) continue;
    const count = Math.max(0, Math.min(maxCleanupCount - total, size - available));
    if (count === 0) continue;
    steps.push({ rs, replicas: size - count });
    total += count;
  }
  return steps;
}

/**
 * Scale-downs of old ReplicaSets, oldest first, by as many pods as are
 * available above spec.replicas - maxUnavailable (kube's
 * `scaleDownOldReplicaSetsForRollingUpdate`).
 */
export function oldScaleDownPlan(d: Deployment, allRSs: ReadonlyArray<ReplicaSet | undefined>, oldRSs: readonly ReplicaSet[]): ScaleStep[] {
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const available = availableReplicaCount(allRSs);
  if (available <= minAvailable) return [];
  const totalToScaleDown = available - minAvailable;
  const steps: ScaleStep[] = [];
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreationTimestamp)) {
    if (total >= totalToScaleDown) break;
    const size = specReplicas(rs);
    if (size === 0) continue;
    const count = Math.min(size, totalToScaleDown - total);
    steps.push({ rs, replicas: size - count });
    total += count;
  }
  return steps;
}

/** Grows (or shrinks to spec.replicas) the new ReplicaSet; returns whether it scaled (kube's `reconcileNewReplicaSet`). */
async function reconcileNewReplicaSet(s: DeploymentSync, allRSs: ReadonlyArray<ReplicaSet | undefined>, newRS: ReplicaSet): Promise<boolean> {
  const want = desiredReplicas(s.d);
  if (specReplicas(newRS) === want) return false;
  if (specReplicas(newRS) > want) return (await s.scaleReplicaSetAndRecordEvent(newRS, want)).scaled;
  return (await s.scaleReplicaSetAndRecordEvent(newRS, newRSNewReplicas(s.d, allRSs, newRS))).scaled;
}

/** Shrinks old ReplicaSets as far as availability allows; returns whether any scaled (kube's `reconcileOldReplicaSets`). */
async function reconcileOldReplicaSets(s: DeploymentSync, allRSs: ReadonlyArray<ReplicaSet | undefined>, oldRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  if (replicaCount(oldRSs) === 0) return false; // nothing left to scale down
  const budget = maxScaledDown(s.d, allRSs, newRS);
  if (budget <= 0) return false;

  let scaledDown = 0;
  for (const step of unhealthyCleanupPlan(oldRSs, budget)) {
    const { rs } = await s.scaleReplicaSetAndRecordEvent(step.rs, step.replicas);
    scaledDown += specReplicas(step.rs) - step.replicas;
    oldRSs = oldRSs.map((o) => (o.metadata?.uid === rs.metadata?.uid ? rs : o));
  }
  for (const step of oldScaleDownPlan(s.d, [...oldRSs, newRS], oldRSs)) {
    await s.scaleReplicaSetAndRecordEvent(step.rs, step.replicas);
    scaledDown += specReplicas(step.rs) - step.replicas;
  }
  return scaledDown > 0;
}

/**
 * One step of a rolling update (kube's `rolloutRolling`): create the new
 * ReplicaSet if needed, scale it up if possible, else scale old ones down
 * if possible; once complete, clean up old ReplicaSets; then the status.
 * Returns when to check a stalled rollout again (ms), if ever.
 */
export async function rolloutRolling(s: DeploymentSync): Promise<number | undefined> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, true);
  if (!newRS) throw new Error('no new ReplicaSet after creating one');
  const allRSs = [...oldRSs, newRS];

  if (await reconcileNewReplicaSet(s, allRSs, newRS)) return statusOf(s, newRS, oldRSs);
  if (await reconcileOldReplicaSets(s, allRSs, filterActive(oldRSs), newRS)) return statusOf(s, newRS, oldRSs);

  if (deploymentComplete(s.d, s.d.status ?? {})) await cleanupDeployment(s, oldRSs);
  return statusOf(s, newRS, oldRSs);
}

/** syncRolloutStatus over the latest copies of the ReplicaSets (status counts do not change by scaling them). */
function statusOf(s: DeploymentSync, newRS: ReplicaSet, oldRSs: readonly ReplicaSet[]): Promise<number | undefined> {
  const current = currentSets(s, newRS, oldRSs);
  const live = current.oldRSs.filter((rs) => s.replicaSets.some((r) => r.metadata?.uid === rs.metadata?.uid));
  return syncRolloutStatus(s, [...live, current.newRS], current.newRS);
}
