import { isJsonObject, jsonClone, jsonEqual, JsonObject, JsonValue } from '../json';
import { parseJsonPointer } from './json-pointer';

/** One operation of an RFC 6902 JSON Patch. */
export type JsonPatchOperation =
  | { op: 'add'; path: string; value: JsonValue }
  | { op: 'remove'; path: string }
  | { op: 'replace'; path: string; value: JsonValue }
  | { op: 'move'; from: string; path: string }
  | { op: 'copy'; from: string; path: string }
  | { op: 'test'; path: string; value: JsonValue };

/**
 * A JSON Patch that is malformed (`phase: 'decode'`, which the apiserver
 * answers with 400) or does not apply to the document (`phase: 'apply'`, 422).
 * Messages follow the json-patch library kube-apiserver uses.
 */
export class JsonPatchError extends Error {
  constructor(
    message: string,
    readonly phase: 'decode' | 'apply',
  ) {
    super(message);
    this.name = 'JsonPatchError';
  }
}

type Container = JsonObject | JsonValue[];

const INDEX = /^[0-9]+$/;

function fail(message: string): never {
  throw new JsonPatchError(message, 'apply');
}

/** The parent container of a path and the last token, or undefined when a parent is missing. */
function locate(doc: JsonValue, tokens: string[]): { parent: Container; key: string } | undefined {
  let cur: JsonValue = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) {
      if (!INDEX.test(token)) return undefined;
      cur = cur[Number(token)];
    } else if (isJsonObject(cur)) {
      if (!Object.prototype.hasOwnProperty.call(cur, token)) return undefined;
      cur = cur[token];
    } else {
      return undefined;
    }
    if (cur === undefined) return undefined;
  }
  if (!Array.isArray(cur) && !isJsonObject(cur)) return undefined;
  return { parent: cur, key: tokens[tokens.length - 1] };
}

function invalidIndex(key: string): string {
  return `Unable to access invalid index: ${key}: invalid index referenced`;
}

function arrayIndex(key: string, length: number, allowEnd: boolean): number | string {
  if (!INDEX.test(key)) {
    return /^[+-]?[0-9]+$/.test(key)
      ? invalidIndex(String(Number.parseInt(key, 10)))
      : `value was not a proper array index: '${key}': strconv.Atoi: parsing "${key}": invalid syntax`;
  }
  const idx = Number(key);
  return idx > length || (!allowEnd && idx === length) ? invalidIndex(key) : idx;
}

function get(parent: Container, key: string): JsonValue | undefined {
  if (Array.isArray(parent)) {
    const idx = arrayIndex(key, parent.length, false);
    return typeof idx === 'number' ? parent[idx] : undefined;
  }
  return Object.prototype.hasOwnProperty.call(parent, key) ? parent[key] : undefined;
}

/** Adds at a location; returns an error text or undefined. */
function insert(parent: Container, key: string, value: JsonValue): string | undefined {
  if (!Array.isArray(parent)) {
    parent[key] = value;
    return undefined;
  }
  if (key === '-') {
    parent.push(value);
    return undefined;
  }
  const idx = arrayIndex(key, parent.length, true);
  if (typeof idx === 'string') return idx;
  parent.splice(idx, 0, value);
  return undefined;
}

function removeAt(parent: Container, key: string): string | undefined {
  if (!Array.isArray(parent)) {
    if (!Object.prototype.hasOwnProperty.call(parent, key)) return `Unable to remove nonexistent key: ${key}: missing value`;
    delete parent[key];
    return undefined;
  }
  const idx = arrayIndex(key, parent.length, false);
  if (typeof idx === 'string') return idx;
  parent.splice(idx, 1);
  return undefined;
}

function requireString(op: Record<string, unknown>, field: 'path' | 'from', name: string): string {
  const v = op[field];
  if (typeof v !== 'string') {
    throw new JsonPatchError(
      field === 'path' ? `${name} operation failed to decode path: missing value` : `${name} operation failed to decode from: missing value`,
      'apply',
    );
  }
  return v;
}

function requireValue(op: Record<string, unknown>): JsonValue {
  if (!Object.prototype.hasOwnProperty.call(op, 'value')) fail('operation, missing value field: missing value');
  return jsonClone(op.value as JsonValue);
}

/**
 * Checks the shape of a JSON Patch document: an array of objects with an
 * `op`. Throws a `decode` error otherwise.
 */
export function decodeJsonPatch(patch: unknown): JsonPatchOperation[] {
  if (!Array.isArray(patch)) {
    throw new JsonPatchError(`json: cannot unmarshal ${describe(patch)} into Go value of type jsonpatch.Patch`, 'decode');
  }
  for (const op of patch) {
    if (!isJsonObject(op)) {
      throw new JsonPatchError(`json: cannot unmarshal ${describe(op)} into Go value of type jsonpatch.Operation`, 'decode');
    }
  }
  return patch as JsonPatchOperation[];
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}

/**
 * Applies an RFC 6902 JSON Patch (add, remove, replace, move, copy, test)
 * and returns the new document; the input is not modified. `-` appends to
 * an array; a path `''` addresses the whole document. Operations apply in
 * order and the first failure throws a `JsonPatchError` (nothing partial is
 * returned).
 */
export function applyJsonPatch<T = JsonValue>(document: T, patch: readonly JsonPatchOperation[] | unknown): T {
  const ops = decodeJsonPatch(patch);
  let doc = jsonClone(document) as unknown as JsonValue;
  for (const raw of ops) {
    const op = raw as unknown as Record<string, unknown>;
    switch (op.op) {
      case 'add': {
        const path = requireString(op, 'path', 'add');
        const value = requireValue(op);
        const tokens = parseJsonPointer(path);
        if (tokens.length === 0) {
          doc = value;
          break;
        }
        const at = locate(doc, tokens);
        if (!at) fail(`add operation does not apply: doc is missing path: "${path}": missing value`);
        const err = insert(at.parent, at.key, value);
        if (err) fail(`error in add for path: '${path}': ${err}`);
        break;
      }
      case 'remove': {
        const path = requireString(op, 'path', 'remove');
        const tokens = parseJsonPointer(path);
        const at = tokens.length ? locate(doc, tokens) : undefined;
        if (!at) fail(`remove operation does not apply: doc is missing path: "${path}": missing value`);
        const err = removeAt(at.parent, at.key);
        if (err) fail(`error in remove for path: '${path}': ${err}`);
        break;
      }
      case 'replace': {
        const path = requireString(op, 'path', 'replace');
        const value = requireValue(op);
        const tokens = parseJsonPointer(path);
        if (tokens.length === 0) {
          doc = value;
          break;
        }
        const at = locate(doc, tokens);
        if (!at) fail(`replace operation does not apply: doc is missing path: ${path}: missing value`);
        if (get(at.parent, at.key) === undefined) fail(`replace operation does not apply: doc is missing key: ${path}: missing value`);
        if (Array.isArray(at.parent)) at.parent[Number(at.key)] = value;
        else at.parent[at.key] = value;
        break;
      }
      case 'move':
      case 'copy': {
        const name = op.op;
        const from = requireString(op, 'from', name);
        const path = requireString(op, 'path', name);
        const fromTokens = parseJsonPointer(from);
        const source = fromTokens.length ? locate(doc, fromTokens) : undefined;
        const value = source ? get(source.parent, source.key) : fromTokens.length === 0 ? doc : undefined;
        if (value === undefined) fail(`${name} operation does not apply: doc is missing from path: ${from}: missing value`);
        if (name === 'move') {
          if (path.startsWith(`${from}/`)) fail(`${name} operation does not apply: cannot move ${from} into its own child ${path}`);
          if (source) removeAt(source.parent, source.key);
        }
        const tokens = parseJsonPointer(path);
        if (tokens.length === 0) {
          doc = jsonClone(value);
          break;
        }
        const at = locate(doc, tokens);
        if (!at) fail(`${name} operation does not apply: doc is missing destination path: ${path}: missing value`);
        const err = insert(at.parent, at.key, jsonClone(value));
        if (err) fail(`error in ${name} for path: '${path}': ${err}`);
        break;
      }
      case 'test': {
        const path = requireString(op, 'path', 'test');
        const expected = requireValue(op);
        const tokens = parseJsonPointer(path);
        if (tokens.length === 0) {
          if (!jsonEqual(doc, expected)) fail(`testing value ${path} failed: test failed`);
          break;
        }
        const at = locate(doc, tokens);
        if (!at) fail(`test operation does not apply: is missing path: ${path}: missing value`);
        const actual = get(at.parent, at.key);
        if (!jsonEqual(actual === undefined ? null : actual, expected)) fail(`testing value ${path} failed: test failed`);
        break;
      }
      default:
        fail(`Unexpected kind: ${String(op.op)}`);
    }
  }
  return doc as unknown as T;
}
