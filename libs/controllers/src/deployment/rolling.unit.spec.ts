import type { Deployment, ReplicaSet } from '@logbook/api';
import { resolveFenceposts } from './deployment-spec';
import { aDeployment, aReplicaSet } from './fixtures';
import { maxScaledDown, oldScaleDownPlan, unhealthyCleanupPlan } from './rolling';
import { newRSNewReplicas } from './scaling';

const plan = (steps: Array<{ rs: ReplicaSet; replicas: number }>) => steps.map((s) => [s.rs.metadata!.name, s.replicas]);

describe('rolling update arithmetic', () => {
  it("does not count the new ReplicaSet's unavailable pods as scale-down room (kube's worked examples)", () => {
    const d = aDeployment().replicas(10).rollingUpdate(3, 2).build();
    // New pods crash-loop: 13 pods, 8 must stay available, 5 new ones unavailable → nothing may go.
    const crashing = aReplicaSet('new').replicas(5).available(0).build();
    expect(maxScaledDown(d, [aReplicaSet('old').replicas(8).build(), crashing], crashing)).toBe(0);
    // Rolled back to the good ReplicaSet, which has 1 unavailable pod: 13 - 8 - 1 = 4 may go.
    const good = aReplicaSet('good').replicas(8).available(7).build();
    expect(maxScaledDown(d, [aReplicaSet('crashing').replicas(5).available(0).build(), good], good)).toBe(4);
    // Rolled over to a fresh template: the new ReplicaSet starts at 0, so 13 - 8 - 0 = 5.
    const fresh = aReplicaSet('fresh').build();
    expect(maxScaledDown(d, [aReplicaSet('a').replicas(8).build(), aReplicaSet('b').replicas(5).available(0).build(), fresh], fresh)).toBe(5);
  });

  it('removes unavailable old pods first, oldest ReplicaSet first, within the budget', () => {
    const older = aReplicaSet('older').replicas(3).available(1).createdAt('2024-01-01T00:00:00Z').build();
    const old = aReplicaSet('old').replicas(4).available(2).createdAt('2024-01-02T00:00:00Z').build();
    const healthy = aReplicaSet('healthy').replicas(2).createdAt('2023-01-01T00:00:00Z').build();
    expect(plan(unhealthyCleanupPlan([old, healthy, older], 10))).toEqual([
      ['older', 1],
      ['old', 2],
    ]);
    expect(plan(unhealthyCleanupPlan([old, older], 3))).toEqual([
      ['older', 1],
      ['old', 3],
    ]);
    expect(unhealthyCleanupPlan([healthy], 5)).toEqual([]);
  });

  it('scales old ReplicaSets down, oldest first, only by what is available above replicas - maxUnavailable', () => {
    const d = aDeployment().replicas(10).rollingUpdate(3, 2).build();
    const older = aReplicaSet('older').replicas(2).createdAt('2024-01-01T00:00:00Z').build();
    const old = aReplicaSet('old').replicas(6).createdAt('2024-01-02T00:00:00Z').build();
    const fresh = aReplicaSet('new').replicas(5).available(3).createdAt('2024-01-03T00:00:00Z').build();
    // 11 available, at least 8 must stay: 3 may go, 2 from the oldest then 1.
    expect(plan(oldScaleDownPlan(d, [older, old, fresh], [old, older]))).toEqual([
      ['older', 0],
      ['old', 5],
    ]);
    const lean = aReplicaSet('new').replicas(5).available(0).build();
    expect(oldScaleDownPlan(d, [older, old, lean], [old, older])).toEqual([]);
  });
});

/**
 * A whole rolling update with these functions alone, as the controller
 * steps it: scale the new ReplicaSet up if possible, else old ones down;
 * after each step the pods the ReplicaSets want exist, and new pods become
 * available only if `newPodsBecomeReady`. Returns every state seen.
 */
function simulate(d: Deployment, newPodsBecomeReady: boolean) {
  const rs = (name: string, replicas: number, available: number, created: string) =>
    aReplicaSet(name).replicas(replicas).available(available).createdAt(created).build();
  let old = rs('old', d.spec!.replicas!, d.spec!.replicas!, '2024-01-01T00:00:00Z');
  let fresh = rs('new', 0, 0, '2024-01-02T00:00:00Z');
  const seen: Array<{ old: number; new: number; available: number; total: number }> = [];
  const settle = () => {
    // The ReplicaSet controller: pods match spec; old pods stay available, new ones as the scenario says.
    old = rs('old', old.spec!.replicas!, old.spec!.replicas!, '2024-01-01T00:00:00Z');
    fresh = rs('new', fresh.spec!.replicas!, newPodsBecomeReady ? fresh.spec!.replicas! : 0, '2024-01-02T00:00:00Z');
    seen.push({ old: old.spec!.replicas!, new: fresh.spec!.replicas!, available: old.status!.availableReplicas! + fresh.status!.availableReplicas!, total: old.spec!.replicas! + fresh.spec!.replicas! });
  };
  for (let step = 0; step < 50; step++) {
    const want = newRSNewReplicas(d, [old, fresh], fresh);
    if (want !== fresh.spec!.replicas) {
      fresh = { ...fresh, spec: { ...fresh.spec, replicas: want } };
      settle();
      continue;
    }
    if (maxScaledDown(d, [old, fresh], fresh) <= 0) break;
    const cleanup = unhealthyCleanupPlan([old], maxScaledDown(d, [old, fresh], fresh));
    for (const s of cleanup) old = { ...old, spec: { ...old.spec, replicas: s.replicas } };
    const down = oldScaleDownPlan(d, [old, fresh], [old]);
    for (const s of down) old = { ...old, spec: { ...old.spec, replicas: s.replicas } };
    if (cleanup.length === 0 && down.length === 0) break;
    settle();
  }
  return seen;
}

describe('a simulated rolling update', () => {
  it.each([
    [3, 1, 0],
    [3, '25%', '25%'],
    [10, 3, 2],
    [10, '50%', 0],
    [5, 0, 1],
  ])('of %d replicas (maxSurge %s, maxUnavailable %s) replaces every pod within its limits', (replicas, surge, unavailable) => {
    const d = aDeployment().replicas(replicas).rollingUpdate(surge, unavailable).build();
    const seen = simulate(d, true);
    const { surge: s, unavailable: u } = resolveFenceposts(surge, unavailable, replicas);
    for (const state of seen) {
      expect(state.total).toBeLessThanOrEqual(replicas + s);
      expect(state.available).toBeGreaterThanOrEqual(replicas - u);
    }
    expect(seen[seen.length - 1]).toEqual({ old: 0, new: replicas, available: replicas, total: replicas });
  });

  it('stalls with the old pods still available when new pods never become ready', () => {
    const d = aDeployment().replicas(3).rollingUpdate(1, 0).build();
    const seen = simulate(d, false);
    expect(seen[seen.length - 1]).toEqual({ old: 3, new: 1, available: 3, total: 4 });
    for (const state of seen) expect(state.available).toBeGreaterThanOrEqual(3);
    // With maxUnavailable 1 it goes one old pod further, and no further.
    const tolerant = simulate(aDeployment().replicas(3).rollingUpdate(1, 1).build(), false);
    expect(tolerant[tolerant.length - 1]).toMatchObject({ old: 2, available: 2 });
    for (const state of tolerant) expect(state.available).toBeGreaterThanOrEqual(2);
  });
});
