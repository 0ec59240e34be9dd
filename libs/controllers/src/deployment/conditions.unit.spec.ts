import type { DeploymentStatus } from '@logbook/api';
import { getDeploymentCondition, newDeploymentCondition, removeDeploymentCondition, setDeploymentCondition } from './conditions';

const t0 = new Date('2024-01-01T00:00:00.123Z');
const t1 = new Date('2024-01-01T00:05:00Z');

describe('Deployment conditions', () => {
  it('stamps lastUpdateTime and lastTransitionTime in whole seconds', () => {
    expect(newDeploymentCondition('Available', 'True', 'MinimumReplicasAvailable', 'ok', t0)).toEqual({
      type: 'Available',
      status: 'True',
      reason: 'MinimumReplicasAvailable',
      message: 'ok',
      lastUpdateTime: '2024-01-01T00:00:00Z',
      lastTransitionTime: '2024-01-01T00:00:00Z',
    });
  });

  it('ignores a condition with the same status and reason (times stay)', () => {
    const status: DeploymentStatus = {};
    setDeploymentCondition(status, newDeploymentCondition('Progressing', 'True', 'ReplicaSetUpdated', 'a', t0));
    setDeploymentCondition(status, newDeploymentCondition('Progressing', 'True', 'ReplicaSetUpdated', 'b', t1));
    expect(getDeploymentCondition(status, 'Progressing')).toMatchObject({ message: 'a', lastUpdateTime: '2024-01-01T00:00:00Z' });
  });

  it('keeps lastTransitionTime on a new reason with the same status, and moves it on a new status', () => {
    const status: DeploymentStatus = {};
    setDeploymentCondition(status, newDeploymentCondition('Progressing', 'True', 'NewReplicaSetCreated', 'a', t0));
    setDeploymentCondition(status, newDeploymentCondition('Available', 'True', 'MinimumReplicasAvailable', 'ok', t0));
    setDeploymentCondition(status, newDeploymentCondition('Progressing', 'True', 'NewReplicaSetAvailable', 'b', t1));
    expect(getDeploymentCondition(status, 'Progressing')).toMatchObject({ lastUpdateTime: '2024-01-01T00:05:00Z', lastTransitionTime: '2024-01-01T00:00:00Z' });
    // The changed condition moves to the end, as in Kubernetes.
    expect(status.conditions!.map((c) => c.type)).toEqual(['Available', 'Progressing']);
    setDeploymentCondition(status, newDeploymentCondition('Progressing', 'False', 'ProgressDeadlineExceeded', 'c', t1));
    expect(getDeploymentCondition(status, 'Progressing')!.lastTransitionTime).toBe('2024-01-01T00:05:00Z');
    removeDeploymentCondition(status, 'Progressing');
    expect(status.conditions!.map((c) => c.type)).toEqual(['Available']);
  });
});
