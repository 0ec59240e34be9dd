/**
 * Which PersistentVolume a claim may bind to, and the StorageClass
 * helpers. Pure functions, after Kubernetes' pv_controller
 * findBestMatchForClaim.
 */
import type { ObjectReference, PersistentVolume, PersistentVolumeClaim, StorageClass } from '@logbook/api';
import { labelSelectorMatches, parseQuantity } from '@logbook/api';

export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
const BETA_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';
export const HOSTPATH_PROVISIONER = 'logbook.io/hostpath';
/** minikube's provisioner name, used by the seed's StorageClass `fast`: served by the same hostPath provisioner. */
export const MINIKUBE_HOSTPATH_PROVISIONER = 'k8s.io/minikube-hostpath';
export const HOSTPATH_PROVISIONERS: ReadonlySet<string> = new Set([HOSTPATH_PROVISIONER, MINIKUBE_HOSTPATH_PROVISIONER]);
/** Where provisioned hostPath volumes live unless the class says `parameters.root` (minikube's directory). */
export const DEFAULT_HOSTPATH_ROOT = '/tmp/hostpath-provisioner';

export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
/** The node the scheduler (here: the binder, for the first consumer) chose for a WaitForFirstConsumer claim. */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
/** Classes of static local volumes: never provisioned. */
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

/** The class `standard` made at start when no class is the default (as minikube's). */
export function standardStorageClass(): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'standard', annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' }, labels: { 'addonmanager.kubernetes.io/mode': 'EnsureExists' } },
    provisioner: HOSTPATH_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  };
}

export function isDefaultClass(sc: StorageClass): boolean {
  const a = sc.metadata?.annotations ?? {};
  return a[DEFAULT_CLASS_ANNOTATION] === 'true' || a[BETA_DEFAULT_CLASS_ANNOTATION] === 'true';
}

/** The default class: of several, the newest (as Kubernetes' GetDefaultClass), then by name. */
export function defaultClass(classes: readonly StorageClass[]): StorageClass | undefined {
  return [...classes]
    .filter(isDefaultClass)
    .sort((a, b) => Date.parse(b.metadata?.creationTimestamp ?? '') - Date.parse(a.metadata?.creationTimestamp ?? '') || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))[0];
}

/**
 * The class a claim asks for: its `storageClassName`; when unset, the
 * default class (what Kubernetes' DefaultStorageClass admission would have
 * written into the claim; Logbook's apiserver has no such plugin and the
 * claim's spec cannot change later, so the binder resolves it); '' means
 * "no class": only volumes without a class, never provisioned.
 */
export function requestedClass(claim: PersistentVolumeClaim, classes: readonly StorageClass[]): string {
  const name = claim.spec?.storageClassName;
  if (name !== undefined && name !== null) return name;
  return defaultClass(classes)?.metadata?.name ?? '';
}

const requestedBytes = (claim: PersistentVolumeClaim): number => parseQuantity(claim.spec?.resources?.requests?.storage) ?? 0;
const capacityBytes = (pv: PersistentVolume): number => parseQuantity(pv.spec?.capacity?.storage) ?? 0;

/** The volume's claimRef names this claim (and, if it has a uid, this very claim). */
export function isVolumeBoundToClaim(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== claim.metadata?.name || (ref.namespace ?? '') !== (claim.metadata?.namespace ?? '')) return false;
  return !ref.uid || ref.uid === claim.metadata?.uid;
}

/**
 * The volume a claim should bind to: one pre-bound to it (claimRef naming
 * it) wins; else the smallest Available volume without a claim whose class
 * equals the requested one, whose access modes include the claim's, whose
 * volume mode is the claim's, whose labels match the claim's selector and
 * whose capacity is at least the request.
 */
export function findBestMatch(claim: PersistentVolumeClaim, volumes: readonly PersistentVolume[], className: string): PersistentVolume | undefined {
  const want = requestedBytes(claim);
  const modes = claim.spec?.accessModes ?? [];
  const mode = claim.spec?.volumeMode ?? 'Filesystem';
  let best: PersistentVolume | undefined;
  for (const pv of volumes) {
    if (pv.metadata?.deletionTimestamp) continue;
    if ((pv.spec?.volumeMode ?? 'Filesystem') !== mode) continue;
    if (isVolumeBoundToClaim(pv, claim)) return pv;
    if (pv.spec?.claimRef) continue;
    const phase = pv.status?.phase;
    if (phase && phase !== 'Available' && phase !== 'Pending') continue;
    if ((pv.spec?.storageClassName ?? '') !== className) continue;
    if (claim.spec?.selector && !labelSelectorMatches(claim.spec.selector, pv.metadata?.labels ?? {})) continue;
    const pvModes = pv.spec?.accessModes ?? [];
    if (!modes.every((m) => pvModes.includes(m))) continue;
    const size = capacityBytes(pv);
    if (size < want) continue;
    if (!best || size < capacityBytes(best)) best = pv;
  }
  return best;
}

/** A claimRef pointing at the claim (with its uid: bound to this very object). */
export function claimRefTo(claim: PersistentVolumeClaim): ObjectReference {
  return {
    kind: 'PersistentVolumeClaim',
    apiVersion: 'v1',
    namespace: claim.metadata?.namespace,
    name: claim.metadata?.name,
    uid: claim.metadata?.uid,
    resourceVersion: claim.metadata?.resourceVersion,
  };
}
