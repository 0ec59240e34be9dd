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
  check(value, undefined, new Set());
  const json = JSON.stringify(value);
  const size = Buffer.byteLength(json, 'utf8');
  if (size > maxBytes) throw new ObjectTooLargeError(size, maxBytes);
  return json;
}

/** Where a value sits: its key (or index) and its parent's place; the text is only built for an error. */
interface Place {
  key: string | number;
  parent: Place | undefined;
}

function check(value: unknown, at: Place | undefined, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
      if (value.includes('\u0000')) throw new InvalidObjectError(`${where(at)}: strings may not contain NUL characters`);
      return;
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidObjectError(`${where(at)}: ${value} is not a JSON number`);
      return;
    case 'object':
      break;
    default:
      throw new InvalidObjectError(`${where(at)}: a ${typeof value} is not JSON-serialisable`);
  }
  if (value === null) return;
  if (seen.has(value)) throw new InvalidObjectError(`${where(at)}: the object contains a cycle`);
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) check(value[i], { key: i, parent: at }, seen);
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new InvalidObjectError(`${where(at)}: a ${proto?.constructor?.name ?? 'non-plain'} object is not plain JSON`);
    }
    for (const k in value) {
      if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
      const v = (value as Record<string, unknown>)[k];
      if (v === undefined) continue; // JSON drops undefined properties, as Kubernetes' omitempty does
      if (k.includes('\u0000')) throw new InvalidObjectError(`${where(at)}: keys may not contain NUL characters`);
      check(v, { key: k, parent: at }, seen);
    }
  }
  seen.delete(value);
}

/** `at spec.containers[0].name`, or `the object`. */
function where(at: Place | undefined): string {
  let path = '';
  for (let p = at; p; p = p.parent) {
    path = typeof p.key === 'number' ? `[${p.key}]${path}` : p.parent ? `.${p.key}${path}` : `${p.key}${path}`;
  }
  return path ? `at ${path}` : 'the object';
}
