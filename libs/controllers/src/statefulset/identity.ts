/**
 * A StatefulSet pod's stable identity: its ordinal name, its hostname and
 * subdomain under the governing Service, its identity labels and the
 * claims made for it from `volumeClaimTemplates`. Pure functions, as in
 * Kubernetes' stateful_set_utils.go.
 */
import type { PersistentVolumeClaim, Pod, StatefulSet, Volume } from '@logbook/api';
import { setControllerReference } from '@logbook/sdk';

/** The pod's own name as a label, so a Service can select exactly one pod of a set. */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** The pod's ordinal as a label (apps.kubernetes.io/pod-index, Kubernetes 1.28+). */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** The name of the ControllerRevision a pod was made from. */
export const REVISION_LABEL = 'controller-revision-hash';

const ORDINAL_NAME = /^(.*)-([0-9]+)$/;

/** `<set>-<ordinal>`. */
export function podName(setName: string, ordinal: number): string {
  return `${setName}-${ordinal}`;
}

/** The set name and ordinal a pod name encodes; undefined when it encodes none. */
export function parseOrdinalName(name: string | undefined): { parent: string; ordinal: number } | undefined {
  const m = ORDINAL_NAME.exec(name ?? '');
  if (!m) return undefined;
  const ordinal = Number(m[2]);
  return Number.isSafeInteger(ordinal) ? { parent: m[1], ordinal } : undefined;
}

/** The pod's ordinal, or -1 when its name has none. */
export function ordinalOf(pod: Pod): number {
  return parseOrdinalName(pod.metadata?.name)?.ordinal ?? -1;
}

/** Whether the pod's name says it belongs to the set (`<set>-<n>`). */
export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return parseOrdinalName(pod.metadata?.name)?.parent === set.metadata?.name;
}

/** The first ordinal (`spec.ordinals.start`, default 0). */
export function startOrdinal(set: StatefulSet): number {
  return set.spec?.ordinals?.start ?? 0;
}

/** The last ordinal of the wanted range (start + replicas - 1; below start when replicas is 0). */
export function endOrdinal(set: StatefulSet): number {
  return startOrdinal(set) + (set.spec?.replicas ?? 1) - 1;
}

export function inOrdinalRange(set: StatefulSet, pod: Pod): boolean {
  const ord = ordinalOf(pod);
  return ord >= startOrdinal(set) && ord <= endOrdinal(set);
}

/** `<template>-<set>-<ordinal>`: the claim a pod gets from one of the set's volumeClaimTemplates. */
export function claimName(templateName: string, setName: string, ordinal: number): string {
  return `${templateName}-${setName}-${ordinal}`;
}

/**
 * The claims the pod with `ordinal` uses, by template name: each template
 * with the claim's name, the set's namespace, and the set's selector labels
 * added to the template's own.
 */
export function claimsFor(set: StatefulSet, ordinal: number): Map<string, PersistentVolumeClaim> {
  const claims = new Map<string, PersistentVolumeClaim>();
  for (const template of set.spec?.volumeClaimTemplates ?? []) {
    const templateName = template.metadata?.name ?? '';
    const claim: PersistentVolumeClaim = structuredClone({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: template.metadata, spec: template.spec });
    claim.metadata = {
      ...(claim.metadata ?? {}),
      name: claimName(templateName, set.metadata?.name ?? '', ordinal),
      namespace: set.metadata?.namespace,
      labels: { ...(claim.metadata?.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) },
    };
    delete claim.metadata.uid;
    delete claim.metadata.resourceVersion;
    delete claim.metadata.creationTimestamp;
    claims.set(templateName, claim);
  }
  return claims;
}

/** Points the pod's volumes named like a claim template at that pod's claim (adding them when missing). */
export function updateStorage(set: StatefulSet, pod: Pod): void {
  const claims = claimsFor(set, ordinalOf(pod));
  if (!claims.size) return;
  const spec = (pod.spec ??= { containers: [] });
  const volumes: Volume[] = [];
  for (const [name, claim] of claims) volumes.push({ name, persistentVolumeClaim: { claimName: claim.metadata!.name! } });
  for (const v of spec.volumes ?? []) if (!claims.has(v.name)) volumes.push(v);
  spec.volumes = volumes;
}

/** Every claim template has a volume of the same name that uses this pod's claim. */
export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = ordinalOf(pod);
  if (ordinal < 0) return false;
  const byName = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  for (const [name, claim] of claimsFor(set, ordinal)) {
    if (byName.get(name)?.persistentVolumeClaim?.claimName !== claim.metadata?.name) return false;
  }
  return true;
}

/** Sets the identity labels (pod name, index) a pod of the set carries. */
export function updateIdentityLabels(set: StatefulSet, pod: Pod): void {
  const meta = (pod.metadata ??= {});
  meta.labels = { ...(meta.labels ?? {}), [POD_NAME_LABEL]: meta.name ?? '', [POD_INDEX_LABEL]: String(ordinalOf(pod)) };
}

/** Name, namespace and identity labels agree with the set (Kubernetes' identityMatches). */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const parsed = parseOrdinalName(pod.metadata?.name);
  if (!parsed || parsed.parent !== set.metadata?.name) return false;
  const labels = pod.metadata?.labels ?? {};
  return (
    pod.metadata?.namespace === set.metadata?.namespace &&
    labels[POD_NAME_LABEL] === pod.metadata?.name &&
    labels[POD_INDEX_LABEL] === String(parsed.ordinal)
  );
}

export function podRevision(pod: Pod): string | undefined {
  return pod.metadata?.labels?.[REVISION_LABEL];
}

/**
 * A new pod of the set at `ordinal`, from the set's template: named
 * `<set>-<ordinal>`, controlled by the set, with hostname = its name and
 * subdomain = `spec.serviceName` (so `<pod>.<service>.<ns>.svc` resolves to
 * it through the headless Service), identity labels, the revision label
 * and its claims as volumes.
 */
export function newStatefulSetPod(set: StatefulSet, ordinal: number, revision: string): Pod {
  const template = structuredClone(set.spec?.template ?? {});
  const name = podName(set.metadata?.name ?? '', ordinal);
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata?.namespace,
      labels: { ...(template.metadata?.labels ?? {}), [REVISION_LABEL]: revision },
      ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      ...(template.metadata?.finalizers ? { finalizers: template.metadata.finalizers } : {}),
    },
    spec: { ...(template.spec ?? { containers: [] }) },
  };
  setControllerReference(set, pod);
  updateIdentityLabels(set, pod);
  pod.spec!.hostname = name;
  if (set.spec?.serviceName) pod.spec!.subdomain = set.spec.serviceName;
  updateStorage(set, pod);
  return pod;
}
