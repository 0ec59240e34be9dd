import type { OwnerReference } from '@logbook/api';
import { parseApiVersion } from '@logbook/api';
import type { KubeObject } from '../client';

/** The object already has another controller (controller-runtime's AlreadyOwnedError). */
export class AlreadyOwnedError extends Error {
  constructor(
    readonly object: KubeObject,
    readonly owner: OwnerReference,
  ) {
    super(`${object.kind ?? 'object'} ${object.metadata?.name} is already owned by another ${owner.kind} controller ${owner.name}`);
    this.name = 'AlreadyOwnedError';
  }
}

function referenceFor(owner: KubeObject, controller: boolean, blockOwnerDeletion: boolean): OwnerReference {
  const m = owner.metadata ?? {};
  if (!owner.apiVersion || !owner.kind || !m.name || !m.uid) {
    throw new Error('an owner needs apiVersion, kind, metadata.name and metadata.uid (use an object read from the server)');
  }
  const ref: OwnerReference = { apiVersion: owner.apiVersion, kind: owner.kind, name: m.name, uid: m.uid };
  if (controller) ref.controller = true;
  if (blockOwnerDeletion) ref.blockOwnerDeletion = true;
  return ref;
}

function checkScope(owner: KubeObject, object: KubeObject): void {
  const ownerNs = owner.metadata?.namespace;
  const objectNs = object.metadata?.namespace;
  if (!ownerNs) return; // cluster-scoped owners may own anything
  if (!objectNs) throw new Error(`cluster-scoped ${object.kind ?? 'object'} ${object.metadata?.name} cannot be owned by namespaced ${owner.kind} ${owner.metadata?.name}`);
  if (ownerNs !== objectNs) {
    throw new Error(`cross-namespace owner references are not allowed: ${owner.kind} ${ownerNs}/${owner.metadata?.name} cannot own an object in ${objectNs}`);
  }
}

const sameOwner = (a: OwnerReference, b: OwnerReference) =>
  parseApiVersion(a.apiVersion).group === parseApiVersion(b.apiVersion).group && a.kind === b.kind && a.name === b.name;

function upsert(object: KubeObject, ref: OwnerReference): void {
  const meta = (object.metadata ??= {});
  const refs = [...(meta.ownerReferences ?? [])];
  const i = refs.findIndex((r) => sameOwner(r, ref));
  if (i >= 0) refs[i] = ref;
  else refs.push(ref);
  meta.ownerReferences = refs;
}

/**
 * Makes `owner` the controller of `object` (in place): garbage collection
 * deletes `object` with its owner, and `owns` in a controller maps changes
 * of `object` to a request for `owner`. Throws AlreadyOwnedError if another
 * object controls it, and an Error for references Kubernetes forbids
 * (cross-namespace, namespaced owner of a cluster-scoped object).
 */
export function setControllerReference(owner: KubeObject, object: KubeObject, opts: { blockOwnerDeletion?: boolean } = {}): void {
  const ref = referenceFor(owner, true, opts.blockOwnerDeletion ?? true);
  checkScope(owner, object);
  const existing = controllerReferenceOf(object);
  if (existing && !sameOwner(existing, ref)) throw new AlreadyOwnedError(object, existing);
  upsert(object, ref);
}

/** Adds (or refreshes) a non-controller owner reference to `owner` on `object` (in place). */
export function setOwnerReference(owner: KubeObject, object: KubeObject): void {
  checkScope(owner, object);
  const ref = referenceFor(owner, false, false);
  const existing = (object.metadata?.ownerReferences ?? []).find((r) => sameOwner(r, ref));
  if (existing?.controller) ref.controller = true;
  if (existing?.blockOwnerDeletion) ref.blockOwnerDeletion = true;
  upsert(object, ref);
}

/** The controlling owner reference (`controller: true`), if any. */
export function controllerReferenceOf(object: KubeObject): OwnerReference | undefined {
  return (object.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
}

/** Whether `owner` (by uid) is among `object`'s owners; with `controller`, only as its controller. */
export function isOwnedBy(object: KubeObject, owner: KubeObject, opts: { controller?: boolean } = {}): boolean {
  const uid = owner.metadata?.uid;
  if (!uid) return false;
  return (object.metadata?.ownerReferences ?? []).some((r) => r.uid === uid && (!opts.controller || r.controller === true));
}
