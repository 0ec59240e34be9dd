import type { KubeClient, KubeObject, ResourceKind } from '../client';
import type { Result } from '../controller/reconciler';

export function hasFinalizer(object: KubeObject, finalizer: string): boolean {
  return (object.metadata?.finalizers ?? []).includes(finalizer);
}

/** Adds `finalizer` to `object` (in place); returns whether it changed. */
export function addFinalizer(object: KubeObject, finalizer: string): boolean {
  if (hasFinalizer(object, finalizer)) return false;
  const meta = (object.metadata ??= {});
  meta.finalizers = [...(meta.finalizers ?? []), finalizer];
  return true;
}

/** Removes `finalizer` from `object` (in place); returns whether it changed. */
export function removeFinalizer(object: KubeObject, finalizer: string): boolean {
  if (!hasFinalizer(object, finalizer)) return false;
  object.metadata!.finalizers = object.metadata!.finalizers!.filter((f) => f !== finalizer);
  return true;
}

/**
 * Writes `object`'s finalizer list as a merge patch, guarded by the
 * resourceVersion it was read at (409 Conflict if it changed since: retry
 * with a fresh read). Resolves with the stored object.
 */
export function patchFinalizers<T extends KubeObject>(client: KubeClient, kind: ResourceKind<T>, object: T, finalizers: string[]): Promise<T> {
  const meta = object.metadata ?? {};
  return client.patch(
    kind,
    { namespace: meta.namespace, name: meta.name! },
    { metadata: { finalizers: finalizers.length ? finalizers : null, resourceVersion: meta.resourceVersion } },
    { type: 'merge' },
  );
}

export interface FinalizerHandlers<T> {
  /** The object lives: make the world match it. */
  apply(object: T): Promise<Result | void>;
  /** The object is being deleted: undo what `apply` did. The finalizer is removed once it resolves. */
  cleanup(object: T): Promise<Result | void>;
}

/**
 * Runs a reconcile under a finalizer (kube-rs's `finalizer()`), so cleanup
 * is guaranteed to run before the object goes away:
 *
 * 1. Alive, without our finalizer: add it and return. The write is itself
 *    an event, so `apply` runs on the next reconcile — once the finalizer is
 *    surely stored.
 * 2. Alive, with it: `apply`.
 * 3. Deleting, with it: `cleanup`; when that succeeds, remove the finalizer
 *    (the object is then deleted by the server, if no other finalizer holds
 *    it). If cleanup throws, the finalizer stays and the request retries.
 * 4. Deleting, without it: nothing to do.
 *
 * Finalizer writes are merge patches guarded by resourceVersion; a conflict
 * throws (and so retries), never loses another finalizer.
 */
export async function reconcileWithFinalizer<T extends KubeObject>(
  client: KubeClient,
  kind: ResourceKind<T>,
  object: T,
  finalizer: string,
  handlers: FinalizerHandlers<T>,
): Promise<Result> {
  const deleting = !!object.metadata?.deletionTimestamp;
  const present = hasFinalizer(object, finalizer);
  if (!deleting && !present) {
    await patchFinalizers(client, kind, object, [...(object.metadata?.finalizers ?? []), finalizer]);
    return {};
  }
  if (!deleting) return (await handlers.apply(object)) ?? {};
  if (!present) return {};
  const result = (await handlers.cleanup(object)) ?? {};
  await patchFinalizers(
    client,
    kind,
    object,
    (object.metadata?.finalizers ?? []).filter((f) => f !== finalizer),
  );
  return result;
}
