import { defaultScheme } from '@logbook/api';
import type { KubeObject, StoredEvent } from '@logbook/event-store';
import { ApiError } from '@logbook/machinery';
import { microTime, requestURI, responseCode, toAuditEvent } from './audit';
import { attributedOwner } from './explain';
import { changeOf, historyTable, toHistoryEvent } from './history-event';
import { eventMatches, parseHistoryFilter, parseTime, resolveResource } from './query';
import { summarize } from './summary';

const event = (over: Partial<StoredEvent> & { object?: KubeObject } = {}): StoredEvent => ({
  seq: 10,
  prevSeq: null,
  time: new Date('2025-03-01T10:00:00.123Z'),
  type: 'ADDED',
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  kind: 'Deployment',
  namespace: 'shop',
  name: 'web',
  uid: 'u-1',
  object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, spec: { replicas: 2 } },
  provenance: { actor: { user: 'alice', uid: 'u-alice', groups: ['dev'] }, verb: 'create', requestId: 'req-1', userAgent: 'kubectl/v1.32', fieldManager: 'kubectl-client-side-apply' },
  ...over,
});

describe('history events', () => {
  it('carry the reference, the provenance and the change', () => {
    const h = toHistoryEvent(event({ provenance: { actor: { user: 'bob', groups: [] }, verb: 'update', causeSeq: 7, subresource: 'status' } }), undefined);
    expect(h).toMatchObject({
      kind: 'HistoryEvent',
      apiVersion: 'logbook.io/v1',
      metadata: { name: '10', namespace: 'shop', resourceVersion: '10', creationTimestamp: '2025-03-01T10:00:00Z' },
      time: '2025-03-01T10:00:00.123Z',
      objectRef: { apiGroup: 'apps', apiVersion: 'apps/v1', resource: 'deployments', kind: 'Deployment', namespace: 'shop', name: 'web', uid: 'u-1', resourceVersion: '10' },
      actor: { username: 'bob', groups: [] },
      verb: 'update',
      subresource: 'status',
      causeSeq: 7,
      change: { summary: ['created'] },
    });
    expect(h.object).toBeUndefined();
    expect(toHistoryEvent(event(), undefined, { withObject: true }).object).toEqual(event().object);
  });

  it('say when the previous version is gone, and what a deletion changed', () => {
    const modified = event({ type: 'MODIFIED', prevSeq: 5 });
    expect(changeOf(modified, { compacted: true })).toEqual({ summary: ['(previous version compacted)'], previousCompacted: true });
    const prev = { ...event().object, metadata: { name: 'web' } };
    const deleted = event({ type: 'DELETED', prevSeq: 5, object: { ...prev, metadata: { name: 'web', deletionTimestamp: '2025-03-01T10:00:00Z' } } });
    expect(changeOf(deleted, { object: prev }).summary).toEqual(['deleted', 'metadata.deletionTimestamp: (none) → 2025-03-01T10:00:00Z']);
  });

  it('render as a Table with the namespace, cause and manager only in the wide columns', () => {
    const t = historyTable([toHistoryEvent(event(), undefined)], { includeObject: 'Metadata', listMeta: { resourceVersion: '12', continue: 'x' } });
    expect(t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name)).toEqual(['RV', 'Time', 'Type', 'Kind', 'Name', 'Actor', 'Verb', 'Change']);
    expect(t.rows[0].cells).toEqual([10, '2025-03-01T10:00:00Z', 'ADDED', 'Deployment', 'shop', 'web', 'alice', 'create', 'created', '<none>', 'kubectl-client-side-apply', 'u-1']);
    expect(t.rows[0].object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: expect.objectContaining({ namespace: 'shop', name: '10' }) });
    expect(t.metadata).toEqual({ resourceVersion: '12', continue: 'x' });
    expect(historyTable([], { includeObject: 'None', noHeaders: true }).columnDefinitions).toEqual([]);
  });
});

describe('history queries', () => {
  const now = new Date('2025-03-02T00:00:00Z');
  const filter = (q: string, ns?: string) => parseHistoryFilter(new URLSearchParams(q), ns, defaultScheme, now);

  it('read the filters from parameters and from a field selector, resolving resources as kubectl does', () => {
    expect(filter('resource=deploy&name=web&actor=alice&verb=patch&fromResourceVersion=3&toResourceVersion=9', 'shop')).toEqual({
      namespace: 'shop',
      group: 'apps',
      resource: 'deployments',
      name: 'web',
      actor: 'alice',
      verb: 'patch',
      fromSeq: 3,
      toSeq: 9,
    });
    expect(filter(`fieldSelector=${encodeURIComponent('kind=Pod,objectRef.name==x,actor.username=bob,metadata.name=42')}`)).toEqual({ kind: 'Pod', name: 'x', actor: 'bob', fromSeq: 42, toSeq: 42 });
    expect(() => filter('fieldSelector=kind!%3DPod')).toThrow(/only equality/);
    expect(() => filter('fieldSelector=spec.replicas%3D3')).toThrow(/not a known field selector/);
    expect(resolveResource(defaultScheme, 'deployments.apps')).toEqual({ group: 'apps', resource: 'deployments', kind: 'Deployment' });
    expect(resolveResource(defaultScheme, 'po')).toEqual({ group: '', resource: 'pods', kind: 'Pod' });
    expect(() => resolveResource(defaultScheme, 'frobs')).toThrow(ApiError);
  });

  it('match events by type, labels and every other filter', () => {
    const f = filter('type=modified&labelSelector=app%3Dweb&kind=Deployment', 'shop');
    const match = eventMatches(f);
    expect(match(event({ type: 'MODIFIED' }))).toBe(true);
    expect(match(event({ type: 'ADDED' }))).toBe(false);
    expect(match(event({ type: 'MODIFIED', namespace: 'other' }))).toBe(false);
    expect(match(event({ type: 'MODIFIED', object: { metadata: { name: 'web', labels: { app: 'db' } } } }))).toBe(false);
    expect(() => filter('type=CHANGED')).toThrow(/supported values/);
    expect(() => filter('labelSelector=%3D%3D')).toThrow(ApiError);
  });

  it('read times as RFC 3339 or as a duration before now', () => {
    expect(parseTime('since', '2025-03-01T10:00:00Z')).toEqual(new Date('2025-03-01T10:00:00Z'));
    expect(parseTime('since', '2025-03-01T12:00:00.5+02:00')).toEqual(new Date('2025-03-01T10:00:00.500Z'));
    expect(parseTime('since', new URLSearchParams('t=2025-03-01T12:00:00+02:00').get('t')!)).toEqual(new Date('2025-03-01T10:00:00Z'));
    expect(parseTime('since', '2h', now)).toEqual(new Date('2025-03-01T22:00:00Z'));
    expect(parseTime('since', '7d', now)).toEqual(new Date('2025-02-23T00:00:00Z'));
    expect(() => parseTime('since', 'yesterday')).toThrow(/since: invalid time "yesterday"/);
    expect(() => parseTime('until', '2025-13-45T99:00:00Z')).toThrow(ApiError);
  });
});

describe('audit events', () => {
  it('rebuild the request URI and status code of each kind of write', () => {
    const e = (verb: string, over: Partial<StoredEvent> = {}) => event({ provenance: { actor: { user: 'a' }, verb }, ...over });
    expect(requestURI(e('create'))).toBe('/apis/apps/v1/namespaces/shop/deployments');
    expect(requestURI(e('patch'))).toBe('/apis/apps/v1/namespaces/shop/deployments/web');
    expect(requestURI(e('deletecollection', { type: 'DELETED' }))).toBe('/apis/apps/v1/namespaces/shop/deployments');
    expect(requestURI(event({ group: '', version: 'v1', resource: 'pods', namespace: 'shop', name: 'p', provenance: { actor: { user: 'a' }, verb: 'create', subresource: 'binding' } }))).toBe('/api/v1/namespaces/shop/pods/p/binding');
    expect(requestURI(event({ group: '', version: 'v1', resource: 'nodes', namespace: '', name: 'n1', provenance: { actor: { user: 'a' }, verb: 'update' } }))).toBe('/api/v1/nodes/n1');
    expect(responseCode(e('create'))).toBe(201);
    expect(responseCode(e('delete', { type: 'DELETED' }))).toBe(200);
    expect(responseCode(e('delete', { type: 'MODIFIED' }))).toBe(202);
    expect(responseCode(e('update'))).toBe(200);
    expect(microTime(new Date('2025-03-01T10:00:00.123Z'))).toBe('2025-03-01T10:00:00.123000Z');
  });

  it('are audit.k8s.io/v1 Events with the user, the object reference and the redacted response', () => {
    const secret = event({
      group: '',
      version: 'v1',
      resource: 'secrets',
      kind: 'Secret',
      name: 's',
      object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'shop' }, data: { password: 'aHVudGVyMg==' } },
    });
    const a = toAuditEvent(secret);
    expect(a).toMatchObject({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'RequestResponse',
      auditID: 'req-1',
      stage: 'ResponseComplete',
      requestURI: '/api/v1/namespaces/shop/secrets',
      verb: 'create',
      user: { username: 'alice', uid: 'u-alice', groups: ['dev'] },
      userAgent: 'kubectl/v1.32',
      objectRef: { resource: 'secrets', namespace: 'shop', name: 's', uid: 'u-1', apiVersion: 'v1', resourceVersion: '10' },
      responseStatus: { code: 201 },
      responseObject: { data: { password: '' } },
      annotations: { 'logbook.io/seq': '10', 'logbook.io/event-type': 'ADDED', 'logbook.io/field-manager': 'kubectl-client-side-apply' },
    });
    expect(a.objectRef.apiGroup).toBeUndefined();
    expect(JSON.stringify(a)).not.toContain('aHVudGVyMg');
    expect(toAuditEvent(event({ provenance: { actor: { user: 'x' }, verb: 'create' } })).auditID).toBe('logbook-seq-10');
  });
});

describe('state summaries', () => {
  it('say what a workload wanted and had, and which images', () => {
    expect(summarize('Deployment', { spec: { replicas: 3, template: { spec: { containers: [{ image: 'kubia:v2' }] } } }, status: { updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, conditions: [{ type: 'Progressing', reason: 'ReplicaSetUpdated' }] } }).text).toBe(
      'replicas 3, updated 2, ready 2, available 2, ReplicaSetUpdated, image kubia:v2',
    );
    expect(summarize('ReplicaSet', { spec: { replicas: 2, template: { spec: { containers: [{ image: 'a' }, { image: 'b' }] } } }, status: { replicas: 2, readyReplicas: 1 } })).toEqual({
      text: 'replicas 2, current 2, ready 1, available 0, images a,b',
      fields: { replicas: 2, currentReplicas: 2, readyReplicas: 1, availableReplicas: 0, images: 'a,b' },
    });
    expect(
      summarize('Pod', {
        metadata: { deletionTimestamp: 'x' },
        spec: { nodeName: 'n1', containers: [{ image: 'kubia:v3' }] },
        status: { phase: 'Running', containerStatuses: [{ ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
      }).text,
    ).toBe('phase Running, ready 0/1, node n1, restarts 4, waiting CrashLoopBackOff, terminating, image kubia:v3');
    expect(summarize('Job', { spec: { completions: 5 }, status: { succeeded: 2, active: 1 } }).text).toBe('completions 2/5, active 1, failed 0');
    expect(summarize('ConfigMap', { metadata: {} }).text).toBe('');
    expect(summarize('Widget', { metadata: { generation: 4 } }).text).toBe('generation 4');
  });

  it('attribute an uncaused write to the controlling owner', () => {
    const owned = (refs: unknown[]) => event({ object: { metadata: { name: 'p', ownerReferences: refs } } });
    expect(attributedOwner(owned([{ uid: 'a' }, { uid: 'b', controller: true }]))).toBe('b');
    expect(attributedOwner(owned([{ uid: 'a' }]))).toBe('a');
    expect(attributedOwner(owned([]))).toBeUndefined();
  });
});
