/**
 * Which of a Deployment's ReplicaSets is new and which are old, orderings,
 * and the replica counts summed over them (kube's `deploymentutil` and
 * `controller` ReplicaSet helpers).
 */
import type { Deployment, PodTemplateSpec, ReplicaSet } from '@logbook/api';
import { semanticEqual } from '@logbook/api';
import { desiredReplicas, specReplicas } from './deployment-spec';
import { desiredReplicasAnnotation, POD_TEMPLATE_HASH_LABEL, revisionOf } from './revisions';

/** The template without the pod-template-hash label (an emptied label map counts as none). */
function withoutHash(template: PodTemplateSpec | undefined): unknown {
  const t = structuredClone(template ?? {}) as PodTemplateSpec;
  const labels = t.metadata?.labels;
  if (labels) {
    delete labels[POD_TEMPLATE_HASH_LABEL];
    if (Object.keys(labels).length === 0) delete t.metadata!.labels;
  }
  return t;
}

/**
 * Whether two pod templates are the same but for the pod-template-hash
 * label (kube's `EqualIgnoreHash`, semantic: a missing list equals an empty one).
 */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return semanticEqual(withoutHash(a), withoutHash(b));
}

const created = (rs: ReplicaSet) => rs.metadata?.creationTimestamp ?? '';

/**
 * Oldest first (kube's `ReplicaSetsByCreationTimestamp`). Creation times
 * have whole seconds, so ReplicaSets of one Deployment often tie; a tie is
 * broken by revision (older first), then by name as Kubernetes does.
 */
export function byCreationTimestamp(a: ReplicaSet, b: ReplicaSet): number {
  const ca = created(a);
  const cb = created(b);
  if (ca !== cb) return ca < cb ? -1 : 1;
  const ra = revisionOf(a) ?? 0;
  const rb = revisionOf(b) ?? 0;
  if (ra !== rb) return ra - rb;
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** Largest first; among equals, newer first (kube's `ReplicaSetsBySizeNewer`: scale up newer ones first). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  const d = specReplicas(b) - specReplicas(a);
  return d !== 0 ? d : byCreationTimestamp(b, a);
}

/** Largest first; among equals, older first (kube's `ReplicaSetsBySizeOlder`: scale down older ones first). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  const d = specReplicas(b) - specReplicas(a);
  return d !== 0 ? d : byCreationTimestamp(a, b);
}

/** Lowest revision first (kube's `ReplicaSetsByRevision`; ties by creation). */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const d = (revisionOf(a) ?? 0) - (revisionOf(b) ?? 0);
  return d !== 0 ? d : byCreationTimestamp(a, b);
}

/**
 * The ReplicaSet whose template is the Deployment's; the oldest if several
 * are (kube's `FindNewReplicaSet`).
 */
export function findNewReplicaSet(d: Deployment, replicaSets: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...replicaSets].sort(byCreationTimestamp).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** All ReplicaSets but the new one (kube's `FindOldReplicaSets`, the "all" half). */
export function findOldReplicaSets(d: Deployment, replicaSets: readonly ReplicaSet[]): ReplicaSet[] {
  const newRS = findNewReplicaSet(d, replicaSets);
  return replicaSets.filter((rs) => rs !== newRS);
}

/** Those with spec.replicas > 0. */
export const filterActive = (replicaSets: ReadonlyArray<ReplicaSet | undefined>): ReplicaSet[] =>
  replicaSets.filter((rs): rs is ReplicaSet => !!rs && specReplicas(rs) > 0);

const sum = (replicaSets: ReadonlyArray<ReplicaSet | undefined>, f: (rs: ReplicaSet) => number) =>
  replicaSets.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);

/** Sum of spec.replicas. */
export const replicaCount = (rss: ReadonlyArray<ReplicaSet | undefined>) => sum(rss, specReplicas);
/** Sum of status.replicas (pods that exist). */
export const actualReplicaCount = (rss: ReadonlyArray<ReplicaSet | undefined>) => sum(rss, (rs) => rs.status?.replicas ?? 0);
export const readyReplicaCount = (rss: ReadonlyArray<ReplicaSet | undefined>) => sum(rss, (rs) => rs.status?.readyReplicas ?? 0);
export const availableReplicaCount = (rss: ReadonlyArray<ReplicaSet | undefined>) => sum(rss, (rs) => rs.status?.availableReplicas ?? 0);

/**
 * The one ReplicaSet to scale when only one (or none) has replicas: the
 * active one, else the new one, else the newest old one; `undefined` when
 * several are active (kube's `FindActiveOrLatest`).
 */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreationTimestamp(b, a));
  const active = filterActive([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/**
 * Whether the new ReplicaSet runs the whole Deployment: it wants, was
 * annotated with and has available spec.replicas pods (kube's `IsSaturated`).
 */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicasAnnotation(rs);
  if (desired === undefined) return false;
  const want = desiredReplicas(d);
  return specReplicas(rs) === want && desired === want && (rs.status?.availableReplicas ?? 0) === want;
}
