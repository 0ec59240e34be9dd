import { ago, headers, ref, row, table } from '../test-helpers';

const PV = ref('', 'persistentvolumes', 'PersistentVolume');
const PVC = ref('', 'persistentvolumeclaims', 'PersistentVolumeClaim');
const SC = ref('storage.k8s.io', 'storageclasses', 'StorageClass');

describe('persistentvolumes', () => {
  it('headers', () => {
    expect(headers(table(PV, []))).toEqual({
      normal: ['NAME', 'CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'REASON', 'AGE'],
      wide: ['NAME', 'CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'REASON', 'AGE', 'VOLUMEMODE'],
    });
  });

  it('a bound volume', () => {
    const pv = {
      metadata: { name: 'pvc-3f2a', creationTimestamp: ago('45d') },
      spec: {
        capacity: { storage: '10240Mi' },
        accessModes: ['ReadWriteMany', 'ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        claimRef: { namespace: 'default', name: 'data-db-0' },
        storageClassName: 'standard',
        volumeMode: 'Filesystem',
      },
      status: { phase: 'Bound' },
    };
    expect(row(PV, pv)).toEqual({
      NAME: 'pvc-3f2a',
      CAPACITY: '10Gi',
      'ACCESS MODES': 'RWO,RWX',
      'RECLAIM POLICY': 'Delete',
      STATUS: 'Bound',
      CLAIM: 'default/data-db-0',
      STORAGECLASS: 'standard',
      VOLUMEATTRIBUTESCLASS: '<unset>',
      REASON: '',
      AGE: '45d',
      VOLUMEMODE: 'Filesystem',
    });
  });

  it('defaults, beta storage-class annotation, Terminating', () => {
    const pv = {
      metadata: { name: 'manual', annotations: { 'volume.beta.kubernetes.io/storage-class': 'slow' }, deletionTimestamp: ago('1s') },
      spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOncePod'], storageClassName: 'ignored' },
    };
    expect(row(PV, pv)).toMatchObject({ 'RECLAIM POLICY': 'Retain', STATUS: 'Terminating', CLAIM: '', STORAGECLASS: 'slow', 'ACCESS MODES': 'RWOP' });
  });
});

describe('persistentvolumeclaims', () => {
  it('headers', () => {
    expect(headers(table(PVC, [])).wide).toEqual(['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE', 'VOLUMEMODE']);
  });

  it('bound claim shows status capacity and access modes', () => {
    const pvc = {
      metadata: { name: 'data-db-0', namespace: 'default', creationTimestamp: ago('45d') },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '8Gi' } }, storageClassName: 'standard', volumeName: 'pvc-3f2a' },
      status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '10Gi' } },
    };
    expect(row(PVC, pvc)).toEqual({
      NAME: 'data-db-0',
      STATUS: 'Bound',
      VOLUME: 'pvc-3f2a',
      CAPACITY: '10Gi',
      'ACCESS MODES': 'RWO',
      STORAGECLASS: 'standard',
      VOLUMEATTRIBUTESCLASS: '<unset>',
      AGE: '45d',
      VOLUMEMODE: 'Filesystem',
    });
  });

  it('pending claim shows no capacity', () => {
    const pvc = { metadata: { name: 'p' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeAttributesClassName: 'gold' } };
    expect(row(PVC, pvc)).toMatchObject({ STATUS: 'Pending', VOLUME: '', CAPACITY: '', 'ACCESS MODES': '', STORAGECLASS: '', VOLUMEATTRIBUTESCLASS: 'gold' });
  });
});

describe('storageclasses', () => {
  it('default class is marked, defaults applied', () => {
    expect(headers(table(SC, [])).wide).toEqual(['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE']);
    const sc = {
      metadata: { name: 'standard', creationTimestamp: ago('45d'), annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'rancher.io/local-path',
      volumeBindingMode: 'WaitForFirstConsumer',
    };
    expect(row(SC, sc)).toEqual({
      NAME: 'standard (default)',
      PROVISIONER: 'rancher.io/local-path',
      RECLAIMPOLICY: 'Delete',
      VOLUMEBINDINGMODE: 'WaitForFirstConsumer',
      ALLOWVOLUMEEXPANSION: false,
      AGE: '45d',
    });
    const fast = { metadata: { name: 'fast' }, provisioner: 'ebs.csi.aws.com', reclaimPolicy: 'Retain', allowVolumeExpansion: true };
    expect(row(SC, fast)).toMatchObject({ NAME: 'fast', RECLAIMPOLICY: 'Retain', VOLUMEBINDINGMODE: 'Immediate', ALLOWVOLUMEEXPANSION: true });
  });
});
