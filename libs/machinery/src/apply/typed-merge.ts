import { isJsonObject, JsonObject, JsonValue } from '../json';
import { SchemaNode } from '../patch/schema';
import { PathElement, pathElementToString, serializePathElement } from './path-element';
import { childPosition, granularList, isAtomicMap, itemPathElement, itemPosition, Position, TypedValueError } from './typed-value';

/**
 * Merges an applied configuration into a live object (`TypedValue.Merge`):
 * values of the configuration win; granular maps merge key by key; keyed and
 * set lists merge item by item, keeping the live order and placing new items
 * where the configuration puts them; atomic values are replaced.
 */
export function mergeObjects(live: object, config: object, root: SchemaNode): JsonObject {
  return (mergeMapItems(live as JsonObject, config as JsonObject, { node: root }) ?? {}) as JsonObject;
}

function kindOf(v: JsonValue): 'map' | 'list' | 'scalar' {
  return isJsonObject(v) ? 'map' : Array.isArray(v) ? 'list' : 'scalar';
}

function mergeValue(lhs: JsonValue | undefined, rhs: JsonValue | undefined, pos: Position): JsonValue | undefined {
  const shape = rhs === undefined ? lhs! : rhs;
  // When the kinds differ the configuration's value decides the shape.
  const l = lhs !== undefined && kindOf(lhs) === kindOf(shape) ? lhs : undefined;
  switch (kindOf(shape)) {
    case 'map': {
      const lm = l as JsonObject | undefined;
      const rm = rhs as JsonObject | undefined;
      const bothEmpty = (!lm || Object.keys(lm).length === 0) && (!rm || Object.keys(rm).length === 0);
      if (isAtomicMap(pos) || bothEmpty) return rhs ?? lhs;
      return mergeMapItems(lm ?? {}, rm ?? {}, pos);
    }
    case 'list': {
      const ll = l as JsonValue[] | undefined;
      const rl = rhs as JsonValue[] | undefined;
      const bothEmpty = (!ll || ll.length === 0) && (!rl || rl.length === 0);
      if (!granularList(pos) || bothEmpty) return rhs ?? lhs;
      return mergeListItems(ll ?? [], rl ?? [], pos);
    }
    default:
      return rhs ?? lhs;
  }
}

function mergeMapItems(lhs: JsonObject, rhs: JsonObject, pos: Position): JsonObject | undefined {
  const out: JsonObject = {};
  const keys = new Set([...Object.keys(lhs), ...Object.keys(rhs)]);
  for (const key of keys) {
    const l = Object.prototype.hasOwnProperty.call(lhs, key) ? lhs[key] : undefined;
    const r = Object.prototype.hasOwnProperty.call(rhs, key) ? rhs[key] : undefined;
    const merged = mergeValue(l, r, childPosition(pos, key));
    if (merged !== undefined) out[key] = merged;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

interface Indexed {
  elements: PathElement[];
  keys: string[];
  /** First value per key; `null` marks a key seen more than once. */
  observed: Map<string, JsonValue>;
}

function indexItems(items: JsonValue[], pos: Position, allowDuplicates: boolean): Indexed {
  const list = granularList(pos)!;
  const out: Indexed = { elements: [], keys: [], observed: new Map() };
  for (const item of items) {
    const pe = itemPathElement(list, item);
    const k = serializePathElement(pe);
    if (out.observed.has(k)) {
      if (!allowDuplicates) throw new TypedValueError(`duplicate entries for key ${pathElementToString(pe)}`);
      out.observed.set(k, null);
    } else {
      out.observed.set(k, item);
    }
    out.elements.push(pe);
    out.keys.push(k);
  }
  return out;
}

// Keeps the live order, and slots configuration-only items in between so that
// items both lists share stay in the configuration's relative order.
function mergeListItems(lhs: JsonValue[], rhs: JsonValue[], pos: Position): JsonValue[] | undefined {
  const right = indexItems(rhs, pos, false);
  const left = indexItems(lhs, pos, true);
  const inner = itemPosition(pos);
  const out: JsonValue[] = [];
  const shared = right.keys.filter((k) => left.observed.has(k));
  let nextShared = shared.shift();
  const mergedRight = new Set<string>();
  const emit = (l: JsonValue | undefined, r: JsonValue | undefined) => {
    const v = mergeValue(l, r, inner);
    if (v !== undefined) out.push(v);
  };
  let li = 0;
  let ri = 0;
  while (li < left.keys.length || ri < right.keys.length) {
    if (li < left.keys.length && ri < right.keys.length) {
      const k = left.keys[li];
      if (k === right.keys[ri]) {
        mergedRight.add(k);
        emit(left.observed.get(k) ?? undefined, right.observed.get(k));
        li++;
        ri++;
        nextShared = shared.shift();
        continue;
      }
      if (right.observed.has(k) && nextShared !== undefined && nextShared !== k) {
        li++;
        continue;
      }
    }
    if (li < left.keys.length) {
      const k = left.keys[li];
      if (!right.observed.has(k)) {
        emit(lhs[li], undefined);
        li++;
        continue;
      }
      if (mergedRight.has(k)) li++;
    }
    if (ri < right.keys.length) {
      const k = right.keys[ri];
      mergedRight.add(k);
      const l = left.observed.get(k);
      emit(l === null ? undefined : l, right.observed.get(k));
      ri++;
      if (nextShared === k) nextShared = shared.shift();
    }
  }
  return out.length > 0 ? out : undefined;
}
