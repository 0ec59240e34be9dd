import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '@logbook/api';
import { ControllerManager, kinds, KubeClient } from '@logbook/sdk';
import { eventually, startTestApiServer, TestApiServer } from '@logbook/sdk/testing';
import { ClaimBinderReconciler, DefaultStorageClassReconciler, storageClasses, VolumePhaseReconciler } from '.';

jest.setTimeout(120_000);

/** The seed's PersistentVolume, claim and StorageClass (chapter 6), verbatim. */
const seedMongodbPv = (): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: 'mongodb-pv' },
  spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: '/tmp/mongodb' } },
});
const seedMongodbPvc = (namespace: string): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'mongodb-pvc', namespace },
  spec: { resources: { requests: { storage: '1Gi' } }, accessModes: ['ReadWriteOnce'], storageClassName: '' },
});
const seedFastClass = (): StorageClass => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'fast' },
  provisioner: 'k8s.io/minikube-hostpath',
  parameters: { type: 'pd-ssd' },
});

const claim = (namespace: string, name: string, size: string, storageClassName?: string, extra: Partial<NonNullable<PersistentVolumeClaim['spec']>> = {}): PersistentVolumeClaim => ({
  metadata: { name, namespace },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, ...(storageClassName !== undefined ? { storageClassName } : {}), ...extra },
});
const volume = (name: string, size: string, extra: Partial<NonNullable<PersistentVolume['spec']>> = {}): PersistentVolume => ({
  metadata: { name },
  spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/tmp/${name}` }, persistentVolumeReclaimPolicy: 'Retain', ...extra },
});

describe('PersistentVolume controller (binder, hostPath provisioner, default class)', () => {
  let server: TestApiServer;
  let client: KubeClient;
  let manager: ControllerManager;
  let nsCount = 0;

  beforeAll(async () => {
    server = await startTestApiServer();
    client = server.client;
    manager = new ControllerManager({ client, identity: 'pv-test' });
    manager.add(new ClaimBinderReconciler());
    manager.add(new VolumePhaseReconciler());
    manager.add(new DefaultStorageClassReconciler());
    await manager.start();
  });
  afterAll(async () => {
    await manager?.stop();
    await server?.stop();
  });

  const freshNamespace = async () => {
    const name = `pv-${++nsCount}`;
    await client.create(kinds.Namespace, { metadata: { name } });
    return name;
  };
  const boundClaim = (namespace: string, name: string, timeoutMs = 10_000) =>
    eventually(
      async () => {
        const c = await client.get(kinds.PersistentVolumeClaim, { namespace, name });
        return c.status?.phase === 'Bound' ? c : undefined;
      },
      { timeoutMs, what: `claim ${name} Bound` },
    );
  const eventsFor = async (namespace: string, name: string) =>
    (await client.list(kinds.Event, { namespace })).items.filter((e) => e.involvedObject?.name === name).map((e) => e.reason);

  it('creates the default StorageClass standard at start', async () => {
    const sc = await eventually(() => client.get(storageClasses, { name: 'standard' }), { what: 'StorageClass standard' });
    expect(sc.provisioner).toBe('logbook.io/hostpath');
    expect(sc.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class']).toBe('true');
    expect(sc.reclaimPolicy).toBe('Delete');
  });

  it('binds the seed claim to the seed volume, and releases (Retain) the volume when the claim goes', async () => {
    const ns = await freshNamespace();
    await client.create(kinds.PersistentVolume, seedMongodbPv());
    await eventually(async () => (await client.get(kinds.PersistentVolume, { name: 'mongodb-pv' })).status?.phase === 'Available', { what: 'mongodb-pv Available' });
    await client.create(kinds.PersistentVolumeClaim, seedMongodbPvc(ns));
    const bound = await boundClaim(ns, 'mongodb-pvc');
    expect(bound.spec?.volumeName).toBe('mongodb-pv');
    expect(bound.status).toMatchObject({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] });
    expect(bound.metadata?.annotations?.['pv.kubernetes.io/bind-completed']).toBe('yes');
    const pv = await eventually(async () => {
      const v = await client.get(kinds.PersistentVolume, { name: 'mongodb-pv' });
      return v.status?.phase === 'Bound' ? v : undefined;
    });
    expect(pv.spec?.claimRef).toMatchObject({ kind: 'PersistentVolumeClaim', namespace: ns, name: 'mongodb-pvc', uid: bound.metadata?.uid });

    await client.delete(kinds.PersistentVolumeClaim, { namespace: ns, name: 'mongodb-pvc' });
    await eventually(async () => (await client.get(kinds.PersistentVolume, { name: 'mongodb-pv' })).status?.phase === 'Released', { what: 'mongodb-pv Released' });
    // A Released volume is not bound again (its data belongs to the old claim).
    await client.create(kinds.PersistentVolumeClaim, seedMongodbPvc(ns));
    await eventually(async () => (await eventsFor(ns, 'mongodb-pvc')).includes('FailedBinding'), { what: 'FailedBinding event' });
    expect((await client.get(kinds.PersistentVolumeClaim, { namespace: ns, name: 'mongodb-pvc' })).status?.phase).toBe('Pending');
  });

  it('picks the smallest volume that fits, honours class, access modes and selector, and a pre-bound volume', async () => {
    const ns = await freshNamespace();
    await client.create(kinds.PersistentVolume, volume(`${ns}-2g`, '2Gi', { storageClassName: 'manual' }));
    await client.create(kinds.PersistentVolume, volume(`${ns}-5g`, '5Gi', { storageClassName: 'manual' }));
    await client.create(kinds.PersistentVolume, volume(`${ns}-gold`, '10Gi', { storageClassName: 'manual' }));
    await client.patch(kinds.PersistentVolume, { name: `${ns}-gold` }, { metadata: { labels: { tier: 'gold' } } }, { type: 'merge' });
    await client.create(kinds.PersistentVolume, volume(`${ns}-rwx`, '1Gi', { storageClassName: 'manual', accessModes: ['ReadWriteMany'] }));
    await client.create(kinds.PersistentVolume, volume(`${ns}-reserved`, '1Gi', { storageClassName: 'manual', claimRef: { namespace: ns, name: 'reserved' } }));

    await client.create(kinds.PersistentVolumeClaim, claim(ns, 'small', '1Gi', 'manual'));
    expect((await boundClaim(ns, 'small')).spec?.volumeName).toBe(`${ns}-2g`);
    await client.create(kinds.PersistentVolumeClaim, claim(ns, 'gold', '1Gi', 'manual', { selector: { matchLabels: { tier: 'gold' } } }));
    expect((await boundClaim(ns, 'gold')).spec?.volumeName).toBe(`${ns}-gold`);
    await client.create(kinds.PersistentVolumeClaim, claim(ns, 'shared', '1Gi', 'manual', { accessModes: ['ReadWriteMany'] }));
    expect((await boundClaim(ns, 'shared')).spec?.volumeName).toBe(`${ns}-rwx`);
    // The volume reserved for `reserved` (claimRef without uid) goes to it and to nobody else.
    await client.create(kinds.PersistentVolumeClaim, claim(ns, 'reserved', '1Gi', 'manual'));
    expect((await boundClaim(ns, 'reserved')).spec?.volumeName).toBe(`${ns}-reserved`);
    await client.create(kinds.PersistentVolumeClaim, claim(ns, 'next', '1Gi', 'manual'));
    expect((await boundClaim(ns, 'next')).spec?.volumeName).toBe(`${ns}-5g`);
    // Nothing left: a claim of a class without provisioner waits.
    await client.create(kinds.PersistentVolumeClaim, claim(ns, 'late', '1Gi', 'manual'));
    await eventually(async () => (await client.get(kinds.PersistentVolumeClaim, { namespace: ns, name: 'late' })).status?.phase === 'Pending', { what: 'late Pending' });
    // ... until a volume appears.
    await client.create(kinds.PersistentVolume, volume(`${ns}-new`, '1Gi', { storageClassName: 'manual' }));
    expect((await boundClaim(ns, 'late')).spec?.volumeName).toBe(`${ns}-new`);
  });

  it('provisions a hostPath volume for a claim without class (default class), and deletes it (reclaim Delete) with the claim', async () => {
    const ns = await freshNamespace();
    const created = await client.create(kinds.PersistentVolumeClaim, claim(ns, 'data', '1Mi'));
    const bound = await boundClaim(ns, 'data');
    expect(bound.spec?.volumeName).toBe(`pvc-${created.metadata?.uid}`);
    expect(bound.metadata?.annotations?.['volume.kubernetes.io/storage-provisioner']).toBe('logbook.io/hostpath');
    const pv = await client.get(kinds.PersistentVolume, { name: bound.spec!.volumeName! });
    expect(pv.spec).toMatchObject({
      storageClassName: 'standard',
      capacity: { storage: '1Mi' },
      persistentVolumeReclaimPolicy: 'Delete',
      hostPath: { path: `/tmp/hostpath-provisioner/${ns}/data`, type: 'DirectoryOrCreate' },
    });
    expect(pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by']).toBe('logbook.io/hostpath');
    expect(await eventsFor(ns, 'data')).toEqual(expect.arrayContaining(['ProvisioningSucceeded']));

    await client.delete(kinds.PersistentVolumeClaim, { namespace: ns, name: 'data' });
    await eventually(async () => !(await client.get(kinds.PersistentVolume, { name: pv.metadata!.name! }).catch(() => undefined)), { what: 'provisioned volume deleted' });
  });

  it("provisions for the seed's class fast (minikube's provisioner) and waits for other provisioners", async () => {
    const ns = await freshNamespace();
    await client.create(storageClasses, seedFastClass());
    await client.create(kinds.PersistentVolumeClaim, claim(ns, 'fast-claim', '1Gi', 'fast'));
    const bound = await boundClaim(ns, 'fast-claim');
    expect((await client.get(kinds.PersistentVolume, { name: bound.spec!.volumeName! })).spec?.storageClassName).toBe('fast');

    await client.create(storageClasses, { metadata: { name: 'nfs' }, provisioner: 'example.com/nfs' });
    await client.create(kinds.PersistentVolumeClaim, claim(ns, 'nfs-claim', '1Gi', 'nfs'));
    await eventually(async () => (await eventsFor(ns, 'nfs-claim')).includes('ExternalProvisioning'), { what: 'ExternalProvisioning event' });
    const waiting = await client.get(kinds.PersistentVolumeClaim, { namespace: ns, name: 'nfs-claim' });
    expect(waiting.status?.phase).toBe('Pending');
    expect(waiting.metadata?.annotations?.['volume.kubernetes.io/storage-provisioner']).toBe('example.com/nfs');
  });
});
