import type { KubeObject } from '@logbook/event-store';
import type { PathSegment } from '@logbook/machinery';

/**
 * Secret values never leave the history API, the audit export or their
 * diffs: a Secret's `data` and `stringData` keep their keys with empty
 * values, and the last-applied-configuration annotation (which holds the
 * same data in plain text) is emptied. Which callers may see them is a
 * question for authorization (a later issue); until then nobody does.
 */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export function isSecret(ref: { group: string; kind?: string; resource?: string }): boolean {
  return ref.group === '' && (ref.kind === 'Secret' || ref.resource === 'secrets');
}

/** A copy of the object with its secret values emptied (the object itself if it is not a Secret). */
export function redactObject<T extends KubeObject | undefined>(ref: { group: string; kind?: string; resource?: string }, obj: T): T {
  if (!obj || !isSecret(ref)) return obj;
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
