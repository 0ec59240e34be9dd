/**
 * ControllerRevisions of a StatefulSet: immutable snapshots of its pod
 * template, named `<set>-<hash>`, numbered in the order they became the
 * update revision. As Kubernetes' controller/history and the StatefulSet
 * controller's getPatch/newRevision/ApplyRevision; pure functions.
 */
import type { ControllerRevision, PodTemplateSpec, StatefulSet } from '@logbook/api';
import { jsonEqual } from '@logbook/machinery';
import { setControllerReference } from '@logbook/sdk';

/** The label a ControllerRevision carries its hash in. */
export const REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

/** The part of a set a revision records: `{"spec":{"template":{...,"$patch":"replace"}}}`, a strategic merge patch. */
export interface RevisionData {
  spec: { template: PodTemplateSpec & { $patch: 'replace' } };
}

/** JSON with object keys sorted at every level, as Go's encoding/json writes maps (and with its HTML escaping). */
export function canonicalJson(value: unknown): string {
  const walk = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : walk(x))).join(',')}]`;
    if (v !== null && typeof v === 'object') {
      const entries = Object.keys(v as object)
        .sort()
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .map((k) => `${JSON.stringify(k)}:${walk((v as Record<string, unknown>)[k])}`);
      return `{${entries.join(',')}}`;
    }
    return JSON.stringify(v) ?? 'null';
  };
  return walk(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** 32-bit FNV-1 (Go's hash/fnv New32) of the bytes of `input`. */
export function fnv32(input: Uint8Array, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (const byte of input) {
    hash = Math.imul(hash, 0x01000193) >>> 0;
    hash = (hash ^ byte) >>> 0;
  }
  return hash >>> 0;
}

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** apimachinery's rand.SafeEncodeString: each character mapped into an alphabet without vowels (no words by accident). */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/**
 * The hash of a revision's data and the set's collision count (Kubernetes'
 * HashControllerRevision): FNV-1 over the JSON, then over the decimal
 * collision count, encoded safely.
 */
export function hashRevision(data: unknown, collisionCount?: number): string {
  const encoder = new TextEncoder();
  let hash = fnv32(encoder.encode(canonicalJson(data)));
  if (collisionCount !== undefined) hash = fnv32(encoder.encode(String(collisionCount)), hash);
  return safeEncodeString(String(hash));
}

/** `<prefix>-<hash>`, the prefix cut to 223 characters so the name stays a valid DNS subdomain. */
export function revisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/** What a set's current template records as a revision. */
export function revisionData(set: StatefulSet): RevisionData {
  const template = structuredClone(set.spec?.template ?? {}) as PodTemplateSpec;
  return { spec: { template: { ...template, $patch: 'replace' } } };
}

/** A new (unsaved) revision of the set's template, numbered `revision`, controlled by the set. */
export function newRevision(set: StatefulSet, revision: number, collisionCount: number): ControllerRevision {
  const data = revisionData(set);
  const hash = hashRevision(data, collisionCount);
  const cr: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revisionName(set.metadata?.name ?? '', hash),
      namespace: set.metadata?.namespace,
      labels: { ...(set.spec?.template?.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
      ...(set.metadata?.annotations ? { annotations: { ...set.metadata.annotations } } : {}),
    },
    data,
    revision,
  };
  setControllerReference(set, cr);
  return cr;
}

/** The set with its template replaced by the revision's (Kubernetes' ApplyRevision). */
export function applyRevision(set: StatefulSet, revision: ControllerRevision): StatefulSet {
  const copy = structuredClone(set) as StatefulSet;
  const template = structuredClone((revision.data as RevisionData | undefined)?.spec?.template ?? {}) as Record<string, unknown>;
  delete template.$patch;
  copy.spec = { ...(copy.spec ?? {}), template: template as PodTemplateSpec };
  return copy;
}

/** By revision number, then creation time, then name (Kubernetes' SortControllerRevisions). */
export function sortRevisions(revisions: readonly ControllerRevision[]): ControllerRevision[] {
  return [...revisions].sort(
    (a, b) =>
      a.revision - b.revision ||
      Date.parse(a.metadata?.creationTimestamp ?? '') - Date.parse(b.metadata?.creationTimestamp ?? '') ||
      (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
  );
}

/** One more than the highest revision number (1 for the first). */
export function nextRevisionNumber(sorted: readonly ControllerRevision[]): number {
  return sorted.length ? sorted[sorted.length - 1].revision + 1 : 1;
}

export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (!a || !b) return false;
  return jsonEqual(a.data ?? null, b.data ?? null);
}

/** The revisions whose data equals `needle`'s. */
export function findEqualRevisions(revisions: readonly ControllerRevision[], needle: ControllerRevision): ControllerRevision[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

/**
 * Which revisions to delete to keep at most `limit` that are not live (live:
 * the current and update revisions and any revision a pod still runs),
 * oldest first.
 */
export function revisionsToTruncate(sorted: readonly ControllerRevision[], live: ReadonlySet<string>, limit: number): ControllerRevision[] {
  const history = sorted.filter((r) => !live.has(r.metadata?.name ?? ''));
  if (limit < 0 || history.length <= limit) return [];
  return history.slice(0, history.length - limit);
}
