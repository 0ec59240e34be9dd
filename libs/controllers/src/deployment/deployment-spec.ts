/**
 * Reading a Deployment's spec the way the controller needs it, with the
 * apps/v1 defaults for fields a client left out, and the rolling-update
 * fenceposts (kube's `deploymentutil.MaxSurge`, `MaxUnavailable`,
 * `ResolveFenceposts`).
 */
import type { Deployment, ReplicaSet } from '@logbook/api';
import { intOrPercent } from '@logbook/machinery';
import type { IntOrString } from '@logbook/machinery';

/** Go's math.MaxInt32: a progressDeadlineSeconds of this value means "no deadline". */
export const MAX_INT32 = 2147483647;

/** spec.replicas (defaulted to 1 by the API server). */
export const desiredReplicas = (d: Deployment): number => d.spec?.replicas ?? 1;

/** spec.replicas of a ReplicaSet (defaulted to 1 by the API server). */
export const specReplicas = (rs: ReplicaSet | undefined): number => (rs ? (rs.spec?.replicas ?? 1) : 0);

export const isRollingUpdate = (d: Deployment): boolean => (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

export const isRecreate = (d: Deployment): boolean => d.spec?.strategy?.type === 'Recreate';

/** Whether the Deployment has a progress deadline (kube's `HasProgressDeadline`). */
export const hasProgressDeadline = (d: Deployment): boolean =>
  d.spec?.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== null && d.spec.progressDeadlineSeconds !== MAX_INT32;

/** Whether old ReplicaSets beyond a limit are deleted (kube's `HasRevisionHistoryLimit`). */
export const hasRevisionHistoryLimit = (d: Deployment): boolean =>
  d.spec?.revisionHistoryLimit !== undefined && d.spec.revisionHistoryLimit !== null && d.spec.revisionHistoryLimit !== MAX_INT32;

/**
 * `ResolveFenceposts`: maxSurge rounds up, maxUnavailable rounds down (both
 * against `desired`); when both come to zero, maxUnavailable becomes 1
 * (validation forbids 0/0 as written, but rounding down can produce it).
 */
export function resolveFenceposts(
  maxSurge: IntOrString | undefined | null,
  maxUnavailable: IntOrString | undefined | null,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = intOrPercent(maxSurge ?? 0, desired, true);
  let unavailable = intOrPercent(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

const rollingParams = (d: Deployment) => {
  const ru = d.spec?.strategy?.rollingUpdate;
  // apps/v1 defaults both to 25% when the strategy is RollingUpdate.
  return resolveFenceposts(ru?.maxSurge ?? '25%', ru?.maxUnavailable ?? '25%', desiredReplicas(d));
};

/** How many pods above spec.replicas a rolling update may create (0 for Recreate). */
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  return rollingParams(d).surge;
}

/** How many of spec.replicas may be unavailable during a rolling update (0 for Recreate or 0 replicas). */
export function maxUnavailable(d: Deployment): number {
  const desired = desiredReplicas(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  return Math.min(rollingParams(d).unavailable, desired);
}
