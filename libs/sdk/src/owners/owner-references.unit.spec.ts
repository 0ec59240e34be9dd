import type { KubeObject } from '../client';
import { AlreadyOwnedError, controllerReferenceOf, isOwnedBy, setControllerReference, setOwnerReference } from '.';

const rs = (name: string, uid: string, namespace: string | undefined = 'ns'): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name, uid, namespace },
});
const pod = (namespace = 'ns'): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace } });
const persistentVolume = (): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv' } });

describe('owner references', () => {
  it('sets a controller reference with blockOwnerDeletion, idempotently', () => {
    const p = pod();
    setControllerReference(rs('a', 'u1'), p);
    setControllerReference(rs('a', 'u1'), p);
    expect(p.metadata!.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
    expect(controllerReferenceOf(p)?.name).toBe('a');
    expect(isOwnedBy(p, rs('a', 'u1'), { controller: true })).toBe(true);
    expect(isOwnedBy(p, rs('b', 'u2'))).toBe(false);
  });

  it('refuses a second controller', () => {
    const p = pod();
    setControllerReference(rs('a', 'u1'), p);
    expect(() => setControllerReference(rs('b', 'u2'), p)).toThrow(AlreadyOwnedError);
    // A plain owner reference is fine.
    setOwnerReference(rs('b', 'u2'), p);
    expect(p.metadata!.ownerReferences!.map((r) => [r.name, !!r.controller])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    expect(isOwnedBy(p, rs('b', 'u2'))).toBe(true);
    expect(isOwnedBy(p, rs('b', 'u2'), { controller: true })).toBe(false);
  });

  it('forbids cross-namespace and namespaced-owns-cluster-scoped references, allows cluster-scoped owners', () => {
    expect(() => setControllerReference(rs('a', 'u1', 'other'), pod('ns'))).toThrow(/cross-namespace/);
    expect(() => setControllerReference(rs('a', 'u1', 'ns'), persistentVolume())).toThrow(/cluster-scoped/);
    const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'n' } };
    const p = pod();
    setOwnerReference(node, p);
    expect(isOwnedBy(p, node)).toBe(true);
  });

  it('needs an owner read from the server (with a uid)', () => {
    expect(() => setControllerReference({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'x', namespace: 'ns' } }, pod())).toThrow(/uid/);
  });
});
