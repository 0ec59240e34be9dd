import type { ConfigMap, Deployment } from '@logbook/api';
import { kinds, KubeObject, ListOptions, ListResult, ResourceKind } from '../client';
import { PastReader, PastState } from './past-state';
import { ReplayClient } from './replay-client';
import { WriteSimulator } from './would-be-write';

/** The past as a fixed set of objects (what the API server's Exact list returns), paged to check paging. */
class FixedPast implements PastReader {
  readonly calls: ListOptions[] = [];
  constructor(private readonly objects: KubeObject[]) {}
  async list<T>(kind: ResourceKind<T>, opts: ListOptions): Promise<ListResult<T>> {
    this.calls.push(opts);
    const all = this.objects.filter((o) => o.kind === kind.kind);
    const from = opts.continue ? Number(opts.continue) : 0;
    const page = all.slice(from, from + 1);
    return { items: page as T[], resourceVersion: '50', continue: from + 1 < all.length ? String(from + 1) : undefined };
  }
}

const deployment = (): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '40', generation: 2, finalizers: ['example.com/keep'] },
  spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.24' }] } } },
  status: { replicas: 1, observedGeneration: 2 },
});
const configMap = (name: string): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', uid: `u-${name}`, resourceVersion: '30' }, data: { a: '1' } });

function setup() {
  const past = new FixedPast([deployment(), configMap('one'), configMap('two')]);
  const state = new PastState(past, '50');
  const sim = new WriteSimulator(state, () => new Date('2025-03-01T10:00:00Z'));
  return { past, state, sim, client: new ReplayClient(state, sim).withFieldManager('tester') };
}

describe('dry-run writes', () => {
  it('reads the past exactly at the resourceVersion, page by page', async () => {
    const { past, client } = setup();
    const list = await client.list(kinds.ConfigMap, { namespace: 'default' });
    expect(list.items.map((c) => c.metadata?.name)).toEqual(['one', 'two']);
    expect(past.calls).toEqual([
      { resourceVersion: '50', resourceVersionMatch: 'Exact', limit: 500 },
      { continue: '1', limit: 500 },
    ]);
    await expect(client.get(kinds.ConfigMap, { namespace: 'default', name: 'three' })).rejects.toMatchObject({ code: 404, reason: 'NotFound' });
  });

  it('a strategic merge patch of the spec: generation bumped, status untouched, diff readable, later reads see it', async () => {
    const { sim, client } = setup();
    const after = await client.patch(kinds.Deployment, { namespace: 'default', name: 'web' }, { spec: { replicas: 3, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } }, status: { replicas: 9 } }, { type: 'strategic' });
    expect(after.spec?.replicas).toBe(3);
    expect(after.spec?.template?.spec?.containers).toEqual([{ name: 'web', image: 'nginx:1.25' }]);
    expect(after.status).toEqual({ replicas: 1, observedGeneration: 2 });
    expect(after.metadata).toMatchObject({ generation: 3, resourceVersion: '51', uid: 'u1' });
    expect(sim.writes[0]).toMatchObject({ verb: 'patch', patchType: 'strategic', kind: 'Deployment', name: 'web', fieldManager: 'tester', changed: true });
    expect(sim.writes[0].diff.summary).toEqual(['spec.replicas: 1 → 3', 'spec.template.spec.containers[web].image: nginx:1.24 → nginx:1.25']);
    expect((await client.get(kinds.Deployment, { namespace: 'default', name: 'web' })).spec?.replicas).toBe(3);
  });

  it('updates: a stale resourceVersion conflicts, the status subresource changes only status, an unchanged write changes nothing', async () => {
    const { sim, client } = setup();
    const stale = { ...deployment(), metadata: { ...deployment().metadata, resourceVersion: '39' } };
    await expect(client.update(kinds.Deployment, stale)).rejects.toMatchObject({ code: 409, reason: 'Conflict' });
    expect(sim.writes[0].error).toMatch(/the object has been modified/);

    const d = deployment();
    d.spec!.replicas = 7;
    d.status = { replicas: 5, observedGeneration: 2 };
    const after = await client.updateStatus(kinds.Deployment, d);
    expect(after.spec?.replicas).toBe(1);
    expect(after.status?.replicas).toBe(5);
    expect(sim.writes[1]).toMatchObject({ verb: 'update', subresource: 'status', changed: true });

    await client.update(kinds.ConfigMap, configMap('one'));
    expect(sim.writes[2]).toMatchObject({ verb: 'update', kind: 'ConfigMap', changed: false, diff: { patch: [], summary: [] } });
  });

  it('creates with generateName, refuses a duplicate, deletes (finalizers only mark the object)', async () => {
    const { sim, client } = setup();
    const created = await client.create(kinds.ConfigMap, { metadata: { generateName: 'cm-', namespace: 'default' }, data: { b: '2' } });
    expect(created.metadata?.name).toMatch(/^cm-[a-z0-9]{5}$/);
    expect(created.metadata?.uid).toMatch(/^dry-run-/);
    expect(sim.writes[0].diff.summary).toEqual(['created']);
    await expect(client.create(kinds.ConfigMap, configMap('one'))).rejects.toMatchObject({ code: 409 });

    await client.delete(kinds.ConfigMap, { namespace: 'default', name: 'two' });
    expect((await client.list(kinds.ConfigMap, { namespace: 'default' })).items.map((c) => c.metadata?.name)).not.toContain('two');
    const marked = await client.delete(kinds.Deployment, { namespace: 'default', name: 'web' });
    expect(marked.metadata?.deletionTimestamp).toBe('2025-03-01T10:00:00Z');
    expect(sim.writes.slice(2).map((w) => [w.verb, w.kind, w.changed])).toEqual([
      ['delete', 'ConfigMap', true],
      ['delete', 'Deployment', true],
    ]);
  });

  it('server-side apply records the field manager; a watch never delivers', async () => {
    const { client } = setup();
    const applied = await client.apply(kinds.ConfigMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one', namespace: 'default' }, data: { c: '3' } }, { fieldManager: 'op', force: true });
    expect(applied.data).toEqual({ a: '1', c: '3' });
    expect(applied.metadata?.managedFields?.some((m) => m.manager === 'op' && m.operation === 'Apply')).toBe(true);
    let delivered = false;
    const sub = client.watch(kinds.ConfigMap).subscribe(() => (delivered = true));
    sub.unsubscribe();
    expect(delivered).toBe(false);
  });
});
