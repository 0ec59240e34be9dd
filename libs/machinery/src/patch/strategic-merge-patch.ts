import { goFormat, isJsonObject, jsonClone, JsonObject, JsonValue } from '../json';
import { applyMergePatch } from './merge-patch';
import { SchemaNode } from './schema';
import { mergeSortedSlice, normalizeSliceOrder, sliceKind, SliceKind, StrategicMergePatchError } from './strategic-order';

/**
 * Strategic merge patch (`application/strategic-merge-patch+json`), applied
 * as k8s.io/apimachinery/pkg/util/strategicpatch applies it:
 *
 * - maps merge key by key; `null` deletes a key;
 * - lists with a merge key (containers by `name`, ports by `containerPort`,
 *   ...) merge item by item; lists of scalars with the merge strategy
 *   (finalizers) merge as sets; other lists are replaced;
 * - directives: `$patch: replace | delete` on a map, `$patch: delete |
 *   replace` items in a merged list, `$setElementOrder/<list>`,
 *   `$retainKeys`, `$deleteFromPrimitiveList/<list>`;
 * - items new to a merged list come before the existing ones unless
 *   `$setElementOrder` says otherwise (as in Kubernetes).
 *
 * The merge rules come from `schema` (see `builtinSchemaFor`). Without a
 * schema (custom resources), the patch is applied as a JSON merge patch,
 * which is what the fallback means in Kubernetes too; note kube-apiserver
 * itself answers 415 to strategic merge patches of custom resources.
 *
 * Neither input is modified. Errors throw `StrategicMergePatchError`.
 */
export function applyStrategicMergePatch<T = JsonValue>(original: T, patch: unknown, schema: SchemaNode | undefined): T {
  if (!isJsonObject(patch)) throw new StrategicMergePatchError('invalid JSON document', 'badRequest');
  if (schema === undefined) return applyMergePatch(original, patch);
  const base = isJsonObject(original) ? jsonClone(original) : {};
  return mergeMap(base, jsonClone(patch), schema) as unknown as T;
}

export { StrategicMergePatchError };

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

function typeOf(v: JsonValue | undefined): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function has(o: JsonObject, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

function noMergeKey(m: unknown, key: string): StrategicMergePatchError {
  return new StrategicMergePatchError(`map: ${goFormat(m)} does not contain declared merge key: ${key}`);
}

function badPatchType(t: unknown, m: unknown): StrategicMergePatchError {
  return new StrategicMergePatchError(`unknown patch type: ${goFormat(t)} in map: ${goFormat(m)}`);
}

/** The list key after a `$prefix/`, or an error worded as Kubernetes words it. */
function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    if (prefix === DELETE_FROM_PRIMITIVE_LIST) throw new StrategicMergePatchError('invalid patch format of primitive list', 'badRequest');
    throw new StrategicMergePatchError('invalid patch format of setElementOrder list', 'badRequest');
  }
  return s.slice(slash + 1);
}

function mergeMap(original: JsonObject, patch: JsonObject, schema: SchemaNode): JsonObject {
  if (has(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    if (directive === 'replace') {
      delete patch[DIRECTIVE];
      return patch;
    }
    if (directive === 'delete') return {};
    throw badPatchType(directive, patch);
  }
  applyRetainKeys(original, patch);
  mergeOrderedLists(original, patch, schema);

  for (const rawKey of Object.keys(patch)) {
    let key = rawKey;
    const patchV = patch[rawKey];
    let isDeleteList = false;
    if (rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      key = extractKey(rawKey, DELETE_FROM_PRIMITIVE_LIST);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete original[key];
      continue;
    }
    if (!has(original, key) || typeOf(original[key]) !== typeOf(patchV)) {
      if (!isDeleteList) setCleaned(original, key, patchV);
      continue;
    }
    if (isJsonObject(patchV)) {
      const field = schema.field(key);
      original[key] = field?.replace ? patchV : mergeMap(original[key] as JsonObject, patchV, schema.child(key));
    } else if (Array.isArray(patchV)) {
      original[key] = mergeListField(original[key] as JsonValue[], patchV, schema, key, isDeleteList);
    } else {
      setCleaned(original, key, patchV);
    }
  }
  return original;
}

/** Takes a patch value where nothing merges: nulls dropped, directive maps removed. */
function setCleaned(target: JsonObject, key: string, value: JsonValue): void {
  discardNulls(value);
  const [cleaned, keep] = removeDirectives(value);
  if (keep) target[key] = cleaned;
  else delete target[key];
}

function discardNulls(v: JsonValue): void {
  if (Array.isArray(v)) v.forEach(discardNulls);
  else if (isJsonObject(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else discardNulls(v[k]);
    }
  }
}

/** Strips directive maps from a value; `[_, false]` when the value itself is one. */
function removeDirectives(v: JsonValue): [JsonValue, boolean] {
  if (isJsonObject(v)) {
    if (has(v, DIRECTIVE)) return [null, false];
    for (const k of Object.keys(v)) {
      const [cleaned, keep] = removeDirectives(v[k]);
      if (keep) v[k] = cleaned;
      else delete v[k];
    }
    return [v, true];
  }
  if (Array.isArray(v)) {
    const out: JsonValue[] = [];
    for (const item of v) {
      const [cleaned, keep] = removeDirectives(item);
      if (keep) out.push(cleaned);
    }
    return [out, true];
  }
  return [v, true];
}

function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!has(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw new StrategicMergePatchError('invalid patch format of retainKeys', 'badRequest');
  const keep = new Set(retain);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw new StrategicMergePatchError('invalid patch format of retainKeys', 'badRequest');
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/**
 * Kubernetes merges lists in place in Go slices, and `$setElementOrder`
 * then orders the result against the *original* slice, which those in-place
 * deletions and appends have rewritten. `SliceView` replays those writes so
 * that we order items exactly as Kubernetes does.
 */
interface SliceView {
  items: JsonValue[];
  length: number;
  /** Set once Go would have moved to a new array: later appends no longer show. */
  detached: boolean;
}

function sliceView(items: JsonValue[]): SliceView {
  return { items: [...items], length: items.length, detached: false };
}

function mergeListField(
  original: JsonValue[],
  patch: JsonValue[],
  schema: SchemaNode,
  key: string,
  isDeleteList: boolean,
  view: SliceView = sliceView(original),
): JsonValue[] {
  const list = schema.field(key)?.list;
  if (list?.patchStrategy === 'merge' || isDeleteList) {
    return mergeSlice(original, patch, schema.child(key), list?.patchMergeKey ?? '', isDeleteList, view);
  }
  return patch;
}

function mergeSlice(
  original: JsonValue[],
  patch: JsonValue[],
  schema: SchemaNode,
  mergeKey: string,
  isDeleteList: boolean,
  view: SliceView,
): JsonValue[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceKind(original, patch);
  let merged: JsonValue[];
  let serverOrder = original;
  let patchOrder = patch;
  if (kind !== 'map') {
    if (isDeleteList) return original.filter((v) => !patch.includes(v));
    merged = [...new Set([...original, ...patch])];
  } else {
    if (!mergeKey) throw new StrategicMergePatchError(`cannot merge lists without merge key for ${schema.type ?? ''}`);
    [serverOrder, patchOrder] = applySpecialElements(view, patch, mergeKey);
    merged = mergeByKey(serverOrder, patchOrder, mergeKey, schema, view);
  }
  const [patchItems, serverOnly] = partition(merged, patchOrder, mergeKey, kind);
  return normalizeElementOrder(patchItems, serverOnly, patchOrder, serverOrder, mergeKey, kind);
}

/** Applies `$patch: delete` / `$patch: replace` items; returns the original and patch to merge. */
function applySpecialElements(view: SliceView, patch: JsonValue[], mergeKey: string): [JsonValue[], JsonValue[]] {
  const plain: JsonValue[] = [];
  let replace = false;
  for (const item of patch) {
    const m = item as JsonObject;
    if (!has(m, DIRECTIVE)) {
      plain.push(item);
      continue;
    }
    switch (m[DIRECTIVE]) {
      case 'delete':
        if (!has(m, mergeKey)) throw noMergeKey(m, mergeKey);
        // Delete every match, shifting the rest left in place as Go's append does.
        for (;;) {
          const i = findByKey(view.items.slice(0, view.length), mergeKey, m[mergeKey]);
          if (i < 0) break;
          view.items.copyWithin(i, i + 1, view.length);
          view.length--;
        }
        break;
      case 'replace':
        replace = true;
        break;
      case 'merge':
        throw new StrategicMergePatchError('merging lists cannot yet be specified in the patch');
      default:
        throw badPatchType(m[DIRECTIVE], m);
    }
  }
  const current = view.items.slice(0, view.length);
  if (replace) {
    view.detached = true;
    return [plain, []];
  }
  return [current, plain];
}

function findByKey(list: JsonValue[], mergeKey: string, value: JsonValue): number {
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (!isJsonObject(item)) throw new StrategicMergePatchError(`value for key ${i} is not a map`);
    if (has(item, mergeKey) && item[mergeKey] === value) return i;
  }
  return -1;
}

function mergeByKey(original: JsonValue[], patch: JsonValue[], mergeKey: string, schema: SchemaNode, view: SliceView): JsonValue[] {
  const out = [...original];
  for (const item of patch) {
    const m = item as JsonObject;
    if (!has(m, mergeKey)) throw noMergeKey(m, mergeKey);
    const i = findByKey(out, mergeKey, m[mergeKey]);
    if (i >= 0) {
      out[i] = mergeMap(out[i] as JsonObject, m, schema);
      continue;
    }
    out.push(item);
    // An append lands in the original array while it has room left by deletions.
    if (!view.detached && view.length < view.items.length) view.items[view.length++] = item;
    else view.detached = true;
  }
  return out;
}

function keyOf(item: JsonValue, mergeKey: string, kind: SliceKind): JsonValue | undefined {
  return kind === 'map' ? (isJsonObject(item) ? item[mergeKey] : undefined) : item;
}

/** Splits merged items into those named in `by` and the others (server-only). */
function partition(merged: JsonValue[], by: JsonValue[], mergeKey: string, kind: SliceKind): [JsonValue[], JsonValue[]] {
  const wanted = new Set(by.map((v) => keyOf(v, mergeKey, kind)));
  const inPatch: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  for (const item of merged) {
    if (kind === 'map') {
      if (!isJsonObject(item)) throw new StrategicMergePatchError(`expected a map[string]interface {}, but received a ${typeOf(item)}`);
      if (!has(item, mergeKey)) throw noMergeKey(item, mergeKey);
    }
    (wanted.has(keyOf(item, mergeKey, kind)) ? inPatch : serverOnly).push(item);
  }
  return [inPatch, serverOnly];
}

function normalizeElementOrder(
  patchItems: JsonValue[],
  serverOnly: JsonValue[],
  patchOrder: JsonValue[],
  serverOrder: JsonValue[],
  mergeKey: string,
  kind: SliceKind,
): JsonValue[] {
  const sortedPatch = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const sortedServer = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(sortedServer, sortedPatch, serverOrder, mergeKey, kind);
}

/**
 * `$setElementOrder/<list>`: merges the list and orders it by the directive,
 * then the patch, then the live object (in that precedence).
 */
function mergeOrderedLists(original: JsonObject, patch: JsonObject, schema: SchemaNode): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) {
      throw new StrategicMergePatchError(`expected a []interface {}, but received a ${typeOf(order)}`);
    }
    const listKey = extractKey(key, SET_ELEMENT_ORDER);
    const foundOriginal = has(original, listKey);
    const foundPatch = has(patch, listKey);
    const originalList = original[listKey];
    const patchList = patch[listKey];
    if (foundOriginal && !Array.isArray(originalList)) {
      throw new StrategicMergePatchError(`expected a []interface {}, but received a ${typeOf(originalList)}`);
    }
    if (foundPatch && !Array.isArray(patchList)) {
      throw new StrategicMergePatchError(`expected a []interface {}, but received a ${typeOf(patchList)}`);
    }
    const list = schema.field(listKey)?.list;
    const mergeKey = list?.patchMergeKey ?? '';
    validateOrder((patchList as JsonValue[]) ?? [], order, mergeKey);
    let merged: JsonValue[];
    const originalItems = (originalList as JsonValue[] | undefined) ?? [];
    const view = sliceView(originalItems);
    if (foundOriginal && !foundPatch) merged = originalItems;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchList)[0] as JsonValue[];
    else if (foundOriginal && foundPatch) merged = mergeListField(originalItems, patchList as JsonValue[], schema, listKey, false, view);
    else continue;
    const patchItemsRaw = (patchList as JsonValue[] | undefined) ?? [];
    if (originalItems.length === 0 && patchItemsRaw.length === 0) {
      original[listKey] = merged;
      delete patch[listKey];
      continue;
    }
    const kind = sliceKind(originalItems, patchItemsRaw);
    const [inOrder, serverOnly] = partition(merged, order, mergeKey, kind);
    original[listKey] = normalizeElementOrder(inOrder, serverOnly, order, view.items, mergeKey, kind);
    delete patch[listKey];
  }
}

/** The items of the patch list (deletions aside) must appear in the directive, in the same order. */
function validateOrder(patchList: JsonValue[], order: JsonValue[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey ? patchList.filter((v) => !(isJsonObject(v) && v[DIRECTIVE] === 'delete')) : patchList;
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (isJsonObject(items[p]) && has(items[p] as JsonObject, DIRECTIVE)) {
      p++;
      continue;
    }
    if (keyEqual(items[p], order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length) {
    throw new StrategicMergePatchError(
      `The order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goFormat(order)}\n`,
    );
  }
}

function keyEqual(a: JsonValue, b: JsonValue, mergeKey: string): boolean {
  if (!mergeKey) return a === b;
  if (!isJsonObject(a)) throw new StrategicMergePatchError(`expected a map[string]interface {}, but received a ${typeOf(a)}`);
  if (!isJsonObject(b)) throw new StrategicMergePatchError(`expected a map[string]interface {}, but received a ${typeOf(b)}`);
  if (!has(a, mergeKey)) throw noMergeKey(a, mergeKey);
  if (!has(b, mergeKey)) throw noMergeKey(b, mergeKey);
  return a[mergeKey] === b[mergeKey];
}
