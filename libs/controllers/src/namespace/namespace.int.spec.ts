import type { Namespace, ReplicaSet } from '@logbook/api';
import { ControllerManager, customKind, kinds, KubeClient, KubeObject } from '@logbook/sdk';
import { eventually, startTestApiServer, TestApiServer } from '@logbook/sdk/testing';
import { NamespaceReconciler } from '.';
import { GarbageCollector } from '../garbage-collector';
import { ReplicaSetReconciler } from '../replicaset';
import { runWhileLeading } from '../shared';

jest.setTimeout(120_000);

const rs = (name: string, namespace: string, replicas: number): ReplicaSet => ({
  metadata: { name, namespace },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'luksa/kubia' }] } },
  },
});

describe('namespace controller', () => {
  let server: TestApiServer;
  let client: KubeClient;
  let manager: ControllerManager;
  let unfollow: () => Promise<void>;

  beforeAll(async () => {
    server = await startTestApiServer();
    client = server.client;
    manager = new ControllerManager({ client });
    manager.add(new NamespaceReconciler());
    manager.add(new ReplicaSetReconciler(manager.informers));
    await manager.start();
    unfollow = runWhileLeading(manager, new GarbageCollector(client, manager.informers));
  });
  afterAll(async () => {
    await unfollow?.();
    await manager?.stop();
    await server?.stop();
  });

  const nsGone = (name: string) => client.get(kinds.Namespace, { name }).then(() => false, () => true);
  const condition = (ns: Namespace | undefined, type: string) => ns?.status?.conditions?.find((c) => c.type === type);

  it('deletes everything in a deleted namespace, custom resources included, then the namespace', async () => {
    await client.create(kinds.Namespace, { metadata: { name: 'doomed' } });
    await client.create(kinds.ReplicaSet, rs('kubia', 'doomed', 3));
    await client.create(kinds.ConfigMap, { metadata: { name: 'settings', namespace: 'doomed' }, data: { a: '1' } });
    await client.create(kinds.Service, { metadata: { name: 'kubia', namespace: 'doomed' }, spec: { selector: { app: 'kubia' }, ports: [{ port: 80 }] } });
    await client.create(kinds.CustomResourceDefinition, {
      metadata: { name: 'notes.example.com' },
      spec: {
        group: 'example.com',
        names: { plural: 'notes', singular: 'note', kind: 'Note' },
        scope: 'Namespaced',
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    } as never);
    const notes = customKind({ group: 'example.com', version: 'v1', kind: 'Note', plural: 'notes', namespaced: true });
    await eventually(() => client.create(notes, { metadata: { name: 'n1', namespace: 'doomed' } } as KubeObject).catch(() => undefined), { what: 'a Note' });
    await eventually(async () => (await client.list(kinds.Pod, { namespace: 'doomed' })).items.length === 3, { what: '3 pods' });

    await client.delete(kinds.Namespace, { name: 'doomed' });
    const terminating = await client.get(kinds.Namespace, { name: 'doomed' });
    expect(terminating.status?.phase).toBe('Terminating');
    expect(terminating.spec?.finalizers).toEqual(['kubernetes']);

    await eventually(() => nsGone('doomed'), { what: 'the namespace gone', timeoutMs: 30_000 });
    for (const k of [kinds.Pod, kinds.ReplicaSet, kinds.ConfigMap, kinds.Service] as const) {
      expect((await client.list(k as typeof kinds.Pod, { namespace: 'doomed' })).items).toEqual([]);
    }
    expect((await client.list(notes, { namespace: 'doomed' })).items).toEqual([]);
    // A namespace of that name can be created again, empty.
    await client.create(kinds.Namespace, { metadata: { name: 'doomed' } });
    expect((await client.list(kinds.ConfigMap, { namespace: 'doomed' })).items).toEqual([]);
  });

  it('waits for content held by a finalizer, saying so in its conditions', async () => {
    await client.create(kinds.Namespace, { metadata: { name: 'held' } });
    await client.create(kinds.ConfigMap, { metadata: { name: 'kept', namespace: 'held', finalizers: ['example.com/hold'] } });
    await client.delete(kinds.Namespace, { name: 'held' });
    const ns = await eventually(async () => {
      const n = await client.get(kinds.Namespace, { name: 'held' });
      return condition(n, 'NamespaceFinalizersRemaining')?.status === 'True' ? n : undefined;
    }, { what: 'NamespaceFinalizersRemaining' });
    expect(condition(ns, 'NamespaceFinalizersRemaining')?.message).toBe('Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances');
    expect(condition(ns, 'NamespaceContentRemaining')).toMatchObject({ status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: configmaps. has 1 resource instances' });
    expect(condition(ns, 'NamespaceDeletionDiscoveryFailure')).toMatchObject({ status: 'False', reason: 'ResourcesDiscovered' });
    expect(condition(ns, 'NamespaceDeletionContentFailure')).toMatchObject({ status: 'False', reason: 'ContentDeleted' });
    const kept = await client.get(kinds.ConfigMap, { namespace: 'held', name: 'kept' });
    expect(kept.metadata?.deletionTimestamp).toBeTruthy();

    await client.patch(kinds.ConfigMap, { namespace: 'held', name: 'kept' }, { metadata: { finalizers: null } }, { type: 'merge' });
    await eventually(() => nsGone('held'), { what: 'the namespace gone once the finalizer is', timeoutMs: 30_000 });
  });
});
