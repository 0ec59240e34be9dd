import type { Pod, StatefulSet } from '@logbook/api';
import {
  claimName,
  claimsFor,
  endOrdinal,
  identityMatches,
  inOrdinalRange,
  isMemberOf,
  newStatefulSetPod,
  ordinalOf,
  parseOrdinalName,
  POD_INDEX_LABEL,
  POD_NAME_LABEL,
  REVISION_LABEL,
  storageMatches,
} from './identity';

/** The seed's kubia StatefulSet (chapter 10), as the apiserver returns it. */
const kubia = (over: Partial<StatefulSet['spec']> = {}): StatefulSet => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'kubia', namespace: 'ns', uid: 'set-uid' },
  spec: {
    serviceName: 'kubia',
    replicas: 2,
    selector: { matchLabels: { app: 'kubia' } },
    template: {
      metadata: { labels: { app: 'kubia' } },
      spec: {
        containers: [{ name: 'kubia', image: 'yinzige/kubia-pet', volumeMounts: [{ name: 'data', mountPath: '/var/data' }] }],
      },
    },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } } }],
    ...over,
  },
});

describe('StatefulSet pod identity', () => {
  it('parses ordinals from names, and only trailing numbers', () => {
    expect(parseOrdinalName('kubia-0')).toEqual({ parent: 'kubia', ordinal: 0 });
    expect(parseOrdinalName('my-db-12')).toEqual({ parent: 'my-db', ordinal: 12 });
    expect(parseOrdinalName('kubia')).toBeUndefined();
    expect(parseOrdinalName('kubia-x1')).toBeUndefined();
    expect(ordinalOf({ metadata: { name: 'kubia-abc' } })).toBe(-1);
  });

  it('tells members from pods of a set with a longer name', () => {
    const set = kubia();
    expect(isMemberOf(set, { metadata: { name: 'kubia-3' } })).toBe(true);
    expect(isMemberOf(set, { metadata: { name: 'kubia-pet-3' } })).toBe(false);
  });

  it('computes the ordinal range from replicas and ordinals.start', () => {
    expect(endOrdinal(kubia())).toBe(1);
    const shifted = kubia({ replicas: 3, ordinals: { start: 5 } });
    expect(inOrdinalRange(shifted, { metadata: { name: 'kubia-4' } })).toBe(false);
    expect(inOrdinalRange(shifted, { metadata: { name: 'kubia-5' } })).toBe(true);
    expect(inOrdinalRange(shifted, { metadata: { name: 'kubia-7' } })).toBe(true);
    expect(inOrdinalRange(shifted, { metadata: { name: 'kubia-8' } })).toBe(false);
    expect(endOrdinal(kubia({ replicas: 0 }))).toBe(-1);
  });

  it('names claims <template>-<set>-<ordinal> and labels them with the selector', () => {
    expect(claimName('data', 'kubia', 1)).toBe('data-kubia-1');
    const claims = claimsFor(kubia(), 1);
    const claim = claims.get('data')!;
    expect(claim.metadata).toMatchObject({ name: 'data-kubia-1', namespace: 'ns', labels: { app: 'kubia' } });
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } });
  });

  it('makes a pod with a stable name, hostname, subdomain, labels, owner and claim volume', () => {
    const set = kubia();
    const pod = newStatefulSetPod(set, 1, 'kubia-abc');
    expect(pod.metadata).toMatchObject({
      name: 'kubia-1',
      namespace: 'ns',
      labels: { app: 'kubia', [POD_NAME_LABEL]: 'kubia-1', [POD_INDEX_LABEL]: '1', [REVISION_LABEL]: 'kubia-abc' },
    });
    expect(pod.metadata?.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kubia', uid: 'set-uid', controller: true, blockOwnerDeletion: true }]);
    expect(pod.spec?.hostname).toBe('kubia-1');
    expect(pod.spec?.subdomain).toBe('kubia');
    expect(pod.spec?.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'data-kubia-1' } }]);
    // The set's template is not changed.
    expect(set.spec?.template?.spec?.volumes).toBeUndefined();
    expect(identityMatches(set, pod)).toBe(true);
    expect(storageMatches(set, pod)).toBe(true);
  });

  it('replaces a template volume named like a claim template and keeps the others', () => {
    const set = kubia();
    set.spec!.template!.spec!.volumes = [
      { name: 'data', emptyDir: {} },
      { name: 'cache', emptyDir: {} },
    ];
    const pod = newStatefulSetPod(set, 0, 'r');
    expect(pod.spec?.volumes).toEqual([
      { name: 'data', persistentVolumeClaim: { claimName: 'data-kubia-0' } },
      { name: 'cache', emptyDir: {} },
    ]);
  });

  it('notices lost identity labels and storage of another ordinal', () => {
    const set = kubia();
    const pod: Pod = newStatefulSetPod(set, 0, 'r');
    delete pod.metadata!.labels![POD_NAME_LABEL];
    expect(identityMatches(set, pod)).toBe(false);
    const other = newStatefulSetPod(set, 0, 'r');
    other.metadata!.name = 'kubia-1';
    expect(storageMatches(set, other)).toBe(false);
    expect(identityMatches(set, { ...newStatefulSetPod(set, 0, 'r'), metadata: { ...newStatefulSetPod(set, 0, 'r').metadata, namespace: 'elsewhere' } })).toBe(false);
  });

  it('leaves subdomain unset without a serviceName', () => {
    expect(newStatefulSetPod(kubia({ serviceName: undefined }), 0, 'r').spec?.subdomain).toBeUndefined();
  });
});
