/**
 * `persistentVolumeClaimRetentionPolicy` as owner references on the claims,
 * as Kubernetes does it (the garbage collector then deletes the claims):
 *
 * - whenDeleted: Delete — a claim is owned by the set, so it goes with the set.
 * - whenScaled: Delete — the claim of a pod scaled away (ordinal out of
 *   range) is owned by that pod, so it goes with the pod.
 * - Retain (the default for both) — neither reference: claims outlive pods
 *   and set, and a pod re-created with the same ordinal reuses its claim.
 *
 * A claim of a pod still in range is never owned by the pod, so deleting a
 * pod by hand (or a rolling update) never deletes its data.
 */
import type { OwnerReference, PersistentVolumeClaim, Pod, StatefulSet } from '@logbook/api';
import { inOrdinalRange } from './identity';

const refTo = (owner: Pod | StatefulSet, kind: string, apiVersion: string, controller: boolean): OwnerReference => ({
  apiVersion,
  kind,
  name: owner.metadata?.name ?? '',
  uid: owner.metadata?.uid ?? '',
  ...(controller ? { controller: true, blockOwnerDeletion: true } : {}),
});

/**
 * The owner references `claim` should carry for `pod` of `set` under the
 * set's retention policy; undefined when they are right already. The pod
 * must exist (have a uid) for a reference to it to be added.
 */
export function claimOwnerReferences(set: StatefulSet, pod: Pod, claim: PersistentVolumeClaim): OwnerReference[] | undefined {
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  const deleteWithSet = policy.whenDeleted === 'Delete';
  const scaledDown = !inOrdinalRange(set, pod);
  const deleteWithPod = policy.whenScaled === 'Delete' && scaledDown && !!pod.metadata?.uid;
  // When both are Delete and the pod is scaled away, the pod owns the claim (it goes first).
  const wantSet = deleteWithSet && !deleteWithPod;
  const setUid = set.metadata?.uid;
  const podUid = pod.metadata?.uid;

  const current = claim.metadata?.ownerReferences ?? [];
  let refs = current.filter((r) => (r.uid !== setUid || wantSet) && (r.uid !== podUid || deleteWithPod));
  // References to an earlier set or pod of the same name (another uid) are stale.
  refs = refs.filter((r) => !(r.kind === 'StatefulSet' && r.name === set.metadata?.name && r.uid !== setUid));
  refs = refs.filter((r) => !(r.kind === 'Pod' && r.name === pod.metadata?.name && r.uid !== podUid));
  if (wantSet && !refs.some((r) => r.uid === setUid)) refs.push(refTo(set, 'StatefulSet', 'apps/v1', true));
  if (deleteWithPod && !refs.some((r) => r.uid === podUid)) refs.push(refTo(pod, 'Pod', 'v1', false));

  const same = refs.length === current.length && refs.every((r) => current.some((c) => c.uid === r.uid));
  return same ? undefined : refs;
}
