import type { PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from '@logbook/api';
import { VolumeManager } from '@logbook/node-agent';
import { ControllerManager, kinds, KubeClient } from '@logbook/sdk';
import { eventually, startTestApiServer, TestApiServer } from '@logbook/sdk/testing';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClaimBinderReconciler, DefaultStorageClassReconciler, PvcProtectionReconciler, PvProtectionReconciler, storageClasses, VolumePhaseReconciler } from '.';
import { HostPathDeleterReconciler, HostPathProvisionerReconciler } from '../hostpath-provisioner';

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
  let root: string;
  let client: KubeClient;
  let manager: ControllerManager;
  let nsCount = 0;

  beforeAll(async () => {
    server = await startTestApiServer();
    client = server.client;
    root = await mkdtemp(join(tmpdir(), 'logbook-pv-'));
    manager = new ControllerManager({ client, identity: 'pv-test' });
    manager.add(new ClaimBinderReconciler());
    manager.add(new VolumePhaseReconciler());
    manager.add(new DefaultStorageClassReconciler());
    manager.add(new PvcProtectionReconciler());
    manager.add(new PvProtectionReconciler());
    manager.add(new HostPathProvisionerReconciler({ root: join(root, 'provisioned') }));
    manager.add(new HostPathDeleterReconciler({ root: join(root, 'provisioned') }));
    await manager.start();
  });
  afterAll(async () => {
    await manager?.stop();
    await server?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });
  const gone = (path: string) =>
    stat(path).then(
      () => false,
      () => true,
    );

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

  it('provisions a directory volume for a claim without class (default class); Delete removes the directory and the volume with the claim', async () => {
    const ns = await freshNamespace();
    const created = await client.create(kinds.PersistentVolumeClaim, claim(ns, 'data', '1Mi'));
    const bound = await boundClaim(ns, 'data');
    expect(bound.spec?.volumeName).toBe(`pvc-${created.metadata?.uid}`);
    expect(bound.metadata?.annotations?.['volume.kubernetes.io/storage-provisioner']).toBe('logbook.io/hostpath');
    const pv = await client.get(kinds.PersistentVolume, { name: bound.spec!.volumeName! });
    const dir = join(root, 'provisioned', `pvc-${created.metadata?.uid}_${ns}_data`);
    expect(pv.spec).toMatchObject({
      storageClassName: 'standard',
      capacity: { storage: '1Mi' },
      persistentVolumeReclaimPolicy: 'Delete',
      hostPath: { path: dir, type: 'DirectoryOrCreate' },
    });
    expect(pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by']).toBe('logbook.io/hostpath');
    expect((await stat(dir)).mode & 0o777).toBe(0o777);
    await eventually(async () => (await eventsFor(ns, 'data')).includes('ProvisioningSucceeded'), { what: 'ProvisioningSucceeded' });
    expect(await eventsFor(ns, 'data')).toContain('ExternalProvisioning');
    await writeFile(join(dir, 'file'), 'data');

    await client.delete(kinds.PersistentVolumeClaim, { namespace: ns, name: 'data' });
    await eventually(async () => !(await client.get(kinds.PersistentVolume, { name: pv.metadata!.name! }).catch(() => undefined)), { what: 'provisioned volume deleted' });
    expect(await gone(dir)).toBe(true);
  });

  it('fails a static volume with reclaim policy Delete when its claim goes (no deleter plugin), keeping its data', async () => {
    const ns = await freshNamespace();
    const dir = join(root, 'static-delete');
    await client.create(kinds.PersistentVolume, volume(`${ns}-static`, '1Gi', { storageClassName: 'manual', persistentVolumeReclaimPolicy: 'Delete', hostPath: { path: dir } }));
    await client.create(kinds.PersistentVolumeClaim, claim(ns, 'c', '1Gi', 'manual'));
    await boundClaim(ns, 'c');
    await client.delete(kinds.PersistentVolumeClaim, { namespace: ns, name: 'c' });
    const failed = await eventually(
      async () => {
        const v = await client.get(kinds.PersistentVolume, { name: `${ns}-static` });
        return v.status?.phase === 'Failed' ? v : undefined;
      },
      { what: 'static volume Failed' },
    );
    expect(failed.status?.message).toBe(`error getting deleter volume plugin for volume "${ns}-static": no deletable volume plugin matched`);
  });

  it('refuses to delete the directory of a provisioned-looking volume outside its root', async () => {
    const outside = join(root, 'not-the-provisioners');
    await client.create(kinds.PersistentVolume, {
      metadata: { name: 'forged', annotations: { 'pv.kubernetes.io/provisioned-by': 'logbook.io/hostpath' } },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        hostPath: { path: outside, type: 'DirectoryOrCreate' },
        claimRef: { namespace: 'default', name: 'never-was', uid: 'no-such-uid' },
      },
    });
    const failed = await eventually(
      async () => {
        const v = await client.get(kinds.PersistentVolume, { name: 'forged' });
        return v.status?.phase === 'Failed' ? v : undefined;
      },
      { what: 'forged volume Failed' },
    );
    expect(failed.status?.message).toContain(`refusing to delete ${outside}`);
  });

  it('WaitForFirstConsumer: the claim waits for a pod on a node, then is provisioned for that node', async () => {
    const ns = await freshNamespace();
    await client.create(storageClasses, { metadata: { name: 'local-wait' }, provisioner: 'logbook.io/hostpath', volumeBindingMode: 'WaitForFirstConsumer' });
    await client.create(kinds.PersistentVolumeClaim, claim(ns, 'later', '1Mi', 'local-wait'));
    await eventually(async () => (await eventsFor(ns, 'later')).includes('WaitForFirstConsumer'), { what: 'WaitForFirstConsumer event' });
    expect((await client.get(kinds.PersistentVolumeClaim, { namespace: ns, name: 'later' })).status?.phase).toBe('Pending');

    await client.create(kinds.Pod, {
      metadata: { name: 'consumer', namespace: ns },
      spec: { nodeName: 'node-7', containers: [{ name: 'main', image: 'busybox' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'later' } }] },
    });
    const bound = await boundClaim(ns, 'later');
    expect(bound.metadata?.annotations?.['volume.kubernetes.io/selected-node']).toBe('node-7');
    const pv = await client.get(kinds.PersistentVolume, { name: bound.spec!.volumeName! });
    expect(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0].matchExpressions?.[0]).toEqual({ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-7'] });
  });

  it("a provisioned claim's data outlives the pods that mount it (VolumeManager on the node)", async () => {
    const ns = await freshNamespace();
    await client.create(kinds.Node, { metadata: { name: 'pv-node' } });
    await client.create(kinds.PersistentVolumeClaim, claim(ns, 'kubia-data', '1Mi'));
    await boundClaim(ns, 'kubia-data');
    const volumes = new VolumeManager({ client, rootDir: join(root, 'node'), nodeName: 'pv-node' });
    const pod = (name: string): Pod => ({
      metadata: { name, namespace: ns },
      spec: {
        nodeName: 'pv-node',
        containers: [{ name: 'kubia', image: 'luksa/kubia-pet', volumeMounts: [{ name: 'data', mountPath: '/var/data' }] }],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'kubia-data' } }],
      },
    });
    try {
      const first = await client.create(kinds.Pod, pod('kubia-0'));
      const [mount] = (await volumes.setUp(first)).mountsFor('kubia');
      expect(mount.containerPath).toBe('/var/data');
      await writeFile(join(mount.hostPath, 'kubia.txt'), 'Data stored on pod kubia-0\n');
      await volumes.tearDown(first.metadata!.uid!);
      await client.delete(kinds.Pod, { namespace: ns, name: 'kubia-0' }, { gracePeriodSeconds: 0 });

      const second = await client.create(kinds.Pod, pod('kubia-0'));
      const [again] = (await volumes.setUp(second)).mountsFor('kubia');
      expect(again.hostPath).toBe(mount.hostPath);
      expect(await readFile(join(again.hostPath, 'kubia.txt'), 'utf8')).toBe('Data stored on pod kubia-0\n');
    } finally {
      await volumes.close();
    }
  });

  it('protects a claim in use and a bound volume from deletion (pvc-protection, pv-protection)', async () => {
    const ns = await freshNamespace();
    await client.create(kinds.PersistentVolume, volume(`${ns}-pv`, '1Gi', { storageClassName: 'manual' }));
    await client.create(kinds.PersistentVolumeClaim, claim(ns, 'in-use', '1Gi', 'manual'));
    const bound = await boundClaim(ns, 'in-use');
    await eventually(async () => (await client.get(kinds.PersistentVolumeClaim, { namespace: ns, name: 'in-use' })).metadata?.finalizers?.includes('kubernetes.io/pvc-protection'), {
      what: 'pvc-protection finalizer',
    });
    await eventually(async () => (await client.get(kinds.PersistentVolume, { name: `${ns}-pv` })).metadata?.finalizers?.includes('kubernetes.io/pv-protection'), { what: 'pv-protection finalizer' });
    await client.create(kinds.Pod, {
      metadata: { name: 'user', namespace: ns },
      spec: { nodeName: 'node-1', containers: [{ name: 'main', image: 'busybox' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'in-use' } }] },
    });

    // The volume is Bound: deleting it leaves it Terminating.
    await client.delete(kinds.PersistentVolume, { name: `${ns}-pv` });
    // The claim is mounted by a pod that has not finished: deleting it leaves it Terminating.
    await client.delete(kinds.PersistentVolumeClaim, { namespace: ns, name: 'in-use' });
    const terminating = await client.get(kinds.PersistentVolumeClaim, { namespace: ns, name: 'in-use' });
    expect(terminating.metadata?.deletionTimestamp).toBeTruthy();
    expect(terminating.metadata?.uid).toBe(bound.metadata?.uid);
    expect((await client.get(kinds.PersistentVolume, { name: `${ns}-pv` })).metadata?.deletionTimestamp).toBeTruthy();

    // The pod goes: the claim goes, the volume is released, then goes too.
    await client.delete(kinds.Pod, { namespace: ns, name: 'user' }, { gracePeriodSeconds: 0 });
    await eventually(async () => !(await client.get(kinds.PersistentVolumeClaim, { namespace: ns, name: 'in-use' }).catch(() => undefined)), { what: 'claim gone' });
    await eventually(async () => !(await client.get(kinds.PersistentVolume, { name: `${ns}-pv` }).catch(() => undefined)), { what: 'volume gone' });
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
