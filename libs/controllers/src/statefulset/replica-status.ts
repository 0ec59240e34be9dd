/**
 * How a StatefulSet reads its pods' health and sums it up in its status
 * (Kubernetes' isRunningAndReady/isRunningAndAvailable/computeReplicaStatus/
 * completeRollingUpdate). Pure functions; `now` is passed in.
 */
import type { Pod, StatefulSet, StatefulSetStatus } from '@logbook/api';
import { isPodReady } from '@logbook/api';
import { podRevision } from './identity';

/** The pod exists in the API (pods the controller still plans to create do not). */
export const isCreated = (pod: Pod): boolean => !!pod.metadata?.uid;
export const isTerminating = (pod: Pod): boolean => !!pod.metadata?.deletionTimestamp;
export const isFailedOrSucceeded = (pod: Pod): boolean => pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';

export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

/** Running and Ready for at least `minReadySeconds`. */
export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isRunningAndReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const ready = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
  const since = Date.parse(ready?.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

/** Not created, terminating, or not (yet) available: blocks ordered progress. */
export function isUnavailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  return !isCreated(pod) || isTerminating(pod) || !isRunningAndAvailable(pod, minReadySeconds, now);
}

export interface ReplicaCounts {
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
}

/** Counts over the set's pods (created ones; current/updated exclude terminating pods). */
export function countReplicas(pods: readonly Pod[], minReadySeconds: number, currentRevision: string, updateRevision: string, now: number): ReplicaCounts {
  const c: ReplicaCounts = { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
  for (const pod of pods) {
    if (!isCreated(pod)) continue;
    c.replicas++;
    if (isRunningAndReady(pod)) {
      c.readyReplicas++;
      if (isRunningAndAvailable(pod, minReadySeconds, now)) c.availableReplicas++;
    }
    if (!isTerminating(pod)) {
      const rev = podRevision(pod);
      if (rev === currentRevision) c.currentReplicas++;
      if (rev === updateRevision) c.updatedReplicas++;
    }
  }
  return c;
}

/**
 * A rolling update is complete when every pod is updated and ready: the
 * update revision becomes the current one.
 */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): void {
  if (
    (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' &&
    status.updatedReplicas === status.replicas &&
    status.readyReplicas === status.replicas
  ) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}

const STATUS_FIELDS = ['observedGeneration', 'replicas', 'readyReplicas', 'availableReplicas', 'currentReplicas', 'updatedReplicas', 'currentRevision', 'updateRevision', 'collisionCount'] as const;

/** Whether the recorded status differs from the computed one in any field the controller owns. */
export function statusDiffers(recorded: StatefulSetStatus | undefined, computed: StatefulSetStatus): boolean {
  return STATUS_FIELDS.some((f) => (recorded?.[f] ?? undefined) !== (computed[f] ?? undefined) && !(isZeroish(recorded?.[f]) && isZeroish(computed[f])));
}

const isZeroish = (v: unknown): boolean => v === undefined || v === 0 || v === '';
