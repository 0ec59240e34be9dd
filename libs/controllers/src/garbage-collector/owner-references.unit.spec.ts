import type { OwnerReference } from '@logbook/api';
import { decide, removeReferencesPatch } from './owner-references';
import { isCollectable } from './resource-catalog';

const ref = (uid: string, block = false): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name: uid, uid, ...(block ? { blockOwnerDeletion: true } : {}) });
const none = { solid: [], dangling: [], waitingForDependentsDeletion: [] };

describe('what the garbage collector does with an item', () => {
  it('keeps an item with a solid owner, dropping references to gone and waiting owners', () => {
    expect(decide({}, { ...none, solid: [ref('a')] }, false)).toEqual({ action: 'keep' });
    expect(decide({}, { solid: [ref('a')], dangling: [ref('b')], waitingForDependentsDeletion: [ref('c')] }, false)).toEqual({ action: 'removeReferences', uids: ['b', 'c'] });
  });

  it('deletes an item whose owners are all gone, in the background unless its own finalizers say otherwise', () => {
    expect(decide({}, { ...none, dangling: [ref('a')] }, false)).toEqual({ action: 'delete', propagationPolicy: 'Background' });
    expect(decide({ metadata: { finalizers: ['orphan'] } }, { ...none, dangling: [ref('a')] }, true)).toEqual({ action: 'delete', propagationPolicy: 'Orphan' });
    expect(decide({ metadata: { finalizers: ['foregroundDeletion'] } }, { ...none, dangling: [ref('a')] }, false)).toEqual({ action: 'delete', propagationPolicy: 'Foreground' });
  });

  it('keeps a foreground cascade in the foreground when the item has dependents of its own', () => {
    expect(decide({}, { ...none, waitingForDependentsDeletion: [ref('a', true)] }, true)).toEqual({ action: 'delete', propagationPolicy: 'Foreground' });
    expect(decide({}, { ...none, waitingForDependentsDeletion: [ref('a', true)] }, false)).toEqual({ action: 'delete', propagationPolicy: 'Background' });
  });

  it('removes references with a patch that applies only to the object read', () => {
    const item = { metadata: { uid: 'i', ownerReferences: [ref('a'), ref('b')] } };
    expect(removeReferencesPatch(item, ['a'])).toEqual([
      { op: 'test', path: '/metadata/uid', value: 'i' },
      { op: 'test', path: '/metadata/ownerReferences', value: [ref('a'), ref('b')] },
      { op: 'replace', path: '/metadata/ownerReferences', value: [ref('b')] },
    ]);
    expect(removeReferencesPatch(item, ['a', 'b'])[2]).toEqual({ op: 'remove', path: '/metadata/ownerReferences' });
  });

  it('collects kinds it can list, watch, delete and patch, but not events', () => {
    const r = (group: string, plural: string, verbs: string[]) => ({ kind: { group, version: 'v1', kind: 'X', plural, namespaced: true }, verbs, shortNames: [], subresources: [] });
    const all = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
    expect(isCollectable(r('', 'configmaps', all))).toBe(true);
    expect(isCollectable(r('', 'events', all))).toBe(false);
    expect(isCollectable(r('events.k8s.io', 'events', all))).toBe(false);
    expect(isCollectable(r('', 'bindings', ['create']))).toBe(false);
  });
});
