/**
 * Runs the strategic merge patch test vectors of Kubernetes
 * (testdata/strategic-merge-patch-cases.json, converted from
 * k8s.io/apimachinery/pkg/util/strategicpatch/patch_test.go) against our
 * implementation, with a schema equivalent to the `MergeItem` struct used
 * there.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { isJsonObject, JsonValue } from '../json';
import { atomicList, keyedList, scalarSet, SchemaNode, SchemaTypes } from './schema';
import { applyStrategicMergePatch } from './strategic-merge-patch';

const TYPES: SchemaTypes = {
  MergeItem: {
    fields: {
      mergingList: keyedList('name', 'MergeItem'),
      nonMergingList: atomicList('MergeItem'),
      mergingIntList: scalarSet(),
      nonMergingIntList: atomicList(),
      // A pointer to a struct in Go, written as a list of maps in the test data.
      mergeItemPtr: keyedList('name', 'MergeItem'),
      replacingItem: { replace: true },
      retainKeysMap: { type: 'RetainKeysMergeItem', retainKeys: true },
      retainKeysMergingList: keyedList('name', 'MergeItem', { retainKeys: true }),
    },
  },
  RetainKeysMergeItem: {
    fields: {
      mergingIntList: scalarSet(),
      mergingList: keyedList('name', 'MergeItem'),
      nonMergingList: atomicList('MergeItem'),
    },
  },
};
const schema = new SchemaNode(TYPES, 'MergeItem');

interface Case {
  description: string;
  original?: JsonValue;
  twoWay?: JsonValue;
  modified?: JsonValue;
  twoWayResult?: JsonValue;
  current?: JsonValue;
  threeWay?: JsonValue;
  result?: JsonValue;
  expectedError?: string;
}

const data = JSON.parse(readFileSync(join(__dirname, 'testdata', 'strategic-merge-patch-cases.json'), 'utf8')) as {
  listCases: Case[];
  rawCases: Case[];
};

const MERGING_LISTS = new Set(['mergingList', 'mergingIntList', 'retainKeysMergingList']);

/** Sorts merging lists, as Kubernetes' test compares list cases (`sortMergeListsByName`). */
function sortMergingLists(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(sortMergingLists);
  if (!isJsonObject(v)) return v;
  const out: Record<string, JsonValue> = {};
  for (const [k, child] of Object.entries(v)) {
    let sorted = sortMergingLists(child);
    if (MERGING_LISTS.has(k) && Array.isArray(sorted)) {
      sorted = [...sorted].sort((a, b) => {
        const ka = String(isJsonObject(a) ? a.name : a);
        const kb = String(isJsonObject(b) ? b.name : b);
        return ka < kb ? -1 : ka > kb ? 1 : 0;
      });
    }
    out[k] = sorted;
  }
  return out;
}

function apply(original: JsonValue | undefined, patch: JsonValue | undefined): JsonValue {
  return applyStrategicMergePatch(original ?? {}, patch ?? {}, schema);
}

describe('strategic merge patch: Kubernetes list test vectors (order-insensitive)', () => {
  for (const c of data.listCases) {
    if (c.twoWay !== undefined) {
      it(`${c.description} / two-way`, () => {
        const expected = c.twoWayResult ?? c.modified ?? {};
        expect(sortMergingLists(apply(c.original, c.twoWay))).toEqual(sortMergingLists(expected));
      });
    }
    if (c.threeWay !== undefined && c.result !== undefined) {
      it(`${c.description} / three-way`, () => {
        expect(sortMergingLists(apply(c.current, c.threeWay))).toEqual(sortMergingLists(c.result!));
      });
    }
  }
});

describe('strategic merge patch: Kubernetes raw test vectors (exact order)', () => {
  for (const c of data.rawCases) {
    if (c.expectedError !== undefined) {
      it(`${c.description} / fails`, () => {
        expect(() => apply(c.original, c.twoWay)).toThrow(c.expectedError);
      });
      continue;
    }
    if (c.twoWay !== undefined) {
      it(`${c.description} / two-way`, () => {
        expect(apply(c.original, c.twoWay)).toEqual(c.twoWayResult ?? c.modified ?? {});
      });
    }
    if (c.threeWay !== undefined && c.result !== undefined && c.current !== undefined) {
      it(`${c.description} / three-way`, () => {
        expect(apply(c.current, c.threeWay)).toEqual(c.result);
      });
    }
  }
});
