/**
 * Which ReplicaSets and pods belong to a Deployment (kube's
 * `getReplicaSetsForDeployment` and `getPodMapForDeployment`).
 */
import type { Deployment, Pod, ReplicaSet } from '@logbook/api';
import type { LabelSelector } from '@logbook/machinery';
import { controllerReferenceOf, kinds, KubeObject, ReconcileContext } from '@logbook/sdk';
import { claimObjects, recheckOwner } from '../shared';

/**
 * The ReplicaSets the Deployment controls, after adopting orphans its
 * selector matches and releasing those it controls but no longer matches
 * (shared `claimObjects`; before the first adoption the Deployment is read
 * again from the API server, so one being deleted or replaced adopts nothing).
 */
export async function getReplicaSetsForDeployment(ctx: ReconcileContext, d: Deployment, selector: LabelSelector): Promise<ReplicaSet[]> {
  const candidates = await ctx.cache.list(kinds.ReplicaSet, { namespace: d.metadata?.namespace });
  const owner: KubeObject = { ...d, apiVersion: 'apps/v1', kind: 'Deployment' };
  return claimObjects(candidates, {
    client: ctx.client,
    kind: kinds.ReplicaSet,
    owner,
    selector,
    canAdopt: recheckOwner(ctx.client, kinds.Deployment, owner),
    onAdopt: (rs) => ctx.log.log(`deployment ${d.metadata?.namespace}/${d.metadata?.name} adopted replica set ${rs.metadata?.name}`),
    onRelease: (rs) => ctx.log.log(`deployment ${d.metadata?.namespace}/${d.metadata?.name} released replica set ${rs.metadata?.name}`),
  });
}

/**
 * The Deployment's pods grouped by the uid of the ReplicaSet controlling
 * them, for each of `replicaSets` (a ReplicaSet without pods has an empty
 * list); pods of other controllers are left out.
 */
export function podsByReplicaSet(replicaSets: readonly ReplicaSet[], pods: readonly Pod[]): Map<string, Pod[]> {
  const map = new Map<string, Pod[]>();
  for (const rs of replicaSets) if (rs.metadata?.uid) map.set(rs.metadata.uid, []);
  for (const pod of pods) {
    const ref = controllerReferenceOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') continue;
    map.get(ref.uid)?.push(pod);
  }
  return map;
}
