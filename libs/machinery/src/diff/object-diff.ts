/**
 * The change between two versions of an object: an RFC 6902 JSON Patch that
 * turns the old version into the new one, and a readable form with one line
 * per changed path (`spec.replicas: 3 → 5`).
 *
 * Lists whose items all carry a unique `name` (containers, env, ports,
 * volumes) or `type` (conditions) are compared item by item by that key, so
 * inserting a container shows as one added item rather than every later
 * item changing; other lists are compared by position.
 */

export type JsonPatchOp =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'replace'; path: string; value: unknown };

/** One step of a path: an object key, or a list position (with the item's key, for keyed lists). */
export type PathSegment = { key: string } | { index: number; label?: string };

export interface DiffOptions {
  /**
   * Values under a path for which this returns true are not shown: the
   * patch carries them redacted (strings emptied, map values emptied) and
   * the readable line says only that they changed.
   */
  mask?: (path: PathSegment[]) => boolean;
  /** Paths left out of the readable form (default: metadata.managedFields, .resourceVersion and .generation). */
  hideInSummary?: (path: PathSegment[]) => boolean;
}

export interface ObjectDiff {
  patch: JsonPatchOp[];
  /** One line per changed path. */
  summary: string[];
}

interface Change {
  op: 'add' | 'remove' | 'replace';
  path: PathSegment[];
  old?: unknown;
  value?: unknown;
  masked: boolean;
}

const LIST_KEYS = ['name', 'type'];

/**
 * What the readable form leaves out: field ownership and resourceVersion
 * (they change on every write), and generation (it changes with every spec
 * change, which is shown).
 */
export const hideBookkeeping = (path: PathSegment[]): boolean =>
  path.length >= 2 &&
  'key' in path[0] &&
  path[0].key === 'metadata' &&
  'key' in path[1] &&
  (path[1].key === 'managedFields' || path[1].key === 'resourceVersion' || path[1].key === 'generation');

export function diffObjects(before: unknown, after: unknown, opts: DiffOptions = {}): ObjectDiff {
  const changes: Change[] = [];
  const mask = opts.mask;
  diffValue(before, after, [], changes, mask ?? (() => false));
  if (mask) {
    // A value added or replaced whole may hold masked paths inside it.
    for (const c of changes) {
      if (c.masked) continue;
      c.old = scrub(c.old, c.path, mask);
      c.value = scrub(c.value, c.path, mask);
    }
  }
  const hide = opts.hideInSummary ?? hideBookkeeping;
  return {
    patch: changes.map(toOp),
    summary: changes.filter((c) => !hide(c.path)).map(describe),
  };
}

/** The value with every masked path inside it redacted. */
function scrub(v: unknown, path: PathSegment[], mask: (p: PathSegment[]) => boolean): unknown {
  if (mask(path)) return redactValue(v);
  if (Array.isArray(v)) return v.map((x, i) => scrub(x, [...path, { index: i }], mask));
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrub(x, [...path, { key: k }], mask)]));
  return v;
}

/** Escapes one segment for a JSON Pointer (RFC 6901). */
export function pointer(path: PathSegment[]): string {
  return path.map((s) => '/' + ('key' in s ? s.key.replace(/~/g, '~0').replace(/\//g, '~1') : String(s.index))).join('');
}

/** `spec.template.spec.containers[web].image`, `metadata.labels["app.kubernetes.io/name"]`. */
export function readablePath(path: PathSegment[]): string {
  let out = '';
  for (const s of path) {
    if ('key' in s) out += /^[A-Za-z_$][\w$-]*$/.test(s.key) ? (out ? '.' : '') + s.key : `[${JSON.stringify(s.key)}]`;
    else out += `[${s.label ?? s.index}]`;
  }
  return out || '(object)';
}

/** A value as a short, single-line string. */
export function readableValue(v: unknown, max = 80): string {
  if (v === undefined) return '(none)';
  let s: string;
  if (typeof v === 'string') s = v === '' || /^\s|\s$|[\n\r]/.test(v) ? JSON.stringify(v) : v;
  else s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function describe(c: Change): string {
  const p = readablePath(c.path);
  if (c.masked) return `${p}: ${c.op === 'add' ? 'added' : c.op === 'remove' ? 'removed' : 'changed'} (value redacted)`;
  return `${p}: ${readableValue(c.old)} → ${readableValue(c.value)}`;
}

function toOp(c: Change): JsonPatchOp {
  const path = pointer(c.path);
  const value = c.masked ? redactValue(c.value) : c.value;
  if (c.op === 'remove') return { op: 'remove', path };
  return { op: c.op, path, value };
}

/** Strings become empty; maps keep their keys with empty values; anything else becomes null. */
export function redactValue(v: unknown): unknown {
  if (typeof v === 'string') return '';
  if (isPlainObject(v)) return Object.fromEntries(Object.keys(v).map((k) => [k, '']));
  return null;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function diffValue(a: unknown, b: unknown, path: PathSegment[], out: Change[], mask: (p: PathSegment[]) => boolean): void {
  if (deepEqual(a, b)) return;
  const masked = mask(path);
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = (o: Record<string, unknown>) => (path.length === 0 ? topLevelOrder(Object.keys(o)) : Object.keys(o));
    for (const k of keys(a)) {
      if (!Object.prototype.hasOwnProperty.call(b, k)) {
        const p = [...path, { key: k }];
        out.push({ op: 'remove', path: p, old: a[k], masked: masked || mask(p) });
      }
    }
    for (const k of keys(b)) {
      const p = [...path, { key: k }];
      if (Object.prototype.hasOwnProperty.call(a, k)) diffValue(a[k], b[k], p, out, mask);
      else out.push({ op: 'add', path: p, value: b[k], masked: masked || mask(p) });
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && !masked) {
    const key = LIST_KEYS.find((k) => keyedBy(a, k) && keyedBy(b, k));
    if (key && diffKeyedList(a as Array<Record<string, unknown>>, b as Array<Record<string, unknown>>, key, path, out, mask)) return;
    diffList(a, b, path, out, mask);
    return;
  }
  out.push({ op: 'replace', path, old: a, value: b, masked });
}

const LEADING_KEYS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];

/** An object's own fields in the order Kubernetes prints them (Postgres' jsonb sorts keys by length). */
function topLevelOrder(keys: string[]): string[] {
  return [...LEADING_KEYS.filter((k) => keys.includes(k)), ...keys.filter((k) => !LEADING_KEYS.includes(k))];
}

/** Every item is an object with a distinct string under `key`. */
function keyedBy(list: unknown[], key: string): boolean {
  if (list.length === 0) return true;
  const seen = new Set<string>();
  for (const item of list) {
    if (!isPlainObject(item) || typeof item[key] !== 'string' || seen.has(item[key] as string)) return false;
    seen.add(item[key] as string);
  }
  return true;
}

/**
 * Items removed (from the end backwards, so positions stay valid), then,
 * going through the new list, items added at their position and items kept
 * compared by key. Returns false (nothing emitted) if the kept items changed
 * order: then the list is compared by position instead.
 */
function diffKeyedList(
  a: Array<Record<string, unknown>>,
  b: Array<Record<string, unknown>>,
  key: string,
  path: PathSegment[],
  out: Change[],
  mask: (p: PathSegment[]) => boolean,
): boolean {
  if (a.length === 0 || b.length === 0) return false;
  const newKeys = new Set(b.map((x) => x[key] as string));
  const oldByKey = new Map(a.map((x) => [x[key] as string, x]));
  const keptOld = a.map((x) => x[key] as string).filter((k) => newKeys.has(k));
  const keptNew = b.map((x) => x[key] as string).filter((k) => oldByKey.has(k));
  if (!deepEqual(keptOld, keptNew)) return false;
  for (let i = a.length - 1; i >= 0; i--) {
    const k = a[i][key] as string;
    if (newKeys.has(k)) continue;
    const p: PathSegment[] = [...path, { index: i, label: k }];
    out.push({ op: 'remove', path: p, old: a[i], masked: mask(p) });
  }
  b.forEach((item, j) => {
    const k = item[key] as string;
    const p: PathSegment[] = [...path, { index: j, label: k }];
    const old = oldByKey.get(k);
    if (old === undefined) out.push({ op: 'add', path: p, value: item, masked: mask(p) });
    else diffValue(old, item, p, out, mask);
  });
  return true;
}

/** Position by position; extra old items removed from the end, extra new items appended. */
function diffList(a: unknown[], b: unknown[], path: PathSegment[], out: Change[], mask: (p: PathSegment[]) => boolean): void {
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) diffValue(a[i], b[i], [...path, { index: i }], out, mask);
  for (let i = a.length - 1; i >= b.length; i--) {
    const p: PathSegment[] = [...path, { index: i }];
    out.push({ op: 'remove', path: p, old: a[i], masked: mask(p) });
  }
  for (let i = a.length; i < b.length; i++) {
    const p: PathSegment[] = [...path, { index: i }];
    out.push({ op: 'add', path: p, value: b[i], masked: mask(p) });
  }
}
