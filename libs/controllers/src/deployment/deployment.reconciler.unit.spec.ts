import type { Deployment, Pod, ReplicaSet } from '@logbook/api';
import { KubeObject, ResourceKind, Store, WatchMapContext } from '@logbook/sdk';
import { deploymentOfPod, deploymentsForOrphanReplicaSet, podGoneOrFinished } from './deployment.reconciler';
import { aDeployment, aReplicaSet } from './fixtures';

/** A map context over plain stores, as the controller's informers would give. */
function contextWith(objects: { deployments?: Deployment[]; replicaSets?: ReplicaSet[] }): WatchMapContext {
  const stores = new Map<string, Store<KubeObject>>([
    ['Deployment', new Store<KubeObject>()],
    ['ReplicaSet', new Store<KubeObject>()],
  ]);
  for (const d of objects.deployments ?? []) stores.get('Deployment')!.upsert(d);
  for (const rs of objects.replicaSets ?? []) stores.get('ReplicaSet')!.upsert(rs);
  return { lister: <T extends KubeObject>(kind: ResourceKind<T>) => stores.get(kind.kind) as unknown as Store<T> };
}

const podOf = (rs: ReplicaSet, extra: Partial<Pod['metadata']> = {}): Pod => ({
  metadata: {
    name: `${rs.metadata!.name}-abcde`,
    namespace: 'default',
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata!.name!, uid: rs.metadata!.uid!, controller: true }],
    ...extra,
  },
});

describe('what queues a Deployment', () => {
  it("maps a pod to the Deployment controlling its ReplicaSet (checked by uid)", () => {
    const rs = aReplicaSet('kubia-5b9f8f4d84').build();
    const ctx = contextWith({ replicaSets: [rs] });
    expect(deploymentOfPod(podOf(rs), ctx)).toEqual({ namespace: 'default', name: 'kubia' });
    const stale = podOf(rs);
    stale.metadata!.ownerReferences![0].uid = 'another-uid';
    expect(deploymentOfPod(stale, ctx)).toBeUndefined();
    expect(deploymentOfPod({ metadata: { name: 'bare', namespace: 'default' } }, ctx)).toBeUndefined();
    const orphanRS = aReplicaSet('lonely').build();
    orphanRS.metadata!.ownerReferences = [];
    expect(deploymentOfPod(podOf(orphanRS), contextWith({ replicaSets: [orphanRS] }))).toBeUndefined();
  });

  it('maps an orphaned ReplicaSet to the Deployments whose selector matches it; a controlled one to none', () => {
    const orphan = aReplicaSet('kubia-orphan').build();
    orphan.metadata!.ownerReferences = [];
    orphan.metadata!.labels = { app: 'kubia', 'pod-template-hash': 'x' };
    const kubia = aDeployment().build();
    const other = aDeployment().build();
    other.metadata!.name = 'other';
    other.spec!.selector = { matchLabels: { app: 'other' } };
    const everything = aDeployment().build();
    everything.metadata!.name = 'everything';
    everything.spec!.selector = {};
    const ctx = contextWith({ deployments: [kubia, other, everything] });
    expect(deploymentsForOrphanReplicaSet(orphan, ctx)).toEqual([{ namespace: 'default', name: 'kubia' }]);
    expect(deploymentsForOrphanReplicaSet(aReplicaSet('owned').build(), ctx)).toEqual([]);
  });

  it('passes pod events Recreate waits for: deletions and pods that just finished', () => {
    const running = { metadata: { name: 'p' }, status: { phase: 'Running' } } as Pod;
    const failed = { metadata: { name: 'p' }, status: { phase: 'Failed' } } as Pod;
    expect(podGoneOrFinished({ type: 'DELETED', object: running, finalStateUnknown: false })).toBe(true);
    expect(podGoneOrFinished({ type: 'UPDATED', oldObject: running, object: failed, resync: false })).toBe(true);
    expect(podGoneOrFinished({ type: 'UPDATED', oldObject: failed, object: failed, resync: true })).toBe(false);
    expect(podGoneOrFinished({ type: 'UPDATED', oldObject: running, object: running, resync: false })).toBe(false);
    expect(podGoneOrFinished({ type: 'ADDED', object: running, initialList: false })).toBe(false);
  });
});
