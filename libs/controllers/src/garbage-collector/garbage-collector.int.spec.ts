import type { ConfigMap, ReplicaSet } from '@logbook/api';
import { ControllerManager, customKind, kinds, KubeClient, KubeObject } from '@logbook/sdk';
import { eventually, startTestApiServer, TestApiServer } from '@logbook/sdk/testing';
import { Subscription } from 'rxjs';
import { GarbageCollector } from '.';
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

const ownedBy = (owner: KubeObject, block = false) => ({
  apiVersion: owner.apiVersion!,
  kind: owner.kind!,
  name: owner.metadata!.name!,
  uid: owner.metadata!.uid!,
  ...(block ? { blockOwnerDeletion: true } : {}),
});

describe('garbage collector', () => {
  let server: TestApiServer;
  let client: KubeClient;
  let manager: ControllerManager;
  let gc: GarbageCollector;
  let unfollow: () => Promise<void>;
  let n = 0;

  beforeAll(async () => {
    server = await startTestApiServer();
    client = server.client;
    manager = new ControllerManager({ client });
    manager.add(new ReplicaSetReconciler(manager.informers));
    gc = new GarbageCollector(client, manager.informers, { discoveryIntervalMs: 2000 });
    await manager.start();
    unfollow = runWhileLeading(manager, gc);
    await eventually(() => gc.isRunning && gc.monitoredKinds().length > 10, { what: 'the collector running', timeoutMs: 30_000 });
  });
  afterAll(async () => {
    await unfollow?.();
    await manager?.stop();
    await server?.stop();
  });

  async function freshNamespace(): Promise<string> {
    const name = `gc-test-${++n}`;
    await client.create(kinds.Namespace, { metadata: { name } });
    return name;
  }
  const cm = (namespace: string, name: string, owners: ReturnType<typeof ownedBy>[] = []): ConfigMap => ({
    metadata: { name, namespace, ...(owners.length ? { ownerReferences: owners } : {}) },
    data: { k: name },
  });
  const gone = (kind: typeof kinds.ConfigMap | typeof kinds.Pod | typeof kinds.ReplicaSet, namespace: string, name: string) =>
    (client.get(kind as typeof kinds.ConfigMap, { namespace, name }) as Promise<unknown>).then(() => false, () => true);

  /** Records the order in which objects of a namespace are deleted. */
  function deletions(namespace: string, kind: typeof kinds.ConfigMap | typeof kinds.Pod): { names: string[]; sub: Subscription } {
    const names: string[] = [];
    const sub = client.watch(kind as typeof kinds.ConfigMap, { namespace }).subscribe((e) => {
      if (e.type === 'DELETED') names.push(e.object.metadata!.name!);
    });
    return { names, sub };
  }

  it('watches every collectable kind the server serves, not events', () => {
    const watched = gc.monitoredKinds();
    for (const k of ['pods', 'replicasets.apps', 'replicationcontrollers', 'deployments.apps', 'daemonsets.apps', 'statefulsets.apps', 'jobs.batch', 'cronjobs.batch', 'controllerrevisions.apps', 'endpoints', 'configmaps', 'services', 'persistentvolumeclaims']) {
      expect(watched).toContain(k);
    }
    expect(watched).not.toContain('events');
  });

  it('background: deleting a ReplicaSet deletes its pods after it', async () => {
    const ns = await freshNamespace();
    await client.create(kinds.ReplicaSet, rs('bg', ns, 3));
    await eventually(async () => (await client.list(kinds.Pod, { namespace: ns })).items.length === 3, { what: '3 pods' });
    await client.delete(kinds.ReplicaSet, { namespace: ns, name: 'bg' }, { propagationPolicy: 'Background' });
    await eventually(async () => (await client.list(kinds.Pod, { namespace: ns })).items.length === 0, { what: 'the pods collected' });
  });

  it('foreground: the dependents go first, then the owner', async () => {
    const ns = await freshNamespace();
    await client.create(kinds.ReplicaSet, rs('fg', ns, 3));
    await eventually(async () => (await client.list(kinds.Pod, { namespace: ns })).items.length === 3, { what: '3 pods' });
    const order: string[] = [];
    const subs = [kinds.Pod, kinds.ReplicaSet].map((k) =>
      client.watch(k as typeof kinds.Pod, { namespace: ns }).subscribe((e) => {
        if (e.type === 'DELETED') order.push(`${e.object.kind}/${e.object.metadata!.name}`);
      }),
    );
    try {
      await new Promise((r) => setTimeout(r, 200));
      const marked = await client.delete(kinds.ReplicaSet, { namespace: ns, name: 'fg' }, { propagationPolicy: 'Foreground' });
      expect(marked.metadata?.finalizers).toContain('foregroundDeletion');
      await eventually(() => order.includes('ReplicaSet/fg'), { what: 'the ReplicaSet deleted', timeoutMs: 20_000 });
      expect(order).toHaveLength(4);
      expect(order[3]).toBe('ReplicaSet/fg');
      expect(order.slice(0, 3).every((x) => x.startsWith('Pod/fg-'))).toBe(true);
    } finally {
      subs.forEach((s) => s.unsubscribe());
    }
  });

  it('foreground through a chain of blocking dependents: deepest first', async () => {
    const ns = await freshNamespace();
    const a = await client.create(kinds.ConfigMap, cm(ns, 'a'));
    const b = await client.create(kinds.ConfigMap, cm(ns, 'b', [ownedBy(a, true)]));
    await client.create(kinds.ConfigMap, cm(ns, 'c', [ownedBy(b, true)]));
    await client.create(kinds.ConfigMap, cm(ns, 'loose', [ownedBy(a)]));
    const seen = deletions(ns, kinds.ConfigMap);
    try {
      await new Promise((r) => setTimeout(r, 200));
      await client.delete(kinds.ConfigMap, { namespace: ns, name: 'a' }, { propagationPolicy: 'Foreground' });
      await eventually(() => seen.names.includes('a'), { what: 'a deleted', timeoutMs: 20_000 });
      expect(seen.names.indexOf('c')).toBeLessThan(seen.names.indexOf('b'));
      expect(seen.names.indexOf('b')).toBeLessThan(seen.names.indexOf('a'));
      await eventually(() => gone(kinds.ConfigMap, ns, 'loose'), { what: 'the non-blocking dependent collected too' });
    } finally {
      seen.sub.unsubscribe();
    }
  });

  it('orphan: dependents lose the reference and stay; the owner goes', async () => {
    const ns = await freshNamespace();
    await client.create(kinds.ReplicaSet, rs('or', ns, 2));
    await eventually(async () => (await client.list(kinds.Pod, { namespace: ns })).items.length === 2, { what: '2 pods' });
    await client.delete(kinds.ReplicaSet, { namespace: ns, name: 'or' }, { propagationPolicy: 'Orphan' });
    await eventually(() => gone(kinds.ReplicaSet, ns, 'or'), { what: 'the ReplicaSet gone' });
    const pods = (await client.list(kinds.Pod, { namespace: ns })).items;
    expect(pods).toHaveLength(2);
    for (const p of pods) expect(p.metadata?.ownerReferences).toBeUndefined();
  });

  it('verifies owners by uid: an owner re-created under the same name is another owner', async () => {
    const ns = await freshNamespace();
    const first = await client.create(kinds.ConfigMap, cm(ns, 'owner'));
    await client.delete(kinds.ConfigMap, { namespace: ns, name: 'owner' });
    const second = await client.create(kinds.ConfigMap, cm(ns, 'owner'));
    await client.create(kinds.ConfigMap, cm(ns, 'of-first', [ownedBy(first)]));
    await client.create(kinds.ConfigMap, cm(ns, 'of-second', [ownedBy(second)]));
    await eventually(() => gone(kinds.ConfigMap, ns, 'of-first'), { what: 'the dependent of the old owner collected' });
    await new Promise((r) => setTimeout(r, 500));
    expect(await gone(kinds.ConfigMap, ns, 'of-second')).toBe(false);
  });

  it('keeps a dependent with a remaining owner, dropping the reference to the gone one', async () => {
    const ns = await freshNamespace();
    const x = await client.create(kinds.ConfigMap, cm(ns, 'x'));
    const y = await client.create(kinds.ConfigMap, cm(ns, 'y'));
    await client.create(kinds.ConfigMap, cm(ns, 'shared', [ownedBy(x), ownedBy(y)]));
    await client.delete(kinds.ConfigMap, { namespace: ns, name: 'x' });
    await eventually(async () => {
      const refs = (await client.get(kinds.ConfigMap, { namespace: ns, name: 'shared' })).metadata?.ownerReferences ?? [];
      return refs.length === 1 && refs[0].uid === y.metadata!.uid;
    }, { what: 'the reference to x removed' });
    await client.delete(kinds.ConfigMap, { namespace: ns, name: 'y' });
    await eventually(() => gone(kinds.ConfigMap, ns, 'shared'), { what: 'collected once its last owner went' });
  });

  it('collects through custom resources that appear at run time', async () => {
    const ns = await freshNamespace();
    await client.create(kinds.CustomResourceDefinition, {
      metadata: { name: 'gadgets.example.com' },
      spec: {
        group: 'example.com',
        names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
        scope: 'Namespaced',
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    } as never);
    const gadgets = customKind({ group: 'example.com', version: 'v1', kind: 'Gadget', plural: 'gadgets', namespaced: true });
    await eventually(() => gc.monitoredKinds().includes('gadgets.example.com'), { what: 'gadgets watched', timeoutMs: 20_000 });
    const g = await eventually(() => client.create(gadgets, { metadata: { name: 'g1', namespace: ns }, spec: {} } as KubeObject).catch(() => undefined), { what: 'a Gadget' });
    await client.create(kinds.ConfigMap, cm(ns, 'of-gadget', [ownedBy(g)]));
    const owner = await client.create(kinds.ConfigMap, cm(ns, 'gadget-owner'));
    await client.create(gadgets, { metadata: { name: 'g2', namespace: ns, ownerReferences: [ownedBy(owner)] }, spec: {} } as KubeObject);
    await client.delete(gadgets, { namespace: ns, name: 'g1' });
    await eventually(() => gone(kinds.ConfigMap, ns, 'of-gadget'), { what: 'the ConfigMap of a Gadget collected' });
    await client.delete(kinds.ConfigMap, { namespace: ns, name: 'gadget-owner' });
    await eventually(() => client.get(gadgets, { namespace: ns, name: 'g2' }).then(() => false, () => true), { what: 'the Gadget of a ConfigMap collected' });
  });
});
