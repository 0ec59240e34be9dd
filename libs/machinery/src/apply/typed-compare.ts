import { isJsonObject, jsonEqual, JsonObject, JsonValue } from '../json';
import { SchemaNode } from '../patch/schema';
import { FieldSet } from './field-set';
import { fieldElement, PathElement, serializePathElement } from './path-element';
import { childPosition, granularList, isAtomicMap, itemPathElement, itemPosition, Position } from './typed-value';

/** What changed between two versions of an object, as sets of paths. */
export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

/**
 * Compares two objects path by path (`TypedValue.Compare`): leaves that
 * appear, change or disappear, plus maps and list items that appear or
 * disappear as a whole.
 */
export function compareObjects(lhs: object, rhs: object, root: SchemaNode): Comparison {
  const c = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareMapItems(lhs as JsonObject, rhs as JsonObject, { node: root }, [], c);
  return c;
}

type Kind = 'map' | 'list' | 'scalar';

function kindOf(v: JsonValue): Kind {
  return isJsonObject(v) ? 'map' : Array.isArray(v) ? 'list' : 'scalar';
}

interface Walk {
  inLeaf: boolean;
}

function compareValue(
  lhs: JsonValue | undefined,
  rhs: JsonValue | undefined,
  pos: Position,
  path: PathElement[],
  c: Comparison,
): void {
  const w: Walk = { inLeaf: false };
  if (rhs === undefined) handle(lhs!, lhs, rhs, pos, path, c, w);
  else if (lhs === undefined || kindOf(lhs) === kindOf(rhs)) handle(rhs, lhs, rhs, pos, path, c, w);
  else {
    // A change of kind: each side is walked against the other one's absence.
    handle(lhs, lhs, rhs, pos, path, c, { inLeaf: false });
    handle(rhs, lhs, rhs, pos, path, c, w);
  }
  if (!w.inLeaf) {
    if (lhs === undefined) c.added.insertPath(path);
    else if (rhs === undefined) c.removed.insertPath(path);
  }
}

function handle(
  shape: JsonValue,
  lhs: JsonValue | undefined,
  rhs: JsonValue | undefined,
  pos: Position,
  path: PathElement[],
  c: Comparison,
  w: Walk,
): void {
  switch (kindOf(shape)) {
    case 'map': {
      const l = isJsonObject(lhs) ? lhs : undefined;
      const r = isJsonObject(rhs) ? rhs : undefined;
      const bothEmpty = (!l || Object.keys(l).length === 0) && (!r || Object.keys(r).length === 0);
      if (isAtomicMap(pos) || bothEmpty) return leaf(lhs, rhs, path, c, w);
      compareMapItems(l ?? {}, r ?? {}, pos, path, c);
      return;
    }
    case 'list': {
      const l = Array.isArray(lhs) ? lhs : undefined;
      const r = Array.isArray(rhs) ? rhs : undefined;
      const list = granularList(pos);
      const bothEmpty = (!l || l.length === 0) && (!r || r.length === 0);
      if (!list || bothEmpty) return leaf(lhs, rhs, path, c, w);
      compareListItems(l ?? [], r ?? [], pos, path, c);
      return;
    }
    default:
      leaf(lhs, rhs, path, c, w);
  }
}

function leaf(lhs: JsonValue | undefined, rhs: JsonValue | undefined, path: PathElement[], c: Comparison, w: Walk): void {
  if (w.inLeaf) return;
  w.inLeaf = true;
  if (lhs === undefined) c.added.insertPath(path);
  else if (rhs === undefined) c.removed.insertPath(path);
  else if (!jsonEqual(lhs, rhs)) c.modified.insertPath(path);
}

function compareMapItems(lhs: JsonObject, rhs: JsonObject, pos: Position, path: PathElement[], c: Comparison): void {
  const keys = new Set([...Object.keys(lhs), ...Object.keys(rhs)]);
  for (const key of keys) {
    const l = Object.prototype.hasOwnProperty.call(lhs, key) ? lhs[key] : undefined;
    const r = Object.prototype.hasOwnProperty.call(rhs, key) ? rhs[key] : undefined;
    compareValue(l, r, childPosition(pos, key), [...path, fieldElement(key)], c);
  }
}

function compareListItems(lhs: JsonValue[], rhs: JsonValue[], pos: Position, path: PathElement[], c: Comparison): void {
  const list = granularList(pos)!;
  const order: PathElement[] = [];
  const left = new Map<string, JsonValue[]>();
  const right = new Map<string, JsonValue[]>();
  const index = (items: JsonValue[], into: Map<string, JsonValue[]>) => {
    for (const item of items) {
      const pe = itemPathElement(list, item);
      const k = serializePathElement(pe);
      if (!left.has(k) && !right.has(k)) order.push(pe);
      into.set(k, [...(into.get(k) ?? []), item]);
    }
  };
  index(lhs, left);
  index(rhs, right);
  const inner = itemPosition(pos);
  for (const pe of order) {
    const k = serializePathElement(pe);
    const l = left.get(k) ?? [];
    const r = right.get(k) ?? [];
    const itemPath = [...path, pe];
    if (l.length <= 1 && r.length <= 1) {
      compareValue(l[0], r[0], inner, itemPath, c);
    } else if (l.length >= 2 && r.length >= 2) {
      if (!jsonEqual(l, r)) c.modified.insertPath(itemPath);
    } else if (l.length >= 2) {
      if (r.length > 0) compareValue(undefined, r[0], inner, itemPath, c);
      c.removed.insertPath(itemPath);
    } else {
      if (l.length > 0) compareValue(l[0], undefined, inner, itemPath, c);
      c.added.insertPath(itemPath);
    }
  }
}
