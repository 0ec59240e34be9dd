/**
 * The Recreate strategy (kube's recreate.go): scale every old ReplicaSet to
 * zero, wait until none of their pods is left running, and only then create
 * (or scale up) the new ReplicaSet — so old and new pods never run at once.
 */
import type { Pod, ReplicaSet } from '@logbook/api';
import { desiredReplicas, specReplicas } from './deployment-spec';
import type { DeploymentSync } from './deployment-sync';
import { deploymentComplete, syncRolloutStatus } from './progress';
import { actualReplicaCount, filterActive } from './replica-sets';
import { cleanupDeployment, currentSets, getAllReplicaSetsAndSyncRevision } from './sync';

/**
 * Whether pods of the old ReplicaSets may still be running: any old
 * ReplicaSet still reports pods, or a pod controlled by another than the
 * new ReplicaSet is not Succeeded or Failed (kube's `oldPodsRunning`; a pod
 * in phase Unknown may be running on a node that lost contact).
 */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], podsByReplicaSet: ReadonlyMap<string, readonly Pod[]>): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [rsUid, pods] of podsByReplicaSet) {
    if (newRS && newRS.metadata?.uid === rsUid) continue;
    for (const pod of pods) {
      const phase = pod.status?.phase;
      if (phase !== 'Failed' && phase !== 'Succeeded') return true;
    }
  }
  return false;
}

/**
 * One step of a Recreate rollout (kube's `rolloutRecreate`). Returns when to
 * check a stalled rollout again (ms), if ever.
 */
export async function rolloutRecreate(s: DeploymentSync): Promise<number | undefined> {
  // Do not create the new ReplicaSet yet: nothing may scale up before the old pods are gone.
  let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, false);

  let scaledDown = false;
  for (const rs of filterActive(oldRSs)) {
    if ((await s.scaleReplicaSetAndRecordEvent(rs, 0)).scaled) scaledDown = true;
  }
  ({ newRS, oldRSs } = currentSets(s, newRS, oldRSs));
  if (scaledDown) return syncRolloutStatus(s, [...oldRSs, newRS], newRS);

  if (oldPodsRunning(newRS, oldRSs, s.podsByReplicaSet)) return syncRolloutStatus(s, [...oldRSs, newRS], newRS);

  if (!newRS) ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, true));
  if (newRS && specReplicas(newRS) !== desiredReplicas(s.d)) {
    newRS = (await s.scaleReplicaSetAndRecordEvent(newRS, desiredReplicas(s.d))).rs;
  }

  if (deploymentComplete(s.d, s.d.status ?? {})) await cleanupDeployment(s, oldRSs);
  ({ newRS, oldRSs } = currentSets(s, newRS, oldRSs));
  const live = oldRSs.filter((rs) => s.replicaSets.some((r) => r.metadata?.uid === rs.metadata?.uid));
  return syncRolloutStatus(s, [...live, newRS], newRS);
}
