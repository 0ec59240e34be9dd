/**
 * Replica arithmetic shared by rollouts and scaling events: how far the new
 * ReplicaSet may grow (kube's `NewRSNewReplicas`) and how a change of
 * spec.replicas in the middle of a rollout is spread over every active
 * ReplicaSet in proportion to its size (kube's `scale`, `GetProportion`,
 * `getReplicaSetFraction`). Pure functions; sync.ts and rolling.ts apply them.
 */
import type { Deployment, ReplicaSet } from '@logbook/api';
import { desiredReplicas, isRecreate, isRollingUpdate, maxSurge, specReplicas } from './deployment-spec';
import { replicaCount, bySizeNewer, bySizeOlder } from './replica-sets';
import { maxReplicasAnnotation } from './revisions';

/**
 * The size the new ReplicaSet may have now: for RollingUpdate, up to
 * spec.replicas without the total exceeding spec.replicas + maxSurge; for
 * Recreate, spec.replicas.
 */
export function newRSNewReplicas(d: Deployment, allRSs: ReadonlyArray<ReplicaSet | undefined>, newRS: ReplicaSet): number {
  if (isRecreate(d)) return desiredReplicas(d);
  if (!isRollingUpdate(d)) throw new Error(`deployment type ${d.spec?.strategy?.type} isn't supported`);
  const desired = desiredReplicas(d);
  const current = replicaCount(allRSs);
  const maxTotal = desired + maxSurge(d);
  if (current >= maxTotal) return specReplicas(newRS); // cannot scale up
  const scaleUp = Math.min(maxTotal - current, desired - specReplicas(newRS));
  return specReplicas(newRS) + scaleUp;
}

/** Go's integer.RoundToInt32: halves away from zero. */
const roundToInt = (x: number): number => (x < 0 ? Math.trunc(x - 0.5) : Math.trunc(x + 0.5));

/**
 * How many replicas this ReplicaSet should gain (or lose, negative) so it
 * keeps its share of the Deployment: its size times the new allowed total
 * (spec.replicas + maxSurge) over the total it was sized for (its
 * max-replicas annotation, else status.replicas of the Deployment).
 */
export function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  const size = specReplicas(rs);
  if (desiredReplicas(d) === 0) return -size;
  const deploymentReplicas = desiredReplicas(d) + maxSurge(d);
  const annotated = maxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0; // never scale up proportionally from nothing
  return roundToInt((size * deploymentReplicas) / annotated) - size;
}

/** The ReplicaSet's share of `toAdd`, bounded by what is left of it (kube's `GetProportion`). */
export function proportion(rs: ReplicaSet | undefined, d: Deployment, toAdd: number, added: number): number {
  if (!rs || specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

export interface ProportionalScalePlan {
  /** 'up' or 'down'; '' when the total stays. */
  operation: 'up' | 'down' | '';
  /** Every active ReplicaSet with its new size, in the order they are to be written. */
  sizes: Array<{ rs: ReplicaSet; replicas: number }>;
}

/**
 * Spreads a change of spec.replicas over the active ReplicaSets of a
 * rolling Deployment in proportion to their sizes. Scaling up grows larger
 * (then newer) ReplicaSets first, scaling down shrinks larger (then older)
 * ones first; what rounding leaves over goes to the first (largest) one.
 */
export function proportionalScalePlan(d: Deployment, activeRSs: readonly ReplicaSet[]): ProportionalScalePlan {
  const all = [...activeRSs];
  const desired = desiredReplicas(d);
  const allowedSize = desired > 0 ? desired + maxSurge(d) : 0;
  const toAdd = allowedSize - replicaCount(all);
  let operation: ProportionalScalePlan['operation'] = '';
  if (toAdd > 0) {
    all.sort(bySizeNewer);
    operation = 'up';
  } else if (toAdd < 0) {
    all.sort(bySizeOlder);
    operation = 'down';
  }
  let added = 0;
  const sizes = all.map((rs) => {
    if (toAdd === 0) return { rs, replicas: specReplicas(rs) };
    const p = proportion(rs, d, toAdd, added);
    added += p;
    return { rs, replicas: specReplicas(rs) + p };
  });
  if (sizes.length > 0 && toAdd !== 0) sizes[0].replicas = Math.max(0, sizes[0].replicas + (toAdd - added));
  return { operation, sizes };
}
