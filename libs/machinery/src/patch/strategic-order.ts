import { goFormat, isJsonObject, JsonValue } from '../json';

/**
 * Ordering helpers of strategic merge patch: how the items of a merged list
 * are put in order (`normalizeElementOrder` and `mergeSortedSlice` in
 * Kubernetes).
 */

export class StrategicMergePatchError extends Error {
  constructor(
    message: string,
    /** `badRequest` for malformed patches (400 in Kubernetes); `invalid` when the patch does not fit the object. */
    readonly kind: 'badRequest' | 'invalid' = 'invalid',
  ) {
    super(message);
    this.name = 'StrategicMergePatchError';
  }
}

export type SliceKind = 'map' | 'scalar';

/** The common kind of the items of lists; lists of lists are not supported. */
export function sliceKind(...lists: JsonValue[][]): SliceKind {
  let seen: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const t = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
      if (seen === undefined) {
        if (t === 'array') throw new StrategicMergePatchError('lists of lists are not supported');
        seen = t;
      } else if (seen !== t) {
        throw new StrategicMergePatchError(`list element types are not identical: ${goFormat(lists)}`);
      }
    }
  }
  if (seen === undefined) throw new StrategicMergePatchError('no elements in any of the given slices');
  return seen === 'object' ? 'map' : 'scalar';
}

function indexIn(list: JsonValue[], item: JsonValue, mergeKey: string, kind: SliceKind): number {
  const key = (v: JsonValue): JsonValue | undefined => (kind === 'map' ? (isJsonObject(v) ? v[mergeKey] : undefined) : v);
  const wanted = key(item);
  return list.findIndex((v) => key(v) === wanted);
}

/**
 * Sorts `items` by their position in `order`, keeping `$patch: delete` items
 * last. Items absent from `order` keep their relative order, ahead of the
 * others (Kubernetes never produces them here).
 */
export function normalizeSliceOrder(items: JsonValue[], order: JsonValue[], mergeKey: string, kind: SliceKind): JsonValue[] {
  let toSort = items;
  let toDelete: JsonValue[] = [];
  if (kind === 'map') {
    for (const list of [items, order]) {
      for (const v of list) {
        if (!isJsonObject(v)) throw new StrategicMergePatchError(`expected a map[string]interface {}, but received a ${typeof v}`);
        if (!Object.prototype.hasOwnProperty.call(v, mergeKey)) {
          throw new StrategicMergePatchError(`map: ${goFormat(v)} does not contain declared merge key: ${mergeKey}`);
        }
      }
    }
    toSort = items.filter((v) => (v as { $patch?: unknown }).$patch !== 'delete');
    toDelete = items.filter((v) => (v as { $patch?: unknown }).$patch === 'delete');
  }
  const decorated = toSort.map((item, i) => ({ item, i, at: indexIn(order, item, mergeKey, kind) }));
  decorated.sort((a, b) => {
    if (a.at < 0 || b.at < 0) return a.at < 0 && b.at < 0 ? a.i - b.i : a.at < 0 ? -1 : 1;
    return a.at - b.at || a.i - b.i;
  });
  return [...decorated.map((d) => d.item), ...toDelete];
}

/**
 * Interleaves server-only items (`left`) into patch items (`right`), both
 * already sorted. A server-only item goes first only when both items are in
 * the live list and it came first there; so items new to the list come
 * before the live items that follow them.
 */
export function mergeSortedSlice(
  left: JsonValue[],
  right: JsonValue[],
  serverOrder: JsonValue[],
  mergeKey: string,
  kind: SliceKind,
): JsonValue[] {
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}
