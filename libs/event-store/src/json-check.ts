import { InvalidObjectError, ObjectTooLargeError } from './errors';

/** Kubernetes' apiserver refuses request bodies over 3 MiB; so do we. */
export const DEFAULT_MAX_OBJECT_BYTES = 3 * 1024 * 1024;

/**
 * Serialises an object for the log, refusing what JSON (or jsonb) cannot
 * carry faithfully: cycles, functions, symbols, bigint, undefined in arrays,
 * non-finite numbers, non-plain objects and NUL characters. Returns the JSON
 * text so it is produced once.
 */
export function toStorableJson(value: unknown, maxBytes = DEFAULT_MAX_OBJECT_BYTES): string {
  check(value, '', new Set());
  const json = JSON.stringify(value);
  const size = Buffer.byteLength(json, 'utf8');
  if (size > maxBytes) throw new ObjectTooLargeError(size, maxBytes);
  return json;
}

function check(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
      if (value.includes('\u0000')) throw new InvalidObjectError(`${where(path)}: strings may not contain NUL characters`);
      return;
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidObjectError(`${where(path)}: ${value} is not a JSON number`);
      return;
    case 'object':
      break;
    default:
      throw new InvalidObjectError(`${where(path)}: a ${typeof value} is not JSON-serialisable`);
  }
  if (value === null) return;
  if (seen.has(value)) throw new InvalidObjectError(`${where(path)}: the object contains a cycle`);
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((v, i) => check(v, `${path}[${i}]`, seen));
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new InvalidObjectError(`${where(path)}: a ${proto?.constructor?.name ?? 'non-plain'} object is not plain JSON`);
    }
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue; // JSON drops undefined properties, as Kubernetes' omitempty does
      if (k.includes('\u0000')) throw new InvalidObjectError(`${where(path)}: keys may not contain NUL characters`);
      check(v, path ? `${path}.${k}` : k, seen);
    }
  }
  seen.delete(value);
}

const where = (path: string) => (path ? `at ${path}` : 'the object');
