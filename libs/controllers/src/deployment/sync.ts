/**
 * What every kind of sync shares (kube's sync.go): finding the new and old
 * ReplicaSets and keeping revisions in order, creating the new ReplicaSet,
 * scaling events and paused Deployments (proportional scaling), cleaning up
 * old ReplicaSets beyond revisionHistoryLimit, and the Deployment's status.
 */
import type { Deployment, DeploymentStatus, ReplicaSet } from '@logbook/api';
import { semanticEqual } from '@logbook/api';
import { isAlreadyExists, isApiError, isNotFound } from '@logbook/machinery';
import { kinds } from '@logbook/sdk';
import {
  AVAILABLE,
  getDeploymentCondition,
  newDeploymentCondition,
  PROGRESSING,
  Reasons,
  setDeploymentCondition,
} from './conditions';
import { desiredReplicas, hasProgressDeadline, hasRevisionHistoryLimit, isRollingUpdate, maxUnavailable, specReplicas } from './deployment-spec';
import type { DeploymentSync } from './deployment-sync';
import { computePodTemplateHash } from './pod-template-hash';
import {
  actualReplicaCount,
  availableReplicaCount,
  byRevision,
  equalIgnoreHash,
  filterActive,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  isSaturated,
  readyReplicaCount,
  replicaCount,
} from './replica-sets';
import {
  DEPRECATED_ROLLBACK_TO_ANNOTATION,
  desiredReplicasAnnotation,
  maxRevision,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
} from './revisions';
import { newRSNewReplicas, proportionalScalePlan } from './scaling';

export interface ReplicaSetsOfDeployment {
  /** The ReplicaSet whose template is the Deployment's, if there is one. */
  newRS: ReplicaSet | undefined;
  /** Every other ReplicaSet the Deployment controls. */
  oldRSs: ReplicaSet[];
}

/**
 * The new and old ReplicaSets, with the new one's revision brought to
 * max(old)+1 and the Deployment's revision annotation to the new one's;
 * with `createIfNotExisted`, the new ReplicaSet is created if missing.
 */
export async function getAllReplicaSetsAndSyncRevision(s: DeploymentSync, createIfNotExisted: boolean): Promise<ReplicaSetsOfDeployment> {
  const newRS = await getNewReplicaSet(s, findOldReplicaSets(s.d, s.replicaSets), createIfNotExisted);
  return { newRS, oldRSs: s.replicaSets.filter((rs) => rs.metadata?.uid !== newRS?.metadata?.uid) };
}

/**
 * The ReplicaSet matching the Deployment's template (kube's
 * `getNewReplicaSet`). An existing one gets the Deployment's annotations,
 * revision max(old)+1 (a rollback to it records its former revision in
 * revision-history) and minReadySeconds. A missing one is created — named
 * `<deployment>-<pod-template-hash>`, with the hash on its selector,
 * labels and template — sized by `newRSNewReplicas`. A name taken by a
 * ReplicaSet with another template is a hash collision: the Deployment's
 * collisionCount goes up, which changes the hash next time.
 */
export async function getNewReplicaSet(s: DeploymentSync, oldRSs: readonly ReplicaSet[], createIfNotExisted: boolean): Promise<ReplicaSet | undefined> {
  const d = s.d;
  const existing = findNewReplicaSet(d, s.replicaSets);
  const newRevision = maxRevision(oldRSs) + 1;

  if (existing) {
    const copy = structuredClone(existing);
    const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
    const minReadySecondsNeedsUpdate = (copy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
    if (annotationsUpdated || minReadySecondsNeedsUpdate) {
      (copy.spec ??= {}).minReadySeconds = d.spec?.minReadySeconds ?? 0;
      return s.updateReplicaSet(copy);
    }
    // The new ReplicaSet's own revision is the one to copy: it was set by an earlier sync.
    if (setDeploymentRevision(d, copy.metadata?.annotations?.[REVISION_ANNOTATION] ?? String(newRevision))) await s.persistRevisionAnnotation();
    if (hasProgressDeadline(d) && !getDeploymentCondition(d.status, PROGRESSING)) {
      const status = (s.d.status ??= {});
      setDeploymentCondition(status, newDeploymentCondition(PROGRESSING, 'True', Reasons.FoundNewReplicaSet, `Found new replica set "${copy.metadata?.name}"`, s.now()));
      await s.updateStatus();
    }
    return copy;
  }

  if (!createIfNotExisted) return undefined;

  const template = structuredClone(d.spec?.template ?? {});
  const hash = computePodTemplateHash(d.spec?.template, d.status?.collisionCount);
  const templateMeta = (template.metadata ??= {});
  templateMeta.labels = { ...(templateMeta.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const selector = structuredClone(d.spec?.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const name = `${d.metadata?.name}-${hash}`;
  const newRS: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: d.metadata?.namespace,
      labels: { ...templateMeta.labels },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata!.name!, uid: d.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
  };
  const replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  newRS.spec!.replicas = replicas;
  setNewReplicaSetAnnotations(d, newRS, newRevision, false);

  let created: ReplicaSet;
  let alreadyExisted = false;
  try {
    created = await s.createReplicaSet(newRS);
  } catch (err) {
    if (isAlreadyExists(err)) {
      // A slow cache, or a hash collision with a ReplicaSet of another template.
      const found = await s.client.get(kinds.ReplicaSet, { namespace: d.metadata?.namespace, name });
      const ref = found.metadata?.ownerReferences?.find((r) => r.controller);
      if (ref?.uid === d.metadata?.uid && equalIgnoreHash(d.spec?.template, found.spec?.template)) {
        created = s.remember(found);
        alreadyExisted = true;
      } else {
        const status = (s.d.status ??= {});
        const before = status.collisionCount ?? 0;
        status.collisionCount = before + 1;
        await s.updateStatus();
        s.ctx.log.log(`found a hash collision for deployment ${s.key.namespace}/${s.key.name}: collisionCount ${before} -> ${before + 1}`);
        throw err;
      }
    } else {
      const message = `Failed to create new replica set "${name}": ${err instanceof Error ? err.message : String(err)}`;
      if (hasProgressDeadline(d) && !isNamespaceTerminating(err)) {
        setDeploymentCondition((s.d.status ??= {}), newDeploymentCondition(PROGRESSING, 'False', Reasons.FailedReplicaSetCreate, message, s.now()));
        await s.updateStatus().catch(() => undefined); // the bigger problem is the one reported
      }
      void s.event('Warning', Reasons.FailedReplicaSetCreate, message);
      throw err;
    }
  }
  if (!alreadyExisted && replicas > 0) {
    void s.event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata?.name} from 0 to ${replicas}`);
  }
  if (setDeploymentRevision(s.d, String(newRevision))) await s.persistRevisionAnnotation();
  if (!alreadyExisted && hasProgressDeadline(s.d)) {
    setDeploymentCondition((s.d.status ??= {}), newDeploymentCondition(PROGRESSING, 'True', Reasons.NewReplicaSet, `Created new replica set "${created.metadata?.name}"`, s.now()));
    await s.updateStatus();
  }
  return created;
}

/** A create refused because the namespace is being deleted (StatusCause NamespaceTerminating): nothing to report. */
const isNamespaceTerminating = (err: unknown): boolean =>
  isApiError(err) && (err.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');

/** Whether spec.replicas differs from what the active ReplicaSets were last sized for (kube's `isScalingEvent`). */
export async function isScalingEvent(s: DeploymentSync): Promise<boolean> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, false);
  for (const rs of filterActive([...oldRSs, newRS])) {
    const desired = desiredReplicasAnnotation(rs);
    if (desired !== undefined && desired !== desiredReplicas(s.d)) return true;
  }
  return false;
}

/**
 * A sync that scales but does not roll out: for a paused Deployment and for
 * a scaling event (kube's `sync`).
 */
export async function sync(s: DeploymentSync): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, false);
  await scale(s, newRS, oldRSs);
  const current = currentSets(s, newRS, oldRSs);
  if (s.d.spec?.paused && !s.d.metadata?.annotations?.[DEPRECATED_ROLLBACK_TO_ANNOTATION]) await cleanupDeployment(s, current.oldRSs);
  await syncDeploymentStatus(s, [...current.oldRSs, current.newRS], current.newRS);
}

/** Only the status: for a Deployment being deleted (kube's `syncStatusOnly`). */
export async function syncStatusOnly(s: DeploymentSync): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, false);
  await syncDeploymentStatus(s, [...oldRSs, newRS], newRS);
}

/** The remembered (latest written) copies of these ReplicaSets. */
export function currentSets(s: DeploymentSync, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSetsOfDeployment {
  const latest = (rs: ReplicaSet) => s.replicaSets.find((r) => r.metadata?.uid === rs.metadata?.uid) ?? rs;
  return { newRS: newRS && latest(newRS), oldRSs: oldRSs.map(latest) };
}

/**
 * Brings the ReplicaSets to the Deployment's size (kube's `scale`): when
 * only one is active (or none), it gets spec.replicas; when the new one is
 * saturated, the old ones go to zero; otherwise, for RollingUpdate, the
 * difference to spec.replicas + maxSurge is spread in proportion to sizes.
 */
export async function scale(s: DeploymentSync, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): Promise<void> {
  const d = s.d;
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (specReplicas(activeOrLatest) === desiredReplicas(d)) return;
    await s.scaleReplicaSetAndRecordEvent(activeOrLatest, desiredReplicas(d));
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of filterActive(oldRSs)) await s.scaleReplicaSetAndRecordEvent(old, 0);
    return;
  }
  if (isRollingUpdate(d)) {
    const plan = proportionalScalePlan(d, filterActive([...oldRSs, newRS]));
    for (const { rs, replicas } of plan.sizes) await s.scaleReplicaSet(rs, replicas, plan.operation);
  }
}

/**
 * Deletes the oldest old ReplicaSets beyond spec.revisionHistoryLimit —
 * only those scaled to zero with no pods left, whose last change their
 * controller has seen (kube's `cleanupDeployment`).
 */
export async function cleanupDeployment(s: DeploymentSync, oldRSs: readonly ReplicaSet[]): Promise<void> {
  const d = s.d;
  if (!hasRevisionHistoryLimit(d)) return;
  const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
  const diff = cleanable.length - (d.spec?.revisionHistoryLimit ?? 0);
  if (diff <= 0) return;
  cleanable.sort(byRevision);
  for (const rs of cleanable.slice(0, diff)) {
    if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0) continue;
    if ((rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    try {
      await s.client.delete(kinds.ReplicaSet, { namespace: rs.metadata?.namespace, name: rs.metadata!.name! }, { preconditions: { uid: rs.metadata?.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    s.replicaSets = s.replicaSets.filter((r) => r.metadata?.uid !== rs.metadata?.uid);
  }
}

/**
 * The Deployment's status from its ReplicaSets (kube's `calculateStatus`):
 * counts summed over all of them (updated = the new one's pods), and the
 * Available condition — True when at least replicas - maxUnavailable pods
 * are available. Other conditions are carried over.
 */
export function calculateStatus(allRSs: ReadonlyArray<ReplicaSet | undefined>, newRS: ReplicaSet | undefined, d: Deployment, now: Date): DeploymentStatus {
  const available = availableReplicaCount(allRSs);
  const total = replicaCount(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  status.conditions = (d.status?.conditions ?? []).map((c) => ({ ...c }));
  if (available >= desiredReplicas(d) - maxUnavailable(d)) {
    setDeploymentCondition(status, newDeploymentCondition(AVAILABLE, 'True', Reasons.MinimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setDeploymentCondition(status, newDeploymentCondition(AVAILABLE, 'False', Reasons.MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** Writes the calculated status if it differs (kube's `syncDeploymentStatus`). */
export async function syncDeploymentStatus(s: DeploymentSync, allRSs: ReadonlyArray<ReplicaSet | undefined>, newRS: ReplicaSet | undefined): Promise<void> {
  const status = calculateStatus(allRSs, newRS, s.d, s.now());
  if (semanticEqual(s.d.status ?? {}, status)) return;
  s.d.status = status;
  await s.updateStatus();
}

/**
 * Progressing=Unknown with DeploymentPaused when paused and
 * DeploymentResumed when resumed, so that the time spent paused does not
 * count against the progress deadline (kube's `checkPausedConditions`).
 * A deadline already exceeded is not overwritten.
 */
export async function checkPausedConditions(s: DeploymentSync): Promise<void> {
  const d = s.d;
  if (!hasProgressDeadline(d)) return;
  const cond = getDeploymentCondition(d.status, PROGRESSING);
  if (cond?.reason === Reasons.TimedOut) return;
  const pausedCondExists = cond?.reason === Reasons.Paused;
  const status = (d.status ??= {});
  if (d.spec?.paused && !pausedCondExists) {
    setDeploymentCondition(status, newDeploymentCondition(PROGRESSING, 'Unknown', Reasons.Paused, 'Deployment is paused', s.now()));
  } else if (!d.spec?.paused && pausedCondExists) {
    setDeploymentCondition(status, newDeploymentCondition(PROGRESSING, 'Unknown', Reasons.Resumed, 'Deployment is resumed', s.now()));
  } else {
    return;
  }
  await s.updateStatus();
}
