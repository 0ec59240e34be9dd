import { AsyncLocalStorage } from 'async_hooks';
import type { KubeObject } from '@logbook/event-store';
import type { PathSegment } from '@logbook/machinery';

/**
 * Secret values leave the history API, the audit export and their diffs
 * only for a requester allowed to `get` that Secret: for everyone else a
 * Secret's `data` and `stringData` keep their keys with empty values, and
 * the last-applied-configuration annotation (which holds the same data in
 * plain text) is emptied.
 *
 * Who is asking is request-scoped: the API handler runs the history API
 * inside `withSecretAccess(canGet, ...)`, and every redaction below asks
 * `canGet(namespace, name)`. Outside such a scope (a watch callback
 * running in the log's context, a background job) nothing is revealed.
 */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export type SecretAccess = (namespace: string, name: string) => boolean;

const access = new AsyncLocalStorage<SecretAccess>();

/** Runs `fn` (and everything it awaits) on behalf of a requester whose Secret reads `canGet` decides. */
export function withSecretAccess<T>(canGet: SecretAccess, fn: () => T): T {
  return access.run(canGet, fn);
}

export interface SecretRef {
  group: string;
  kind?: string;
  resource?: string;
  namespace?: string;
  name?: string;
}

export function isSecret(ref: { group: string; kind?: string; resource?: string }): boolean {
  return ref.group === '' && (ref.kind === 'Secret' || ref.resource === 'secrets');
}

/** Whether this object's secret values must be hidden from the current requester. */
export function redacts(ref: SecretRef): boolean {
  if (!isSecret(ref)) return false;
  const canGet = access.getStore();
  return !canGet || ref.name === undefined || !canGet(ref.namespace ?? '', ref.name);
}

/** A copy of the object with its secret values emptied, unless the requester may read them (the object itself if it is not a Secret). */
export function redactObject<T extends KubeObject | undefined>(ref: SecretRef, obj: T): T {
  if (!obj || !redacts({ ...ref, namespace: ref.namespace ?? obj.metadata.namespace ?? '', name: ref.name ?? obj.metadata.name })) return obj;
  const out = structuredClone(obj) as KubeObject;
  for (const field of ['data', 'stringData']) {
    const m = out[field];
    if (m && typeof m === 'object' && !Array.isArray(m)) out[field] = Object.fromEntries(Object.keys(m).map((k) => [k, '']));
  }
  const annotations = out.metadata.annotations as Record<string, string> | undefined;
  if (annotations && LAST_APPLIED in annotations) out.metadata.annotations = { ...annotations, [LAST_APPLIED]: '' };
  return out as T;
}

/** The paths of a Secret whose values a diff must not show. */
export function secretMask(path: PathSegment[]): boolean {
  const [a, b, c] = path;
  if (a && 'key' in a && (a.key === 'data' || a.key === 'stringData')) return true;
  return !!(a && 'key' in a && a.key === 'metadata' && b && 'key' in b && b.key === 'annotations' && c && 'key' in c && c.key === LAST_APPLIED);
}
