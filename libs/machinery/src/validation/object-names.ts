import { FieldError, invalid, tooLong } from './field-errors';
import { FieldPath } from './field-path';
import { isDns1035Label, isDns1123Label, isDns1123Subdomain, isLabelValue, isQualifiedName } from './names';

/**
 * How a kind's names are checked. `prefix` is true when the value is a
 * `generateName`: a trailing `-` is then allowed, since random characters
 * will follow it.
 */
export type NameValidator = (name: string, prefix: boolean) => string[];

/**
 * Kubernetes' `maskTrailingDash`: a generateName such as `web-` is checked as
 * if its last two characters were replaced by `a` (quirk kept on purpose).
 */
function maskTrailingDash(name: string): string {
  if (name.length > 1 && name.endsWith('-')) return `${name.slice(0, name.length - 2)}a`;
  return name;
}

/** Names that are DNS-1123 subdomains: most kinds (`NameIsDNSSubdomain`). */
export const nameIsDnsSubdomain: NameValidator = (name, prefix) =>
  isDns1123Subdomain(prefix ? maskTrailingDash(name) : name);

/** Names that are DNS-1123 labels: namespaces, nodes... (`NameIsDNSLabel`). */
export const nameIsDnsLabel: NameValidator = (name, prefix) => isDns1123Label(prefix ? maskTrailingDash(name) : name);

/** Names that are DNS-1035 labels: services (`NameIsDNS1035Label`). */
export const nameIsDns1035Label: NameValidator = (name, prefix) =>
  isDns1035Label(prefix ? maskTrailingDash(name) : name);

/**
 * Names that only need to be safe in a URL path: Events, Bindings, RBAC
 * objects... (`path.ValidatePathSegmentName`).
 */
export const nameIsPathSegment: NameValidator = (name, prefix) => {
  const errs: string[] = [];
  if (!prefix && (name === '.' || name === '..')) errs.push(`may not be '${name}'`);
  for (const bad of ['/', '%']) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
};

/** Total size allowed for all annotations of an object: 256 KiB of keys and values. */
export const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024;

/**
 * Validates `metadata.annotations` as `ValidateAnnotations` does: every key is
 * a qualified name (checked lower-cased), and keys plus values weigh at most
 * 256 KiB in total.
 */
export function validateAnnotations(
  annotations: Record<string, string> | undefined,
  path: FieldPath = FieldPath.root('metadata', 'annotations'),
): FieldError[] {
  const errs: FieldError[] = [];
  if (!annotations) return errs;
  let total = 0;
  for (const [key, value] of Object.entries(annotations)) {
    for (const msg of isQualifiedName(key.toLowerCase())) errs.push(invalid(path, key, msg));
    total += Buffer.byteLength(key, 'utf8') + Buffer.byteLength(String(value), 'utf8');
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT_BYTES));
  return errs;
}

/** Validates `metadata.labels`: qualified-name keys and label values. */
export function validateLabels(
  labels: Record<string, string> | undefined,
  path: FieldPath = FieldPath.root('metadata', 'labels'),
): FieldError[] {
  const errs: FieldError[] = [];
  if (!labels) return errs;
  for (const [key, value] of Object.entries(labels)) {
    for (const msg of isQualifiedName(key)) errs.push(invalid(path, key, msg));
    for (const msg of isLabelValue(value)) errs.push(invalid(path, value, msg));
  }
  return errs;
}

/** Length of a name Kubernetes generates from `generateName`. */
export const MAX_NAME_LENGTH = 63;
/** Number of random characters appended to a `generateName` base. */
export const GENERATED_SUFFIX_LENGTH = 5;
/** Longest base kept from a `generateName`: 63 - 5 = 58 characters. */
export const MAX_GENERATED_NAME_BASE_LENGTH = MAX_NAME_LENGTH - GENERATED_SUFFIX_LENGTH;
/**
 * The alphabet of `k8s.io/apimachinery/pkg/util/rand.String`: no vowels (no
 * words by accident) and no characters that are easily confused (0/o, 1/l, 3/e).
 */
export const GENERATED_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * A name from a `generateName` base, as the apiserver's `SimpleNameGenerator`
 * makes it: the base cut to 58 characters, then 5 random characters.
 * `random` returns a number in [0, 1); it defaults to `Math.random`.
 */
export function generateName(base: string, random: () => number = Math.random): string {
  const kept = base.length > MAX_GENERATED_NAME_BASE_LENGTH ? base.slice(0, MAX_GENERATED_NAME_BASE_LENGTH) : base;
  let suffix = '';
  for (let i = 0; i < GENERATED_SUFFIX_LENGTH; i++) {
    const index = Math.min(GENERATED_NAME_ALPHABET.length - 1, Math.floor(random() * GENERATED_NAME_ALPHABET.length));
    suffix += GENERATED_NAME_ALPHABET[index];
  }
  return kept + suffix;
}
