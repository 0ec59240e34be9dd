/**
 * The ReplicaSet controller, the garbage collector and the namespace
 * controller on a simulated cluster: a scheduler binds pods to nodes,
 * simulated kubelets run them (Running, Ready) and terminate them
 * gracefully when deleted.
 */
import type { Pod, ReplicaSet } from '@logbook/api';
import { ControllerManager, kinds } from '@logbook/sdk';
import { GarbageCollector } from '../garbage-collector';
import { NamespaceReconciler } from '../namespace';
import { runWhileLeading } from '../shared';
import { aNode, aPod, aReplicaSet, eventually, isPodReady, SimulatedCluster, startSimulatedCluster } from '../testing';
import { ReplicaSetReconciler, ReplicationControllerReconciler } from '.';

jest.setTimeout(120_000);

describe('ReplicaSets on a simulated cluster', () => {
  let cluster: SimulatedCluster;
  let manager: ControllerManager;
  let unfollow: () => Promise<void>;

  beforeAll(async () => {
    cluster = await startSimulatedCluster({ nodes: [aNode('node-a'), aNode('node-b')] });
    manager = new ControllerManager({ server: cluster.url, userAgent: 'controllers-under-test' });
    manager.add(new ReplicaSetReconciler(manager.informers));
    manager.add(new ReplicationControllerReconciler(manager.informers));
    manager.add(new NamespaceReconciler());
    await manager.start();
    unfollow = runWhileLeading(manager, new GarbageCollector(manager.client, manager.informers));
  });
  afterAll(async () => {
    await unfollow?.();
    await manager?.stop();
    await cluster?.stop();
  });

  const client = () => cluster.client;
  const pods = async (ns: string, app: string) => (await client().list(kinds.Pod, { namespace: ns, labelSelector: `app=${app}` })).items;
  const status = async (ns: string, name: string) => (await client().get(kinds.ReplicaSet, { namespace: ns, name })).status;

  it("runs the seed's ReplicaSet (matchExpressions) to 3 Ready, available replicas", async () => {
    const seed: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'kubia', namespace: 'default' },
      spec: {
        replicas: 3,
        selector: {
          matchLabels: { app: 'kubia' },
          matchExpressions: [
            { key: 'app', operator: 'In', values: ['kubia', 'kubia-v2'] },
            { key: 'app', operator: 'NotIn', values: ['KUBIA'] },
            { key: 'env', operator: 'Exists' },
            { key: 'ENV', operator: 'DoesNotExist' },
          ],
        },
        template: {
          metadata: { labels: { app: 'kubia', env: 'env_exists' } },
          spec: { containers: [{ name: 'kubia', image: 'yinzige/kubia', ports: [{ protocol: 'TCP', containerPort: 8080 }] }] },
        },
      },
    };
    await client().create(kinds.ReplicaSet, seed);
    await eventually(async () => {
      const s = await status('default', 'kubia');
      return s?.replicas === 3 && s.readyReplicas === 3 && s.availableReplicas === 3 && s.fullyLabeledReplicas === 3;
    }, { what: '3 ready and available replicas', timeoutMs: 30_000 });
    const running = await pods('default', 'kubia');
    expect(running.every((p) => isPodReady(p) && !!p.spec?.nodeName)).toBe(true);
    // Spread over both nodes by the scheduler.
    expect(new Set(running.map((p) => p.spec!.nodeName)).size).toBe(2);
  });

  it('replaces a running pod deleted by hand (graceful termination on its node)', async () => {
    const [victim] = await pods('default', 'kubia');
    await client().delete(kinds.Pod, { namespace: 'default', name: victim.metadata!.name! });
    await eventually(async () => {
      const now = await pods('default', 'kubia');
      return now.length === 3 && now.every(isPodReady) && !now.some((p) => p.metadata!.uid === victim.metadata!.uid);
    }, { what: 'three Ready pods, the deleted one gone', timeoutMs: 30_000 });
    await eventually(async () => (await status('default', 'kubia'))?.readyReplicas === 3, { what: 'readyReplicas 3 again' });
  });

  it('scaling down removes an unscheduled (Pending) pod before running ones', async () => {
    await client().create(kinds.ReplicaSet, aReplicaSet('web').withReplicas(2).build());
    await eventually(async () => (await status('default', 'web'))?.readyReplicas === 2, { what: '2 ready', timeoutMs: 30_000 });
    // An orphan that matches but can never be scheduled: adopted, then the first to go.
    await client().create(kinds.Pod, aPod('web-stuck').withLabels({ app: 'web' }).withNodeSelector({ gpu: 'true' }).build());
    await eventually(async () => client().get(kinds.Pod, { namespace: 'default', name: 'web-stuck' }).then(() => false, () => true), {
      what: 'the Pending pod deleted',
      timeoutMs: 30_000,
    });
    const left: Pod[] = await pods('default', 'web');
    expect(left).toHaveLength(2);
    expect(left.every(isPodReady)).toBe(true);
  });

  it('foreground deletion waits until the running pods have terminated', async () => {
    await client().create(kinds.ReplicaSet, aReplicaSet('fg').withReplicas(2).withTerminationGracePeriod(1).build());
    await eventually(async () => (await status('default', 'fg'))?.readyReplicas === 2, { what: '2 ready', timeoutMs: 30_000 });
    await client().delete(kinds.ReplicaSet, { namespace: 'default', name: 'fg' }, { propagationPolicy: 'Foreground' });
    // While a pod still exists (terminating on its node), the ReplicaSet does too.
    for (const deadline = Date.now() + 30_000; ; ) {
      if (Date.now() > deadline) throw new Error('the ReplicaSet was not deleted within 30 s');
      const left = await pods('default', 'fg');
      const rs = await client().get(kinds.ReplicaSet, { namespace: 'default', name: 'fg' }).catch(() => undefined);
      if (left.length > 0) expect(rs).toBeDefined();
      if (!rs) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await pods('default', 'fg')).toEqual([]);
  });

  it('deleting a namespace with running pods empties it, then removes it', async () => {
    await client().create(kinds.Namespace, { metadata: { name: 'shop' } });
    await client().create(kinds.ReplicaSet, aReplicaSet('cart').inNamespace('shop').withReplicas(3).build());
    await eventually(async () => (await status('shop', 'cart'))?.readyReplicas === 3, { what: '3 ready in shop', timeoutMs: 30_000 });
    await client().delete(kinds.Namespace, { name: 'shop' });
    await eventually(async () => client().get(kinds.Namespace, { name: 'shop' }).then(() => false, () => true), { what: 'shop gone', timeoutMs: 60_000 });
    expect(await pods('shop', 'cart')).toEqual([]);
  });
});
