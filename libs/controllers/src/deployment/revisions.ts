/**
 * The annotations a Deployment and its ReplicaSets carry (kube's
 * `deploymentutil` annotation helpers): revisions, the revision history of a
 * ReplicaSet that was rolled back to, desired/max replicas for proportional
 * scaling, and the Deployment annotations (such as
 * `kubernetes.io/change-cause`) copied onto its new ReplicaSet.
 */
import type { Deployment, ReplicaSet } from '@logbook/api';
import { desiredReplicas, maxSurge } from './deployment-spec';

/** The label that tells a Deployment's ReplicaSets (and their pods) apart. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
/** extensions/v1beta1's rollbackTo, as an annotation (still honoured by the controller). */
export const DEPRECATED_ROLLBACK_TO_ANNOTATION = 'deprecated.deployment.rollback.to';
export const LAST_APPLIED_CONFIG_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** How long `revision-history` may grow (kube's maxRevHistoryLengthInChars). */
export const MAX_REVISION_HISTORY_LENGTH_IN_CHARS = 2000;

/** Deployment annotations that are not copied to its ReplicaSets. */
const ANNOTATIONS_TO_SKIP = new Set([
  LAST_APPLIED_CONFIG_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  DEPRECATED_ROLLBACK_TO_ANNOTATION,
]);

export const skipCopyAnnotation = (key: string): boolean => ANNOTATIONS_TO_SKIP.has(key);

const GO_INT = /^[+-]?\d+$/;

/** The revision of a ReplicaSet (0 when it has none); `undefined` when the annotation is not an integer. */
export function revisionOf(rs: ReplicaSet): number | undefined {
  const v = rs.metadata?.annotations?.[REVISION_ANNOTATION];
  if (v === undefined || v === '') return 0;
  return GO_INT.test(v) ? Number.parseInt(v, 10) : undefined;
}

/** The highest revision among the ReplicaSets (kube's `MaxRevision`). */
export function maxRevision(replicaSets: readonly ReplicaSet[]): number {
  let max = 0;
  for (const rs of replicaSets) {
    const v = revisionOf(rs);
    if (v !== undefined && v > max) max = v;
  }
  return max;
}

/** The second highest revision: what a rollback to "the previous revision" means (kube's `LastRevision`). */
export function lastRevision(replicaSets: readonly ReplicaSet[]): number {
  let max = 0;
  let second = 0;
  for (const rs of replicaSets) {
    const v = revisionOf(rs);
    if (v === undefined) continue;
    if (v >= max) {
      second = max;
      max = v;
    } else if (v > second) {
      second = v;
    }
  }
  return second;
}

/**
 * Copies the Deployment's annotations onto the ReplicaSet (in place), except
 * those that belong to the Deployment alone; returns whether anything changed.
 */
export function copyDeploymentAnnotationsToReplicaSet(d: Deployment, rs: ReplicaSet): boolean {
  const meta = (rs.metadata ??= {});
  const annotations = (meta.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (skipCopyAnnotation(k) || annotations[k] === v) continue;
    annotations[k] = v;
    changed = true;
  }
  return changed;
}

/** Sets desired-replicas and max-replicas on the ReplicaSet (in place); returns whether they changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const annotations = ((rs.metadata ??= {}).annotations ??= {});
  let changed = false;
  for (const [k, v] of [
    [DESIRED_REPLICAS_ANNOTATION, String(desired)],
    [MAX_REPLICAS_ANNOTATION, String(max)],
  ] as const) {
    if (annotations[k] !== v) {
      annotations[k] = v;
      changed = true;
    }
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata?.annotations ?? {};
  return a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max);
}

const intAnnotation = (rs: ReplicaSet, key: string): number | undefined => {
  const v = rs.metadata?.annotations?.[key];
  return v !== undefined && GO_INT.test(v) ? Number.parseInt(v, 10) : undefined;
};

export const desiredReplicasAnnotation = (rs: ReplicaSet): number | undefined => intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
export const maxReplicasAnnotation = (rs: ReplicaSet): number | undefined => intAnnotation(rs, MAX_REPLICAS_ANNOTATION);

/**
 * Brings the new ReplicaSet's annotations up to date (in place), as kube's
 * `SetNewReplicaSetAnnotations`: the Deployment's annotations; the revision
 * raised to `newRevision` if it is lower — and when a ReplicaSet that
 * already had a revision is raised (a rollback to it), its old revision is
 * appended to `revision-history`; and, for a ReplicaSet about to be
 * created, desired-replicas and max-replicas. Returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(
  d: Deployment,
  rs: ReplicaSet,
  newRevision: number,
  exists: boolean,
  historyLimitInChars = MAX_REVISION_HISTORY_LENGTH_IN_CHARS,
): boolean {
  let changed = copyDeploymentAnnotationsToReplicaSet(d, rs);
  const annotations = ((rs.metadata ??= {}).annotations ??= {});
  const had = Object.prototype.hasOwnProperty.call(annotations, REVISION_ANNOTATION);
  const oldRevision = annotations[REVISION_ANNOTATION] ?? '';
  let oldRevisionInt = 0;
  if (oldRevision !== '') {
    if (!GO_INT.test(oldRevision)) return false; // not ours to fix: leave the ReplicaSet alone
    oldRevisionInt = Number.parseInt(oldRevision, 10);
  }
  if (oldRevisionInt < newRevision) {
    annotations[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (had) {
      const history = annotations[REVISION_HISTORY_ANNOTATION] ?? '';
      if (history === '') {
        annotations[REVISION_HISTORY_ANNOTATION] = oldRevision;
      } else {
        // Keep the newest entries within the length limit.
        const entries = history.split(',');
        let totalLen = history.length + oldRevision.length + 1;
        let start = 0;
        while (totalLen > historyLimitInChars && start < entries.length) {
          totalLen -= entries[start].length + 1;
          start++;
        }
        if (totalLen <= historyLimitInChars) annotations[REVISION_HISTORY_ANNOTATION] = [...entries.slice(start), oldRevision].join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, desiredReplicas(d), desiredReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

/** Sets the Deployment's revision annotation (in place); returns whether it changed. */
export function setDeploymentRevision(d: Deployment, revision: string): boolean {
  const annotations = ((d.metadata ??= {}).annotations ??= {});
  if (annotations[REVISION_ANNOTATION] === revision) return false;
  annotations[REVISION_ANNOTATION] = revision;
  return true;
}
