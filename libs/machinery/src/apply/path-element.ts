import { isJsonObject, JsonValue } from '../json';

/**
 * One step of a path into an object, as structured-merge-diff (the library
 * behind server-side apply) names them:
 *
 * - `field`: a member of a map or struct (`f:replicas`, printed `.replicas`);
 * - `key`: an item of a keyed list (`k:{"name":"web"}`, printed `[name="web"]`);
 * - `value`: an item of a set of scalars (`v:"a"`, printed `[="a"]`);
 * - `index`: a list position (`i:0`, printed `[0]`), for completeness.
 */
export type PathElement =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'key'; readonly fields: ReadonlyArray<readonly [string, JsonValue]> }
  | { readonly kind: 'value'; readonly value: JsonValue }
  | { readonly kind: 'index'; readonly index: number };

export type FieldPathElements = readonly PathElement[];

export class PathElementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PathElementError';
  }
}

export function fieldElement(name: string): PathElement {
  return { kind: 'field', name };
}

/** A key element; fields are sorted by name as structured-merge-diff keeps them. */
export function keyElement(fields: Record<string, JsonValue> | ReadonlyArray<readonly [string, JsonValue]>): PathElement {
  const entries = Array.isArray(fields) ? [...fields] : Object.entries(fields);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { kind: 'key', fields: entries };
}

export function valueElement(value: JsonValue): PathElement {
  return { kind: 'value', value };
}

// Go's encoding/json escapes <, > and & (and the JS line separators) in strings.
function goJsonText(value: JsonValue): string {
  let text: string;
  if (Array.isArray(value)) text = `[${value.map(goJsonText).join(',')}]`;
  else if (isJsonObject(value)) {
    const keys = Object.keys(value).sort();
    text = `{${keys.map((k) => `${goJsonText(k)}:${goJsonText(value[k])}`).join(',')}}`;
  } else text = JSON.stringify(value);
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The FieldsV1 key of an element: `f:name`, `k:{"name":"web"}`, `v:"a"`, `i:0`. */
export function serializePathElement(pe: PathElement): string {
  switch (pe.kind) {
    case 'field':
      return `f:${pe.name}`;
    case 'key':
      return `k:{${pe.fields.map(([k, v]) => `${goJsonText(k)}:${goJsonText(v)}`).join(',')}}`;
    case 'value':
      return `v:${goJsonText(pe.value)}`;
    case 'index':
      return `i:${pe.index}`;
  }
}

/** Reads a FieldsV1 key; `undefined` for an unknown element type (skipped, as Kubernetes skips it). */
export function parsePathElement(s: string): PathElement | undefined {
  if (s.length < 2) throw new PathElementError('key must be 2 characters long:');
  if (s[1] !== ':') throw new PathElementError(`missing colon: ${s}`);
  const rest = s.slice(2);
  switch (s[0]) {
    case 'f':
      return fieldElement(rest);
    case 'v':
      return valueElement(parseJson(rest));
    case 'k': {
      const fields = parseJson(rest);
      if (!isJsonObject(fields)) throw new PathElementError(`key element is not a JSON object: ${s}`);
      return keyElement(fields);
    }
    case 'i': {
      if (!/^[+-]?[0-9]+$/.test(rest)) throw new PathElementError(`strconv.Atoi: parsing ${JSON.stringify(rest)}: invalid syntax`);
      return { kind: 'index', index: Number.parseInt(rest, 10) };
    }
    default:
      return undefined;
  }
}

function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (e) {
    throw new PathElementError(`invalid JSON in path element: ${(e as Error).message}`);
  }
}

/** Go-style rendering of a value inside a printed path: strings quoted, numbers plain. */
function valueToString(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(valueToString).join(',')}]`;
  if (isJsonObject(v)) return Object.keys(v).map((k) => `${k}=${valueToString(v[k])}`).join('');
  return String(v);
}

/** `.name`, `[name="web"]`, `[="a"]`, `[0]`. */
export function pathElementToString(pe: PathElement): string {
  switch (pe.kind) {
    case 'field':
      return `.${pe.name}`;
    case 'key':
      return `[${pe.fields.map(([k, v]) => `${k}=${valueToString(v)}`).join(',')}]`;
    case 'value':
      return `[=${valueToString(pe.value)}]`;
    case 'index':
      return `[${pe.index}]`;
  }
}

/** A whole path as server-side apply prints it in conflicts: `.spec.template.spec.containers[name="web"].image`. */
export function fieldPathToString(path: FieldPathElements): string {
  return path.map(pathElementToString).join('');
}

const RANK = { field: 0, key: 1, value: 2, index: 3 } as const;

function valueRank(v: JsonValue): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (isJsonObject(v)) return 4;
  return 5;
}

/** The total order of structured-merge-diff values: numbers, strings, booleans, lists, maps, null. */
export function compareValues(a: JsonValue, b: JsonValue): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (typeof a === 'number' || typeof a === 'string') return a < (b as typeof a) ? -1 : a > (b as typeof a) ? 1 : 0;
  if (typeof a === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (Array.isArray(a)) {
    const bl = b as JsonValue[];
    for (let i = 0; i < Math.min(a.length, bl.length); i++) {
      const c = compareValues(a[i], bl[i]);
      if (c !== 0) return c;
    }
    return a.length - bl.length < 0 ? -1 : a.length > bl.length ? 1 : 0;
  }
  if (isJsonObject(a)) return compareValues(goJsonText(a), goJsonText(b as JsonValue));
  return 0;
}

/** The order of elements in a set: fields, then keys, then values, then indexes. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  if (a.kind !== b.kind) return RANK[a.kind] < RANK[b.kind] ? -1 : 1;
  switch (a.kind) {
    case 'field': {
      const bn = (b as typeof a).name;
      return a.name < bn ? -1 : a.name > bn ? 1 : 0;
    }
    case 'key': {
      const bf = (b as typeof a).fields;
      for (let i = 0; ; i++) {
        if (i >= a.fields.length && i >= bf.length) return 0;
        if (i >= a.fields.length) return -1;
        if (i >= bf.length) return 1;
        if (a.fields[i][0] !== bf[i][0]) return a.fields[i][0] < bf[i][0] ? -1 : 1;
        const c = compareValues(a.fields[i][1], bf[i][1]);
        if (c !== 0) return c;
      }
    }
    case 'value':
      return compareValues(a.value, (b as typeof a).value);
    case 'index':
      return Math.sign(a.index - (b as typeof a).index);
  }
}
