import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '@logbook/api';
import { defaultClass, findBestMatch, requestedClass, standardStorageClass } from './volume-matching';

const pv = (name: string, size: string, over: Partial<NonNullable<PersistentVolume['spec']>> = {}, labels?: Record<string, string>, phase = 'Available'): PersistentVolume => ({
  metadata: { name, labels },
  spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], hostPath: { path: `/data/${name}` }, ...over },
  status: { phase: phase as 'Available' },
});
const pvc = (over: Partial<NonNullable<PersistentVolumeClaim['spec']>> = {}): PersistentVolumeClaim => ({
  metadata: { name: 'mongodb-pvc', namespace: 'ns', uid: 'claim-uid', resourceVersion: '42' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...over },
});
const sc = (name: string, isDefault: boolean, created = '2024-01-01T00:00:00Z'): StorageClass => ({
  metadata: { name, creationTimestamp: created, annotations: isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {} },
  provisioner: 'logbook.io/hostpath',
});

describe('PersistentVolume matching', () => {
  it('binds the smallest volume that is big enough, of the class, with the access modes', () => {
    const vols = [pv('small', '500Mi', { storageClassName: '' }), pv('big', '10Gi'), pv('fit', '1Gi'), pv('fast', '1Gi', { storageClassName: 'fast' })];
    expect(findBestMatch(pvc({ storageClassName: '' }), vols, '')?.metadata?.name).toBe('fit');
    expect(findBestMatch(pvc({ storageClassName: 'fast' }), vols, 'fast')?.metadata?.name).toBe('fast');
    expect(findBestMatch(pvc({ accessModes: ['ReadWriteMany'] }), vols, '')).toBeUndefined();
    expect(findBestMatch(pvc({ resources: { requests: { storage: '20Gi' } } }), vols, '')).toBeUndefined();
  });

  it('skips claimed, released and terminating volumes, and those of another volume mode or not matching the selector', () => {
    const claimed = pv('claimed', '1Gi', { claimRef: { namespace: 'ns', name: 'other', uid: 'x' } });
    const released = pv('released', '1Gi', {}, undefined, 'Released');
    const deleting = { ...pv('deleting', '1Gi'), metadata: { name: 'deleting', deletionTimestamp: '2024-01-01T00:00:00Z' } };
    const block = pv('block', '1Gi', { volumeMode: 'Block' });
    const labelled = pv('labelled', '2Gi', {}, { tier: 'gold' });
    expect(findBestMatch(pvc(), [claimed, released, deleting, block], '')).toBeUndefined();
    expect(findBestMatch(pvc({ selector: { matchLabels: { tier: 'gold' } } }), [pv('plain', '1Gi'), labelled], '')?.metadata?.name).toBe('labelled');
  });

  it('prefers a volume pre-bound to the claim, whatever its size', () => {
    const prebound = pv('mine', '100Mi', { claimRef: { namespace: 'ns', name: 'mongodb-pvc' } });
    expect(findBestMatch(pvc(), [pv('fit', '1Gi'), prebound], '')?.metadata?.name).toBe('mine');
    const forAnEarlierClaim = pv('old', '1Gi', { claimRef: { namespace: 'ns', name: 'mongodb-pvc', uid: 'earlier' } });
    expect(findBestMatch(pvc(), [forAnEarlierClaim], '')).toBeUndefined();
  });

  it('resolves an unset class to the default class, and "" to no class', () => {
    const classes = [sc('fast', false), sc('standard', true, '2024-01-01T00:00:00Z'), sc('newer', true, '2024-02-01T00:00:00Z')];
    expect(defaultClass(classes)?.metadata?.name).toBe('newer');
    expect(requestedClass(pvc(), classes)).toBe('newer');
    expect(requestedClass(pvc({ storageClassName: '' }), classes)).toBe('');
    expect(requestedClass(pvc({ storageClassName: 'fast' }), classes)).toBe('fast');
    expect(requestedClass(pvc(), [sc('fast', false)])).toBe('');
  });
});

describe('the default class', () => {
  it('marks standard as the default class', () => {
    expect(defaultClass([standardStorageClass()])?.metadata?.name).toBe('standard');
  });
});
