import type { OwnerReference } from '@logbook/api';
import type { KubeObject } from '@logbook/sdk';

/** The finalizer the apiserver adds for `propagationPolicy: Foreground`: delete blocking dependents first. */
export const FOREGROUND_DELETION = 'foregroundDeletion';
/** The finalizer the apiserver adds for `propagationPolicy: Orphan`: detach dependents first. */
export const ORPHAN = 'orphan';

export const ownerRefs = (o: KubeObject): OwnerReference[] => o.metadata?.ownerReferences ?? [];
export const hasFinalizer = (o: KubeObject, f: string) => (o.metadata?.finalizers ?? []).includes(f);
export const isDeleting = (o: KubeObject) => !!o.metadata?.deletionTimestamp;

/** Being deleted in the foreground: waiting for its blocking dependents to go. */
export const isDeletingDependents = (o: KubeObject) => isDeleting(o) && hasFinalizer(o, FOREGROUND_DELETION);
/** Being deleted with orphaning: its dependents are to be detached. */
export const isOrphaning = (o: KubeObject) => isDeleting(o) && hasFinalizer(o, ORPHAN);

/** Whether two objects' owner references differ (uids, or blockOwnerDeletion). */
export function ownerRefsChanged(a: KubeObject, b: KubeObject): boolean {
  const key = (r: OwnerReference) => `${r.uid}:${r.blockOwnerDeletion ? 1 : 0}`;
  return ownerRefs(a).map(key).join(',') !== ownerRefs(b).map(key).join(',');
}

/** The owners of an item, sorted as Kubernetes' classifyReferences does. */
export interface ClassifiedOwners {
  /** Exist and are not waiting for dependents: the item stays. */
  solid: OwnerReference[];
  /** Gone (or replaced by another object of the same name). */
  dangling: OwnerReference[];
  /** Exist, being deleted in the foreground. */
  waitingForDependentsDeletion: OwnerReference[];
}

/** What happens to an item, given its owners (Kubernetes' attemptToDeleteItem). */
export type Verdict =
  | { action: 'keep' }
  /** Has solid owners, but also references to gone or waiting ones: drop those references. */
  | { action: 'removeReferences'; uids: string[] }
  | { action: 'delete'; propagationPolicy: 'Background' | 'Foreground' | 'Orphan' };

/**
 * Decides an item's fate from its classified owners:
 *
 * - some solid owner: keep it, removing references to dangling and
 *   waiting owners (so a foreground deletion does not wait for it);
 * - an owner waits for dependents and the item has dependents of its own:
 *   delete it in the foreground, so the cascade stays in order;
 * - otherwise delete it with the policy its own finalizers ask for
 *   (orphan, foreground), else in the background.
 */
export function decide(item: KubeObject, owners: ClassifiedOwners, hasDependents: boolean): Verdict {
  if (owners.solid.length) {
    const uids = [...owners.dangling, ...owners.waitingForDependentsDeletion].map((r) => r.uid);
    return uids.length ? { action: 'removeReferences', uids } : { action: 'keep' };
  }
  if (owners.waitingForDependentsDeletion.length && hasDependents) return { action: 'delete', propagationPolicy: 'Foreground' };
  if (hasFinalizer(item, ORPHAN)) return { action: 'delete', propagationPolicy: 'Orphan' };
  if (hasFinalizer(item, FOREGROUND_DELETION)) return { action: 'delete', propagationPolicy: 'Foreground' };
  return { action: 'delete', propagationPolicy: 'Background' };
}

/**
 * A JSON patch removing the references to `uids` from `item`, guarded so
 * it applies only to the object read with the references read.
 */
export function removeReferencesPatch(item: KubeObject, uids: readonly string[]): unknown[] {
  const refs = ownerRefs(item);
  const kept = refs.filter((r) => !uids.includes(r.uid));
  return [
    { op: 'test', path: '/metadata/uid', value: item.metadata?.uid },
    { op: 'test', path: '/metadata/ownerReferences', value: refs },
    kept.length ? { op: 'replace', path: '/metadata/ownerReferences', value: kept } : { op: 'remove', path: '/metadata/ownerReferences' },
  ];
}
