/**
 * The `pod-template-hash` that names a Deployment's ReplicaSets
 * (`<deployment>-<hash>`) and keeps their pods apart.
 *
 * Kubernetes (`controller.ComputeHash`) feeds an FNV-1a 32-bit hasher with
 * the pod template as printed by Go's spew, then — when the Deployment has a
 * `status.collisionCount` — eight more bytes (the count as a little-endian
 * uint32, then four zero bytes), and renders the decimal value of the sum
 * with `rand.SafeEncodeString`'s alphabet (no vowels, no 0/1/3, so a hash
 * never spells a word or looks like another digit).
 *
 * Here the template is fed as canonical JSON (keys sorted, so the same
 * template always gives the same hash) instead of a Go struct dump, so the
 * values differ from a kube-controller-manager's for the same template, but
 * they have the same shape (`5b9f8f4d84`), the same alphabet and the same
 * collision behaviour. Nothing compares hashes across systems: the
 * controller finds a Deployment's current ReplicaSet by comparing
 * templates, not hashes.
 */

/** `k8s.io/apimachinery/pkg/util/rand`'s alphabet for SafeEncodeString. */
export const SAFE_ENCODE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

const FNV32_OFFSET_BASIS = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** FNV-1a, 32 bits, continuing from `hash` (the offset basis for a fresh hasher). */
export function fnv32a(bytes: Uint8Array, hash: number = FNV32_OFFSET_BASIS): number {
  let h = hash >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, FNV32_PRIME) >>> 0;
  }
  return h >>> 0;
}

/** `rand.SafeEncodeString`: each character becomes `alphabet[codePoint % 27]`. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += SAFE_ENCODE_ALPHABET[ch.codePointAt(0)! % SAFE_ENCODE_ALPHABET.length];
  return out;
}

/** JSON with object keys sorted at every level and `undefined` members left out. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const members = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
  return `{${members.join(',')}}`;
}

/**
 * The hash of a pod template (with the Deployment's collisionCount, if it
 * has one): what `controller.ComputeHash` computes, over canonical JSON.
 */
export function computePodTemplateHash(template: unknown, collisionCount?: number | null): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJson(template ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const extra = new Uint8Array(8);
    new DataView(extra.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(extra, h);
  }
  return safeEncodeString(String(h));
}
