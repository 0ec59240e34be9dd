import { isJsonObject, JsonObject, JsonValue } from '../json';
import { FieldSchema, ListSchema, SchemaNode } from '../patch/schema';
import { FieldSet } from './field-set';
import { fieldElement, keyElement, PathElement, valueElement } from './path-element';

/**
 * Walks of an object guided by a schema, the server-side apply view of a
 * value (structured-merge-diff's `typed` package): which paths a value sets,
 * and how to remove paths from it.
 *
 * A field's value is a *leaf* (owned as one) when it is a scalar, `null`, an
 * atomic list or map, or an atomic struct. Lists are atomic unless the schema
 * says `set` or `map`; maps are granular unless marked atomic.
 */

export class TypedValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TypedValueError';
  }
}

/** Where a value sits: its schema node and the description of the field holding it. */
export interface Position {
  readonly node: SchemaNode;
  readonly field?: FieldSchema;
}

export function childPosition(pos: Position, name: string): Position {
  return { node: pos.node.child(name), field: pos.node.field(name) };
}

/** The list rules at a position, or undefined when the list is atomic. */
export function granularList(pos: Position): ListSchema | undefined {
  const list = pos.field?.list;
  return list && list.listType !== 'atomic' ? list : undefined;
}

export function isAtomicMap(pos: Position): boolean {
  return pos.field?.atomic === true || pos.node.isAtomic;
}

/** Items of a keyed or set list are positioned at the item type, with no field description. */
export function itemPosition(pos: Position): Position {
  return { node: pos.node };
}

/**
 * The path element naming a list item: `k:{...}` from its key fields (with
 * schema defaults for missing ones, e.g. `protocol: TCP`), or `v:<value>` for
 * a set item.
 */
export function itemPathElement(list: ListSchema, item: JsonValue): PathElement {
  if (list.listType === 'set') {
    if (isJsonObject(item)) throw new TypedValueError("associative list without keys has an element that's a map type");
    if (Array.isArray(item)) throw new TypedValueError('not supported: associative list with lists as elements');
    if (item === null) throw new TypedValueError("associative list without keys has an element that's an explicit null");
    return valueElement(item);
  }
  if (item === null) throw new TypedValueError('associative list with keys may not have a null element');
  if (!isJsonObject(item)) throw new TypedValueError('associative list with keys may not have non-map elements');
  const keys = list.listMapKeys ?? [];
  const fields: Array<[string, JsonValue]> = [];
  for (const k of keys) {
    if (Object.prototype.hasOwnProperty.call(item, k)) fields.push([k, item[k]]);
    else if (list.keyDefaults && Object.prototype.hasOwnProperty.call(list.keyDefaults, k)) fields.push([k, list.keyDefaults[k]]);
  }
  if (keys.length > 0 && fields.length === 0) {
    throw new TypedValueError(
      `associative list with keys has an element that omits all key fields ${JSON.stringify(keys)} (and doesn't have default values for any key fields)`,
    );
  }
  return keyElement(fields);
}

function isEmptyMap(v: JsonValue | undefined): boolean {
  return isJsonObject(v) && Object.keys(v).length === 0;
}

/**
 * The set of paths a value sets (`TypedValue.ToFieldSet`): every leaf, every
 * keyed or set list item, and fields holding `null` or `{}`.
 */
export function toFieldSet(value: object, root: SchemaNode): FieldSet {
  const set = new FieldSet();
  walkMap(value as JsonObject, { node: root }, [], set);
  return set;
}

function walk(value: JsonValue, pos: Position, path: PathElement[], set: FieldSet): void {
  if (isJsonObject(value)) {
    if (isAtomicMap(pos)) set.insertPath(path);
    else walkMap(value, pos, path, set);
  } else if (Array.isArray(value)) {
    const list = granularList(pos);
    if (!list) set.insertPath(path);
    else walkList(value, list, pos, path, set);
  } else {
    set.insertPath(path);
  }
}

function walkMap(value: JsonObject, pos: Position, path: PathElement[], set: FieldSet): void {
  for (const [key, child] of Object.entries(value)) {
    const childPath = [...path, fieldElement(key)];
    walk(child, childPosition(pos, key), childPath, set);
    if (child === null || isEmptyMap(child)) set.insertPath(childPath);
  }
}

function walkList(items: JsonValue[], list: ListSchema, pos: Position, path: PathElement[], set: FieldSet): void {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  const elements = items.map((item) => itemPathElement(list, item));
  const keyOf = (pe: PathElement) => JSON.stringify(pe);
  for (const pe of elements) {
    const k = keyOf(pe);
    if (seen.has(k)) duplicates.add(k);
    seen.add(k);
  }
  // Duplicated items are owned as a whole; the others field by field.
  const inserted = new Set<string>();
  items.forEach((item, i) => {
    const pe = elements[i];
    const k = keyOf(pe);
    const itemPath = [...path, pe];
    if (duplicates.has(k)) {
      if (!inserted.has(k)) set.insertPath(itemPath);
      inserted.add(k);
      return;
    }
    walk(item, itemPosition(pos), itemPath, set);
    set.insertPath(itemPath);
  });
}

/**
 * The value without the given paths (`TypedValue.RemoveItems`): a member path
 * drops the field or item with everything below it. Maps and lists emptied
 * by the removal disappear too (Kubernetes turns them into null, which the
 * typed object then drops).
 */
export function removeItems(value: object, toRemove: FieldSet, root: SchemaNode): JsonObject {
  return (removeFromMap(value as JsonObject, toRemove, { node: root }) ?? {}) as JsonObject;
}

function removeFrom(value: JsonValue, toRemove: FieldSet, pos: Position): JsonValue | undefined {
  if (isJsonObject(value)) {
    if (isAtomicMap(pos) || Object.keys(value).length === 0) return undefined;
    return removeFromMap(value, toRemove, pos);
  }
  if (Array.isArray(value)) {
    const list = granularList(pos);
    if (!list || value.length === 0) return undefined;
    const out: JsonValue[] = [];
    for (const item of value) {
      const pe = itemPathElement(list, item);
      if (toRemove.hasMember(pe)) continue;
      const below = toRemove.withPrefix(pe);
      if (below.isEmpty()) {
        out.push(item);
        continue;
      }
      const kept = removeFrom(item, below, itemPosition(pos));
      out.push(kept === undefined ? null : kept);
    }
    return out.length > 0 ? out : undefined;
  }
  return value;
}

function removeFromMap(value: JsonObject, toRemove: FieldSet, pos: Position): JsonObject | undefined {
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    const pe = fieldElement(key);
    if (toRemove.hasMember(pe)) continue;
    const below = toRemove.withPrefix(pe);
    if (below.isEmpty()) {
      out[key] = child;
      continue;
    }
    const kept = removeFrom(child, below, childPosition(pos, key));
    if (kept !== undefined) out[key] = kept;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
