import type { KubeObject, ObjectKey } from '../client';

/** `namespace/name`, or `name` for cluster-scoped objects (client-go's MetaNamespaceKeyFunc). */
export function objectKey(obj: KubeObject | ObjectKey): string {
  const meta = 'metadata' in obj ? (obj.metadata ?? {}) : (obj as ObjectKey);
  const name = meta.name ?? '';
  return meta.namespace ? `${meta.namespace}/${name}` : name;
}

/** The inverse of `objectKey`. */
export function splitObjectKey(key: string): ObjectKey {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/**
 * Freezes an object and everything in it. Objects in the cache are shared
 * by every reader: mutating one would corrupt the cache silently, so it
 * throws instead. Copy before changing (`structuredClone(obj)`).
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/**
 * Orders resourceVersions: negative, zero or positive. Logbook's are
 * numbers (log positions), as etcd revisions are; anything else is only
 * equal or not (NaN).
 */
export function compareResourceVersions(a: string, b: string): number {
  if (a === b) return 0;
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    return a.length !== b.length ? a.length - b.length : a < b ? -1 : 1;
  }
  return NaN;
}
