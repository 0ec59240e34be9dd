import { AVAILABLE, getDeploymentCondition } from './conditions';
import { aDeployment, aReplicaSet } from './fixtures';
import { calculateStatus } from './sync';

const now = new Date('2024-01-01T12:00:00Z');

describe('calculateStatus', () => {
  it('sums pods over all ReplicaSets and counts the new one as updated', () => {
    const d = aDeployment().replicas(3).rollingUpdate(1, 0).generation(4).build();
    const old = aReplicaSet('old').replicas(2).build();
    const fresh = aReplicaSet('new').replicas(2).available(1).build();
    const status = calculateStatus([old, fresh], fresh, d, now);
    expect(status).toMatchObject({
      observedGeneration: 4,
      replicas: 4,
      updatedReplicas: 2,
      readyReplicas: 3,
      availableReplicas: 3,
      unavailableReplicas: 1,
    });
  });

  it('never reports negative unavailable replicas (more available than wanted while scaling down)', () => {
    const d = aDeployment().replicas(1).build();
    const rs = aReplicaSet('a').replicas(1).pods(3).available(3).build();
    expect(calculateStatus([rs], rs, d, now).unavailableReplicas).toBe(0);
  });

  it('is Available while at least replicas - maxUnavailable pods are available', () => {
    const d = aDeployment().replicas(4).rollingUpdate(1, 1).build();
    const three = aReplicaSet('a').replicas(4).available(3).build();
    const c = getDeploymentCondition(calculateStatus([three], three, d, now), AVAILABLE)!;
    expect(c).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
    const two = aReplicaSet('a').replicas(4).available(2).build();
    expect(getDeploymentCondition(calculateStatus([two], two, d, now), AVAILABLE)).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
      message: 'Deployment does not have minimum availability.',
    });
  });

  it('keeps the other conditions and the collision count, and an unchanged Available condition keeps its times', () => {
    const d = aDeployment()
      .replicas(1)
      .status({
        collisionCount: 2,
        conditions: [
          { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: '2023-01-01T00:00:00Z', lastTransitionTime: '2023-01-01T00:00:00Z' },
          { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: 'x', lastUpdateTime: '2023-01-01T00:00:00Z', lastTransitionTime: '2023-01-01T00:00:00Z' },
        ],
      })
      .build();
    const rs = aReplicaSet('a').replicas(1).build();
    const status = calculateStatus([rs], rs, d, now);
    expect(status.collisionCount).toBe(2);
    expect(status.conditions).toEqual(d.status!.conditions);
  });
});
