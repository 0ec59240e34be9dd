import { aDeployment, aReplicaSet, template } from './fixtures';
import {
  byCreationTimestamp,
  bySizeNewer,
  bySizeOlder,
  equalIgnoreHash,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  isSaturated,
} from './replica-sets';

const names = (rss: Array<{ metadata?: { name?: string } } | undefined>) => rss.map((r) => r?.metadata?.name);

describe("a Deployment's ReplicaSets", () => {
  it('compares templates without the pod-template-hash label', () => {
    const withHash = template('luksa/kubia:v1');
    withHash.metadata!.labels!['pod-template-hash'] = '5b9f8f4d84';
    expect(equalIgnoreHash(withHash, template('luksa/kubia:v1'))).toBe(true);
    expect(equalIgnoreHash(withHash, template('luksa/kubia:v2'))).toBe(false);
    const noEnv = template('x');
    const emptyEnv = template('x');
    emptyEnv.spec!.containers[0].env = [];
    expect(equalIgnoreHash(noEnv, emptyEnv)).toBe(true);
  });

  it("finds the new ReplicaSet by template (the oldest of duplicates); every other one is old", () => {
    const d = aDeployment().image('luksa/kubia:v2').build();
    const v1 = aReplicaSet('v1').image('luksa/kubia:v1').createdAt('2024-01-01T00:00:00Z').build();
    const v2 = aReplicaSet('v2').image('luksa/kubia:v2').createdAt('2024-01-01T00:05:00Z').build();
    const v2dup = aReplicaSet('v2-dup').image('luksa/kubia:v2').createdAt('2024-01-01T00:09:00Z').build();
    expect(findNewReplicaSet(d, [v2dup, v1, v2])?.metadata?.name).toBe('v2');
    expect(names(findOldReplicaSets(d, [v2dup, v1, v2]))).toEqual(['v2-dup', 'v1']);
    expect(findNewReplicaSet(aDeployment().image('luksa/kubia:v3').build(), [v1, v2])).toBeUndefined();
  });

  it('orders by creation, breaking ties of whole seconds by revision, then by name', () => {
    const a = aReplicaSet('zz').revision(1).createdAt('2024-01-01T00:00:00Z').build();
    const b = aReplicaSet('aa').revision(2).createdAt('2024-01-01T00:00:00Z').build();
    const c = aReplicaSet('mm').revision(3).createdAt('2023-12-31T00:00:00Z').build();
    expect(names([a, b, c].sort(byCreationTimestamp))).toEqual(['mm', 'zz', 'aa']);
    const big = aReplicaSet('big').replicas(5).createdAt('2024-01-01T00:00:00Z').build();
    const oldSmall = aReplicaSet('old-small').replicas(2).createdAt('2024-01-01T00:00:00Z').build();
    const newSmall = aReplicaSet('new-small').replicas(2).createdAt('2024-01-02T00:00:00Z').build();
    expect(names([oldSmall, newSmall, big].sort(bySizeNewer))).toEqual(['big', 'new-small', 'old-small']);
    expect(names([newSmall, oldSmall, big].sort(bySizeOlder))).toEqual(['big', 'old-small', 'new-small']);
  });

  it('picks the one ReplicaSet to scale when at most one is active', () => {
    const newRS = aReplicaSet('new').createdAt('2024-01-03T00:00:00Z').build();
    const older = aReplicaSet('older').createdAt('2024-01-01T00:00:00Z').build();
    const old = aReplicaSet('old').createdAt('2024-01-02T00:00:00Z').build();
    expect(findActiveOrLatest(newRS, [older, old])?.metadata?.name).toBe('new');
    expect(findActiveOrLatest(undefined, [older, old])?.metadata?.name).toBe('old');
    const active = aReplicaSet('active').replicas(2).build();
    expect(findActiveOrLatest(newRS, [older, active])?.metadata?.name).toBe('active');
    expect(findActiveOrLatest(aReplicaSet('new').replicas(1).build(), [active])).toBeUndefined();
    expect(findActiveOrLatest(undefined, [])).toBeUndefined();
  });

  it('calls the new ReplicaSet saturated when it wants, was sized for and has all replicas available', () => {
    const d = aDeployment().replicas(3).build();
    expect(isSaturated(d, aReplicaSet('n').replicas(3).sizedFor(3, 4).build())).toBe(true);
    expect(isSaturated(d, aReplicaSet('n').replicas(3).available(2).sizedFor(3, 4).build())).toBe(false);
    expect(isSaturated(d, aReplicaSet('n').replicas(3).sizedFor(2, 3).build())).toBe(false);
    expect(isSaturated(d, aReplicaSet('n').replicas(3).build())).toBe(false);
    expect(isSaturated(d, undefined)).toBe(false);
  });
});
