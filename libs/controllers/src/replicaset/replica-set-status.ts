import type { Pod, WorkloadCondition } from '@logbook/api';
import { isConflict, LabelSelector } from '@logbook/machinery';
import type { KubeClient, KubeObject } from '@logbook/sdk';
import { isPodAvailable, isPodReady } from '../shared';
import type { ReplicaSetKind, ReplicaSetLikeStatus } from './replica-set-kind';

/** Set while creating or deleting pods fails; removed once a sync succeeds. */
export const REPLICA_FAILURE = 'ReplicaFailure';

/** Why manageReplicas failed, for the ReplicaFailure condition. */
export class ManageReplicasError extends Error {
  constructor(
    readonly reason: 'FailedCreate' | 'FailedDelete',
    readonly error: unknown,
  ) {
    super(error instanceof Error ? error.message : String(error));
    this.name = 'ManageReplicasError';
  }
}

/**
 * The status a replica set should report for the pods it controls
 * (Kubernetes' calculateStatus): replicas, fullyLabeledReplicas (pods
 * carrying all the template's labels), readyReplicas, availableReplicas
 * (Ready for minReadySeconds), and the ReplicaFailure condition.
 */
export function calculateStatus<T extends KubeObject>(
  k: ReplicaSetKind<T>,
  rs: T,
  pods: readonly Pod[],
  manageError: ManageReplicasError | undefined,
  now: number,
): ReplicaSetLikeStatus {
  const templateLabels = k.template(rs)?.metadata?.labels ?? {};
  const templateSelector = LabelSelector.fromSet(templateLabels);
  const minReady = k.minReadySeconds(rs);
  const old = k.status(rs);
  let conditions: WorkloadCondition[] = [...(old?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === REPLICA_FAILURE);
  if (manageError && !failure) {
    conditions.push({ type: REPLICA_FAILURE, status: 'True', lastTransitionTime: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'), reason: manageError.reason, message: manageError.message });
  } else if (!manageError && failure) {
    conditions = conditions.filter((c) => c.type !== REPLICA_FAILURE);
  }
  const status: ReplicaSetLikeStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: Object.keys(templateLabels).length ? pods.filter((p) => templateSelector.matches(p.metadata?.labels ?? {})).length : pods.length,
    readyReplicas: pods.filter(isPodReady).length,
    availableReplicas: pods.filter((p) => isPodAvailable(p, minReady, now)).length,
    observedGeneration: old?.observedGeneration,
  };
  if (conditions.length) status.conditions = conditions;
  return status;
}

const sameStatus = (a: ReplicaSetLikeStatus | undefined, b: ReplicaSetLikeStatus) =>
  (a?.replicas ?? 0) === b.replicas &&
  (a?.fullyLabeledReplicas ?? 0) === (b.fullyLabeledReplicas ?? 0) &&
  (a?.readyReplicas ?? 0) === (b.readyReplicas ?? 0) &&
  (a?.availableReplicas ?? 0) === (b.availableReplicas ?? 0) &&
  JSON.stringify(a?.conditions ?? []) === JSON.stringify(b.conditions ?? []);

/**
 * Writes `status` (with observedGeneration = generation) unless the object
 * already says so (Kubernetes' updateReplicaSetStatus). On a conflict it
 * reads the object again and retries once; returns the object as stored.
 */
export async function updateReplicaSetStatus<T extends KubeObject>(client: KubeClient, k: ReplicaSetKind<T>, rs: T, status: ReplicaSetLikeStatus): Promise<T> {
  let current = rs;
  for (let attempt = 0; ; attempt++) {
    const generation = current.metadata?.generation;
    if (sameStatus(k.status(current), status) && k.status(current)?.observedGeneration === generation) return current;
    const next = { ...current, status: { ...status, observedGeneration: generation } } as T;
    try {
      return await client.updateStatus(k.kind, next);
    } catch (err) {
      if (!isConflict(err) || attempt >= 1) throw err;
      current = await client.get(k.kind, { namespace: rs.metadata?.namespace, name: rs.metadata!.name! });
    }
  }
}
