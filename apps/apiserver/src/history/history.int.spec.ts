import { defaultScheme } from '@logbook/api';
import { EventStore, KubeObject, Provenance } from '@logbook/event-store';
import { createTestDatabase, TestDatabase } from '../../../../libs/event-store/src/testing';
import { eventually } from '../../../../libs/event-store/src/testing/builders';
import { ResourceStore } from '../storage/resource-store';
import { ObjectValidator } from '../storage/validator';
import { HistoryApi } from './history.api';
import { Explainer } from './explain';
import { HistoryRenderer } from './renderer';

const configMaps = { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap' };
const controller = (causeSeq?: number): Provenance => ({ actor: { user: 'system:serviceaccount:kube-system:some-controller', groups: [] }, verb: 'create', causeSeq });
const cm = (name: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', ...extra }, data: {} });

describe('HistoryApi against Postgres', () => {
  let db: TestDatabase;
  let store: EventStore;
  let api: HistoryApi;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = await EventStore.open({ databaseUrl: db.url });
    api = new HistoryApi(store, new ResourceStore(store.log, defaultScheme, new ObjectValidator()));
  });
  afterAll(async () => {
    await api.stopRetention();
    await store.close();
    await db.drop();
  });

  it('says where a causal chain breaks: a cause not in the log, or a system write with neither cause nor owner', async () => {
    const explainer = new Explainer(api.queries, new HistoryRenderer(api.queries));
    const orphan = await store.log.append({ type: 'create', resourceType: configMaps, object: cm('orphan'), provenance: controller(999_999) });
    const lost = await explainer.explain(orphan);
    expect(lost.rootCause).toBeNull();
    expect(lost.incomplete).toBe(`cause 999999 of event ${orphan.seq} is not in the log (compacted, or never written)`);
    const silent = await store.log.append({ type: 'create', resourceType: configMaps, object: cm('silent'), provenance: controller() });
    expect((await explainer.explain(silent)).incomplete).toBe(`event ${silent.seq} by system:serviceaccount:kube-system:some-controller names no cause and has no owner`);
    const owned = await store.log.append({ type: 'create', resourceType: configMaps, object: cm('owned', { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'gone', uid: 'no-such-uid' }] }), provenance: controller() });
    expect((await explainer.explain(owned)).incomplete).toBe(`owner no-such-uid of event ${owned.seq} has no earlier event in the log`);
  });

  it('starts background compaction when the environment sets a retention policy, and not otherwise', async () => {
    const saved = { ...process.env };
    try {
      delete process.env.LOGBOOK_RETENTION_MAX_AGE;
      delete process.env.LOGBOOK_RETENTION_MAX_EVENTS;
      api.startRetention();
      await api.stopRetention();
      expect((await api.queries.bounds()).horizon).toBe(0);
      for (let i = 0; i < 4; i++) await store.log.append({ type: 'create', resourceType: configMaps, object: cm(`r-${i}`), provenance: { actor: { user: 'alice' }, verb: 'create' } });
      process.env.LOGBOOK_RETENTION_MAX_EVENTS = '2';
      api.startRetention();
      await eventually(async () => (await api.queries.bounds()).horizon > 0);
      const b = await api.queries.bounds();
      expect(b.horizon).toBe(b.seq - 2);
      await api.stopRetention();
    } finally {
      process.env = saved;
    }
  });
});
