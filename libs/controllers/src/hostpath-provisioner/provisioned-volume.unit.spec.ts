import type { PersistentVolumeClaim, StorageClass } from '@logbook/api';
import { findBestMatch, standardStorageClass } from '../persistentvolume/volume-matching';
import { isStrictlyWithin, provisionedVolume, provisionerRoot } from './provisioned-volume';

const pvc = (over: Partial<NonNullable<PersistentVolumeClaim['spec']>> = {}, annotations?: Record<string, string>): PersistentVolumeClaim => ({
  metadata: { name: 'mongodb-pvc', namespace: 'ns', uid: 'claim-uid', resourceVersion: '42', annotations },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...over },
});

describe('hostPath provisioning', () => {
  it('makes a pre-bound hostPath volume of the requested size, modes and class, in a directory of its own', () => {
    const claim = pvc({ storageClassName: 'standard' });
    const volume = provisionedVolume(claim, standardStorageClass(), '/srv/pv');
    expect(volume.metadata).toEqual({ name: 'pvc-claim-uid', annotations: { 'pv.kubernetes.io/provisioned-by': 'logbook.io/hostpath' } });
    expect(volume.spec).toEqual({
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      volumeMode: 'Filesystem',
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: 'standard',
      hostPath: { path: '/srv/pv/pvc-claim-uid_ns_mongodb-pvc', type: 'DirectoryOrCreate' },
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'ns', name: 'mongodb-pvc', uid: 'claim-uid', resourceVersion: '42' },
    });
    expect(findBestMatch(claim, [volume], 'standard')).toBe(volume);
  });

  it('honours the class reclaim policy and root directory', () => {
    const retain: StorageClass = { ...standardStorageClass(), reclaimPolicy: 'Retain', parameters: { root: '/srv/volumes/' } };
    const volume = provisionedVolume(pvc(), retain, '/srv/pv');
    expect(volume.spec?.persistentVolumeReclaimPolicy).toBe('Retain');
    expect(volume.spec?.hostPath?.path).toBe('/srv/volumes/pvc-claim-uid_ns_mongodb-pvc');
  });

  it('pins a WaitForFirstConsumer volume to the selected node', () => {
    const wffc: StorageClass = { ...standardStorageClass(), volumeBindingMode: 'WaitForFirstConsumer' };
    const volume = provisionedVolume(pvc({}, { 'volume.kubernetes.io/selected-node': 'node-2' }), wffc, '/srv/pv');
    expect(volume.spec?.nodeAffinity).toEqual({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-2'] }] }] } });
    expect(provisionedVolume(pvc(), standardStorageClass(), '/srv/pv').spec?.nodeAffinity).toBeUndefined();
  });

  it('takes its root from the option, the environment, or minikube default; deletes only strictly inside it', () => {
    expect(provisionerRoot('/a/b/')).toBe('/a/b');
    expect(provisionerRoot(undefined, { LOGBOOK_HOSTPATH_PROVISIONER_ROOT: '/data/pv' })).toBe('/data/pv');
    expect(provisionerRoot(undefined, {})).toBe('/tmp/hostpath-provisioner');
    expect(isStrictlyWithin('/data/pv', '/data/pv/pvc-1_ns_c')).toBe(true);
    expect(isStrictlyWithin('/data/pv', '/data/pv')).toBe(false);
    expect(isStrictlyWithin('/data/pv', '/data/pv/../etc')).toBe(false);
    expect(isStrictlyWithin('/data/pv', '/data/pvx')).toBe(false);
  });
});
