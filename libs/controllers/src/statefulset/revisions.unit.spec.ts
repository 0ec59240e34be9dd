import type { ControllerRevision, Pod, StatefulSet } from '@logbook/api';
import { claimOwnerReferences } from './claim-retention';
import { completeRollingUpdate, countReplicas } from './replica-status';
import {
  applyRevision,
  canonicalJson,
  fnv32,
  hashRevision,
  newRevision,
  nextRevisionNumber,
  REVISION_HASH_LABEL,
  revisionName,
  revisionsToTruncate,
  safeEncodeString,
  sortRevisions,
} from './revisions';
import { newVersionedPod } from './update-stateful-set';

const set = (image = 'nginx:1', over: Partial<StatefulSet['spec']> = {}): StatefulSet => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web', namespace: 'ns', uid: 'u1', annotations: { note: 'x' } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } },
    ...over,
  },
});

const rev = (name: string, revision: number, created = '2024-01-01T00:00:00Z'): ControllerRevision => ({ metadata: { name, creationTimestamp: created }, revision });

describe('ControllerRevision hashing', () => {
  it('is 32-bit FNV-1 (not 1a), as Go hash/fnv New32', () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    expect(fnv32(bytes(''))).toBe(0x811c9dc5);
    expect(fnv32(bytes('a'))).toBe(0x050c5d7e);
    expect(fnv32(bytes('foobar'))).toBe(0x31f0b262);
  });

  it('encodes with the vowel-free alphabet of SafeEncodeString', () => {
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
  });

  it('serializes with sorted keys, so key order never changes a hash', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: '<x>' } })).toBe('{"a":{"c":"\\u003cx\\u003e","d":[1,{"y":2,"z":1}]},"b":1}');
    expect(hashRevision({ x: 1, y: 2 })).toBe(hashRevision({ y: 2, x: 1 }));
  });

  it('changes with the template and with the collision count', () => {
    const a = newRevision(set('nginx:1'), 1, 0);
    const b = newRevision(set('nginx:2'), 1, 0);
    const c = newRevision(set('nginx:1'), 1, 1);
    expect(a.metadata?.name).not.toBe(b.metadata?.name);
    expect(a.metadata?.name).not.toBe(c.metadata?.name);
    expect(a.metadata?.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(newRevision(set('nginx:1'), 7, 0).metadata?.name).toBe(a.metadata?.name);
  });

  it('records the template as a replace patch, with template labels, set annotations and the set as controller', () => {
    const r = newRevision(set(), 2, 0);
    expect(r.data).toEqual({ spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] }, $patch: 'replace' } } });
    expect(r.revision).toBe(2);
    expect(r.metadata?.labels).toEqual({ app: 'web', [REVISION_HASH_LABEL]: r.metadata!.name!.slice('web-'.length) });
    expect(r.metadata?.annotations).toEqual({ note: 'x' });
    expect(r.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true });
  });

  it('applies a revision back onto the set', () => {
    const old = newRevision(set('nginx:1'), 1, 0);
    const applied = applyRevision(set('nginx:2'), old);
    expect(applied.spec?.template?.spec?.containers[0].image).toBe('nginx:1');
    expect(applied.spec?.template).not.toHaveProperty('$patch');
    expect(applied.spec?.replicas).toBe(3);
  });

  it('cuts long prefixes so the name stays valid', () => {
    expect(revisionName('a'.repeat(300), 'h')).toBe(`${'a'.repeat(223)}-h`);
  });

  it('orders revisions and numbers the next one', () => {
    const sorted = sortRevisions([rev('c', 3), rev('a', 1), rev('b', 1, '2024-01-02T00:00:00Z')]);
    expect(sorted.map((r) => r.metadata?.name)).toEqual(['a', 'b', 'c']);
    expect(nextRevisionNumber(sorted)).toBe(4);
    expect(nextRevisionNumber([])).toBe(1);
  });

  it('truncates the oldest non-live revisions beyond the limit', () => {
    const sorted = [rev('r1', 1), rev('r2', 2), rev('r3', 3), rev('r4', 4), rev('r5', 5)];
    const names = (rs: ControllerRevision[]) => rs.map((r) => r.metadata?.name);
    expect(names(revisionsToTruncate(sorted, new Set(['r5', 'r1']), 2))).toEqual(['r2']);
    expect(names(revisionsToTruncate(sorted, new Set(['r5']), 0))).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(revisionsToTruncate(sorted, new Set(['r5']), 10)).toEqual([]);
  });
});

describe('revision of a new pod', () => {
  it('uses the current revision below the partition and the update revision from it up', () => {
    const current = set('nginx:1', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
    const update = set('nginx:2', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
    const at = (ord: number) => newVersionedPod(current, update, 'web-cur', 'web-upd', ord);
    expect(at(0).metadata?.labels?.['controller-revision-hash']).toBe('web-cur');
    expect(at(1).spec?.containers[0].image).toBe('nginx:1');
    expect(at(2).metadata?.labels?.['controller-revision-hash']).toBe('web-upd');
    expect(at(2).spec?.containers[0].image).toBe('nginx:2');
  });

  it('always uses the update revision with OnDelete', () => {
    const current = set('nginx:1', { updateStrategy: { type: 'OnDelete' } });
    expect(newVersionedPod(current, set('nginx:2'), 'a', 'b', 0).metadata?.labels?.['controller-revision-hash']).toBe('b');
  });
});

describe('StatefulSet status', () => {
  const pod = (name: string, revision: string, opts: { ready?: boolean; terminating?: boolean; readySince?: string } = {}): Pod => ({
    metadata: { name, uid: name, labels: { 'controller-revision-hash': revision }, ...(opts.terminating ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: opts.readySince ?? '2024-01-01T00:00:00Z' }],
    },
  });
  const now = Date.parse('2024-01-01T00:00:10Z');

  it('counts ready, available (minReadySeconds), current and updated replicas; terminating pods are neither current nor updated', () => {
    const pods = [pod('a-0', 'r1'), pod('a-1', 'r2', { readySince: '2024-01-01T00:00:08Z' }), pod('a-2', 'r2', { ready: false }), pod('a-3', 'r1', { terminating: true })];
    expect(countReplicas(pods, 5, 'r1', 'r2', now)).toEqual({ replicas: 4, readyReplicas: 3, availableReplicas: 2, currentReplicas: 1, updatedReplicas: 2 });
    // Planned pods (no uid yet) are not counted.
    expect(countReplicas([{ metadata: { name: 'a-0' } }], 0, 'r1', 'r1', now).replicas).toBe(0);
  });

  it('completes a rolling update only when every pod is updated and ready', () => {
    const s = set();
    const status = { replicas: 3, readyReplicas: 3, updatedReplicas: 3, currentReplicas: 0, currentRevision: 'r1', updateRevision: 'r2' };
    completeRollingUpdate(s, status);
    expect(status).toMatchObject({ currentRevision: 'r2', currentReplicas: 3 });
    const partial = { replicas: 3, readyReplicas: 2, updatedReplicas: 3, currentReplicas: 0, currentRevision: 'r1', updateRevision: 'r2' };
    completeRollingUpdate(s, partial);
    expect(partial.currentRevision).toBe('r1');
  });
});

describe('claim retention policy as owner references', () => {
  const base = (whenDeleted: 'Retain' | 'Delete', whenScaled: 'Retain' | 'Delete', replicas = 2): StatefulSet => ({
    ...set(),
    spec: { ...set().spec, replicas, persistentVolumeClaimRetentionPolicy: { whenDeleted, whenScaled } },
  });
  const podAt = (ord: number): Pod => ({ metadata: { name: `web-${ord}`, uid: `pod-${ord}` } });
  const owners = (refs: ReturnType<typeof claimOwnerReferences>) => refs?.map((r) => `${r.kind}/${r.name}`);

  it('Retain/Retain: no owners (and stale ones go)', () => {
    expect(claimOwnerReferences(base('Retain', 'Retain'), podAt(0), { metadata: {} })).toBeUndefined();
    expect(owners(claimOwnerReferences(base('Retain', 'Retain'), podAt(0), { metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1' }] } }))).toEqual([]);
  });

  it('whenDeleted Delete: owned by the set', () => {
    expect(owners(claimOwnerReferences(base('Delete', 'Retain'), podAt(0), { metadata: {} }))).toEqual(['StatefulSet/web']);
  });

  it('whenScaled Delete: owned by the pod once the pod is scaled away, never while in range', () => {
    expect(claimOwnerReferences(base('Retain', 'Delete', 2), podAt(1), { metadata: {} })).toBeUndefined();
    expect(owners(claimOwnerReferences(base('Retain', 'Delete', 1), podAt(1), { metadata: {} }))).toEqual(['Pod/web-1']);
    expect(owners(claimOwnerReferences(base('Delete', 'Delete', 1), podAt(1), { metadata: {} }))).toEqual(['Pod/web-1']);
    expect(owners(claimOwnerReferences(base('Delete', 'Delete', 2), podAt(1), { metadata: {} }))).toEqual(['StatefulSet/web']);
  });
});
