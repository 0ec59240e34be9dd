import { hasProgressDeadline, hasRevisionHistoryLimit, MAX_INT32, maxSurge, maxUnavailable, resolveFenceposts } from './deployment-spec';
import { aDeployment } from './fixtures';

describe('rolling-update fenceposts', () => {
  it('rounds maxSurge up and maxUnavailable down', () => {
    expect(resolveFenceposts('25%', '25%', 10)).toEqual({ surge: 3, unavailable: 2 });
    expect(resolveFenceposts('25%', '25%', 3)).toEqual({ surge: 1, unavailable: 0 });
    expect(resolveFenceposts(1, 0, 3)).toEqual({ surge: 1, unavailable: 0 });
    expect(resolveFenceposts('100%', '100%', 7)).toEqual({ surge: 7, unavailable: 7 });
  });

  it('makes maxUnavailable 1 when both come to zero', () => {
    expect(resolveFenceposts('10%', '10%', 2)).toEqual({ surge: 1, unavailable: 0 });
    expect(resolveFenceposts('0%', '10%', 5)).toEqual({ surge: 0, unavailable: 1 });
    expect(resolveFenceposts(0, 0, 5)).toEqual({ surge: 0, unavailable: 1 });
  });

  it('takes the apps/v1 defaults (25%) when the strategy leaves them out', () => {
    const d = aDeployment().replicas(10).build();
    d.spec!.strategy = { type: 'RollingUpdate' };
    expect(maxSurge(d)).toBe(3);
    expect(maxUnavailable(d)).toBe(2);
  });

  it('caps maxUnavailable at spec.replicas, and both are 0 for Recreate or no replicas', () => {
    expect(maxUnavailable(aDeployment().replicas(2).rollingUpdate(1, 5).build())).toBe(2);
    expect(maxUnavailable(aDeployment().replicas(0).rollingUpdate(1, 1).build())).toBe(0);
    expect(maxSurge(aDeployment().replicas(3).recreate().build())).toBe(0);
    expect(maxUnavailable(aDeployment().replicas(3).recreate().build())).toBe(0);
  });

  it('treats MaxInt32 as no deadline and no history limit', () => {
    expect(hasProgressDeadline(aDeployment().build())).toBe(true);
    expect(hasProgressDeadline(aDeployment().progressDeadline(MAX_INT32).build())).toBe(false);
    expect(hasProgressDeadline(aDeployment().progressDeadline(undefined).build())).toBe(false);
    expect(hasRevisionHistoryLimit(aDeployment().revisionHistoryLimit(MAX_INT32).build())).toBe(false);
    expect(hasRevisionHistoryLimit(aDeployment().revisionHistoryLimit(0).build())).toBe(true);
  });
});
