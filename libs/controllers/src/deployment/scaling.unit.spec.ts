import { aDeployment, aReplicaSet } from './fixtures';
import { newRSNewReplicas, proportion, proportionalScalePlan, replicaSetFraction } from './scaling';

describe('newRSNewReplicas', () => {
  it('grows the new ReplicaSet up to spec.replicas + maxSurge pods in all', () => {
    const d = aDeployment().replicas(10).rollingUpdate(3, 2).build();
    const old = aReplicaSet('old').replicas(10).build();
    const fresh = aReplicaSet('new').build();
    expect(newRSNewReplicas(d, [old, fresh], fresh)).toBe(3);
    const half = aReplicaSet('new').replicas(5).build();
    expect(newRSNewReplicas(d, [aReplicaSet('old').replicas(5).build(), half], half)).toBe(8);
  });

  it('never past spec.replicas, and not at all when the surge is used up', () => {
    const d = aDeployment().replicas(3).rollingUpdate(3, 0).build();
    const fresh = aReplicaSet('new').replicas(1).build();
    expect(newRSNewReplicas(d, [aReplicaSet('old').replicas(1).build(), fresh], fresh)).toBe(3);
    const d2 = aDeployment().replicas(3).rollingUpdate(1, 0).build();
    const stuck = aReplicaSet('new').replicas(1).build();
    expect(newRSNewReplicas(d2, [aReplicaSet('old').replicas(3).build(), stuck], stuck)).toBe(1);
  });

  it('is spec.replicas for Recreate', () => {
    const d = aDeployment().replicas(4).recreate().build();
    const fresh = aReplicaSet('new').build();
    expect(newRSNewReplicas(d, [aReplicaSet('old').replicas(4).build(), fresh], fresh)).toBe(4);
  });
});

describe('proportional scaling', () => {
  it("estimates a ReplicaSet's share from the size it was annotated for", () => {
    // Was sized for 10+3=13 pods in all; the Deployment now allows 20+5=25.
    const d = aDeployment().replicas(20).rollingUpdate('25%', '25%').build();
    const rs = aReplicaSet('a').replicas(8).sizedFor(10, 13).build();
    expect(replicaSetFraction(rs, d)).toBe(Math.round((8 * 25) / 13) - 8);
    // Scaling to zero takes everything.
    expect(replicaSetFraction(rs, aDeployment().replicas(0).build())).toBe(-8);
  });

  it('bounds a share by what is left to add or remove', () => {
    const d = aDeployment().replicas(20).rollingUpdate('25%', '25%').build();
    const rs = aReplicaSet('a').replicas(8).sizedFor(10, 13).build();
    expect(proportion(rs, d, 12, 10)).toBe(2);
    expect(proportion(rs, d, 12, 12)).toBe(0);
    expect(proportion(aReplicaSet('empty').build(), d, 12, 0)).toBe(0);
    const down = aDeployment().replicas(5).rollingUpdate('25%', '25%').build();
    expect(proportion(rs, down, -6, -5)).toBe(-1);
  });

  it('spreads a scale-up over old and new ReplicaSets mid-rollout, keeping the total at replicas + maxSurge', () => {
    // 10 replicas, surge 3: old 8 + new 5 = 13; scaled to 20 (surge 5) → 25 in all.
    const d = aDeployment().replicas(20).rollingUpdate(5, 2).build();
    const old = aReplicaSet('old').replicas(8).sizedFor(10, 13).createdAt('2024-01-01T00:00:00Z').build();
    const fresh = aReplicaSet('new').replicas(5).sizedFor(10, 13).createdAt('2024-01-01T00:01:00Z').build();
    const plan = proportionalScalePlan(d, [old, fresh]);
    expect(plan.operation).toBe('up');
    const sizes = Object.fromEntries(plan.sizes.map((s) => [s.rs.metadata!.name, s.replicas]));
    expect(sizes.old + sizes.new).toBe(25);
    expect(sizes).toEqual({ old: 15, new: 10 });
  });

  it('spreads a scale-down, larger and older ones first, leftovers to the largest', () => {
    const d = aDeployment().replicas(5).rollingUpdate(1, 1).build();
    const old = aReplicaSet('old').replicas(6).sizedFor(10, 11).createdAt('2024-01-01T00:00:00Z').build();
    const fresh = aReplicaSet('new').replicas(5).sizedFor(10, 11).createdAt('2024-01-01T00:01:00Z').build();
    const plan = proportionalScalePlan(d, [fresh, old]);
    expect(plan.operation).toBe('down');
    expect(plan.sizes.map((s) => s.rs.metadata!.name)).toEqual(['old', 'new']);
    const total = plan.sizes.reduce((n, s) => n + s.replicas, 0);
    expect(total).toBe(6);
    expect(plan.sizes.every((s) => s.replicas >= 0)).toBe(true);
  });

  it('leaves sizes alone when the total already fits', () => {
    const d = aDeployment().replicas(10).rollingUpdate(3, 2).build();
    const plan = proportionalScalePlan(d, [aReplicaSet('old').replicas(8).build(), aReplicaSet('new').replicas(5).build()]);
    expect(plan.operation).toBe('');
    expect(plan.sizes.map((s) => s.replicas)).toEqual([8, 5]);
  });
});
