import type { OwnerReference } from '@logbook/api';
import { isNotFound, LabelSelector } from '@logbook/machinery';
import { controllerReferenceOf, KubeClient, KubeObject, ResourceKind } from '@logbook/sdk';

/** The controller reference an owner puts on what it creates or adopts (blockOwnerDeletion, as Kubernetes' NewControllerRef). */
export function controllerRefFor(owner: KubeObject): OwnerReference {
  const m = owner.metadata ?? {};
  if (!owner.apiVersion || !owner.kind || !m.name || !m.uid) throw new Error('an owner needs apiVersion, kind, metadata.name and metadata.uid');
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: m.name, uid: m.uid, controller: true, blockOwnerDeletion: true };
}

/**
 * A JSON patch that makes `owner` the controller of `object` — only if
 * `object` is still the one read (uid) and its owner references have not
 * changed since (else the server rejects it and the claim is retried).
 */
export function adoptionPatch(object: KubeObject, ref: OwnerReference): unknown[] {
  const refs = object.metadata?.ownerReferences;
  const ops: unknown[] = [{ op: 'test', path: '/metadata/uid', value: object.metadata?.uid }];
  if (refs && refs.length) {
    ops.push({ op: 'test', path: '/metadata/ownerReferences', value: refs });
    ops.push({ op: 'add', path: '/metadata/ownerReferences/-', value: ref });
  } else {
    // Nothing to compare references with: the whole object must be as read.
    ops.push({ op: 'test', path: '/metadata/resourceVersion', value: object.metadata?.resourceVersion });
    ops.push({ op: 'add', path: '/metadata/ownerReferences', value: [ref] });
  }
  return ops;
}

/** A JSON patch that removes the owner reference to `ownerUid` from `object` (same guards as adoption). */
export function releasePatch(object: KubeObject, ownerUid: string): unknown[] {
  const refs = object.metadata?.ownerReferences ?? [];
  const kept = refs.filter((r) => r.uid !== ownerUid);
  return [
    { op: 'test', path: '/metadata/uid', value: object.metadata?.uid },
    { op: 'test', path: '/metadata/ownerReferences', value: refs },
    kept.length ? { op: 'replace', path: '/metadata/ownerReferences', value: kept } : { op: 'remove', path: '/metadata/ownerReferences' },
  ];
}

export interface ClaimOptions<T extends KubeObject> {
  client: KubeClient;
  /** The kind of the objects claimed (Pod, ReplicaSet...). */
  kind: ResourceKind<T>;
  /** The controller claiming them, as read (it must have apiVersion, kind, uid). */
  owner: KubeObject;
  /** The owner's selector: which objects it wants. */
  selector: LabelSelector;
  /**
   * Called once, before the first adoption: throw if the owner may not
   * adopt (it is being deleted, or is no longer the object read). Use
   * `recheckOwner` for the usual uncached check.
   */
  canAdopt?: () => Promise<void>;
  /** Told of each adoption and release (events, logs). */
  onAdopt?: (object: T) => void;
  onRelease?: (object: T) => void;
}

/**
 * Kubernetes' ControllerRefManager.ClaimObjects: of `objects` (from the
 * cache, in the owner's namespace), returns those the owner controls after
 * adopting and releasing:
 *
 * - controlled by another owner: ignored;
 * - controlled by this owner (by uid) and matching: kept;
 * - controlled by this owner but no longer matching: released (the
 *   reference is removed) — unless the owner is being deleted;
 * - orphans (no controller) that match: adopted — unless the owner or the
 *   object is being deleted; `canAdopt` is checked first, once.
 *
 * An object that vanished meanwhile is skipped; any other failure is
 * thrown after the remaining objects were processed.
 */
export async function claimObjects<T extends KubeObject>(objects: readonly T[], opts: ClaimOptions<T>): Promise<T[]> {
  const ownerUid = opts.owner.metadata?.uid;
  const ownerDeleting = !!opts.owner.metadata?.deletionTimestamp;
  const claimed: T[] = [];
  const errors: unknown[] = [];
  let adoptable: Promise<void> | undefined;
  for (const obj of objects) {
    const ref = controllerReferenceOf(obj);
    const matches = opts.selector.matches(obj.metadata?.labels ?? {});
    if (ref) {
      if (ref.uid !== ownerUid) continue;
      if (matches) {
        claimed.push(obj);
        continue;
      }
      if (ownerDeleting) continue;
      try {
        await opts.client.patch(opts.kind, keyOf(obj), releasePatch(obj, ownerUid!), { type: 'json' });
        opts.onRelease?.(obj);
      } catch (err) {
        if (!isNotFound(err)) errors.push(err);
      }
      continue;
    }
    if (!matches || ownerDeleting || obj.metadata?.deletionTimestamp) continue;
    if (opts.kind.namespaced && obj.metadata?.namespace !== opts.owner.metadata?.namespace) continue;
    try {
      adoptable ??= opts.canAdopt?.() ?? Promise.resolve();
      await adoptable;
    } catch (err) {
      errors.push(err);
      break;
    }
    try {
      const adopted = await opts.client.patch(opts.kind, keyOf(obj), adoptionPatch(obj, controllerRefFor(opts.owner)), { type: 'json' });
      opts.onAdopt?.(adopted);
      claimed.push(adopted);
    } catch (err) {
      if (!isNotFound(err)) errors.push(err);
    }
  }
  if (errors.length) throw errors[0];
  return claimed;
}

/**
 * The usual `canAdopt`: read the owner from the server (not the cache)
 * and refuse if it is gone, replaced (another uid) or being deleted
 * (Kubernetes' RecheckDeletionTimestamp).
 */
export function recheckOwner<T extends KubeObject>(client: KubeClient, kind: ResourceKind<T>, owner: T): () => Promise<void> {
  return async () => {
    const fresh = await client.get(kind, keyOf(owner));
    if (fresh.metadata?.uid !== owner.metadata?.uid) {
      throw new Error(`original ${kind.kind} ${owner.metadata?.namespace}/${owner.metadata?.name} is gone: got uid ${fresh.metadata?.uid}, wanted ${owner.metadata?.uid}`);
    }
    if (fresh.metadata?.deletionTimestamp) {
      throw new Error(`${kind.kind} ${owner.metadata?.namespace}/${owner.metadata?.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    }
  };
}

function keyOf(o: KubeObject): { namespace?: string; name: string } {
  return { namespace: o.metadata?.namespace, name: o.metadata?.name ?? '' };
}
