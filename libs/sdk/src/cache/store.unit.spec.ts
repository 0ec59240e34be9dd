import { parseLabelSelector } from '@logbook/machinery';
import type { KubeObject } from '../client';
import { compareResourceVersions, deepFreeze, objectKey, splitObjectKey } from './object-key';
import { CONTROLLER_UID_INDEX, LABEL_INDEX, NAMESPACE_INDEX, OWNER_UID_INDEX, Store } from './store';

const obj = (
  ns: string,
  name: string,
  labels: Record<string, string> = {},
  owners: Array<{ uid: string; controller?: boolean }> = [],
): KubeObject => ({
  metadata: {
    namespace: ns || undefined,
    name,
    labels,
    ownerReferences: owners.map((o) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${o.uid}`, uid: o.uid, controller: o.controller })),
  },
});
const names = (objs: KubeObject[]) => objs.map((o) => o.metadata!.name).sort();

describe('Store', () => {
  let store: Store<KubeObject>;
  beforeEach(() => {
    store = new Store();
    store.upsert(obj('a', 'web-1', { app: 'web', tier: 'front' }, [{ uid: 'rs1', controller: true }]));
    store.upsert(obj('a', 'web-2', { app: 'web', tier: 'back' }, [{ uid: 'rs1', controller: true }, { uid: 'other' }]));
    store.upsert(obj('b', 'web-3', { app: 'web' }, [{ uid: 'rs2', controller: true }]));
    store.upsert(obj('b', 'db', { app: 'db' }));
    store.upsert(obj('', 'node-1', { zone: 'x' }));
  });

  it('gets by namespace and name, and by key', () => {
    expect(store.get('a', 'web-1')?.metadata?.name).toBe('web-1');
    expect(store.get(undefined, 'node-1')?.metadata?.name).toBe('node-1');
    expect(store.getByKey('b/db')?.metadata?.name).toBe('db');
    expect(store.get('b', 'web-1')).toBeUndefined();
    expect(store.size).toBe(5);
  });

  it('lists by namespace and label selector (string or compiled)', () => {
    expect(names(store.list())).toEqual(['db', 'node-1', 'web-1', 'web-2', 'web-3']);
    expect(names(store.list('a'))).toEqual(['web-1', 'web-2']);
    expect(names(store.list(undefined, 'app=web'))).toEqual(['web-1', 'web-2', 'web-3']);
    expect(names(store.list('a', 'app=web,tier!=back'))).toEqual(['web-1']);
    expect(names(store.list(undefined, parseLabelSelector('app in (db, web),!tier')))).toEqual(['db', 'web-3']);
    expect(names(store.list('', ''))).toEqual(['node-1']);
  });

  it('indexes by namespace, owner uid, controller uid and label', () => {
    expect(names(store.byIndex(NAMESPACE_INDEX, 'b'))).toEqual(['db', 'web-3']);
    expect(names(store.byIndex(OWNER_UID_INDEX, 'rs1'))).toEqual(['web-1', 'web-2']);
    expect(names(store.byIndex(OWNER_UID_INDEX, 'other'))).toEqual(['web-2']);
    expect(names(store.byIndex(CONTROLLER_UID_INDEX, 'other'))).toEqual([]);
    expect(names(store.byIndex(CONTROLLER_UID_INDEX, 'rs2'))).toEqual(['web-3']);
    expect(names(store.byIndex(LABEL_INDEX, 'tier=front'))).toEqual(['web-1']);
    expect(store.indexValues(NAMESPACE_INDEX).sort()).toEqual(['', 'a', 'b']);
  });

  it('keeps indexes right when objects change and go', () => {
    store.upsert(obj('a', 'web-1', { app: 'api' }, [{ uid: 'rs9', controller: true }]));
    expect(names(store.byIndex(OWNER_UID_INDEX, 'rs1'))).toEqual(['web-2']);
    expect(names(store.byIndex(OWNER_UID_INDEX, 'rs9'))).toEqual(['web-1']);
    expect(names(store.list(undefined, 'app=web'))).toEqual(['web-2', 'web-3']);
    expect(store.remove('a/web-2')?.metadata?.name).toBe('web-2');
    expect(store.byIndex(OWNER_UID_INDEX, 'rs1')).toEqual([]);
    expect(store.indexValues(OWNER_UID_INDEX)).not.toContain('rs1');
    expect(store.remove('a/web-2')).toBeUndefined();
  });

  it('takes custom indexes at any time, indexing what it holds already', () => {
    store.addIndexer('by-app', (o) => (o.metadata?.labels?.app ? [o.metadata.labels.app] : []));
    expect(names(store.byIndex('by-app', 'web'))).toEqual(['web-1', 'web-2', 'web-3']);
    store.upsert(obj('c', 'web-4', { app: 'web' }));
    expect(names(store.byIndex('by-app', 'web'))).toEqual(['web-1', 'web-2', 'web-3', 'web-4']);
    expect(() => store.addIndexer('by-app', () => [])).toThrow(/exists already/);
    expect(() => store.byIndex('nope', 'x')).toThrow(/no index named "nope"/);
  });
});

describe('object keys, freezing and resourceVersions', () => {
  it('keys objects as namespace/name', () => {
    expect(objectKey(obj('a', 'x'))).toBe('a/x');
    expect(objectKey(obj('', 'n'))).toBe('n');
    expect(objectKey({ namespace: 'a', name: 'x' })).toBe('a/x');
    expect(splitObjectKey('a/x')).toEqual({ namespace: 'a', name: 'x' });
    expect(splitObjectKey('n')).toEqual({ namespace: '', name: 'n' });
  });

  it('freezes deeply, so a cached object cannot be changed by mistake', () => {
    const o = deepFreeze(obj('a', 'x', { k: 'v' }));
    expect(() => {
      (o.metadata!.labels as Record<string, string>).k = 'changed';
    }).toThrow(TypeError);
    const copy = structuredClone(o);
    copy.metadata!.labels!.k = 'changed';
    expect(copy.metadata!.labels!.k).toBe('changed');
  });

  it('orders numeric resourceVersions as numbers', () => {
    expect(compareResourceVersions('9', '10')).toBeLessThan(0);
    expect(compareResourceVersions('100', '99')).toBeGreaterThan(0);
    expect(compareResourceVersions('12345678901234567890', '12345678901234567891')).toBeLessThan(0);
    expect(compareResourceVersions('7', '7')).toBe(0);
    expect(compareResourceVersions('abc', '7')).toBeNaN();
  });
});
