import type { DeploymentStatus } from '@logbook/api';
import { getDeploymentCondition, PROGRESSING } from './conditions';
import { aDeployment, aReplicaSet } from './fixtures';
import { deploymentComplete, deploymentProgressing, deploymentTimedOut, replicaFailure, rolloutStatus, stuckDeploymentRequeueAfterMs } from './progress';

const at = (s: string) => new Date(`2024-01-01T${s}Z`);
const progressing = (reason: string, status: 'True' | 'False' | 'Unknown', updated: string) => ({
  type: 'Progressing',
  status,
  reason,
  message: '',
  lastUpdateTime: `2024-01-01T${updated}Z`,
  lastTransitionTime: '2024-01-01T00:00:00Z',
});

describe('rollout progress', () => {
  const d = (status: DeploymentStatus, deadline = 10) => aDeployment().replicas(3).rollingUpdate(1, 0).progressDeadline(deadline).status(status).build();

  it('is complete when every pod is updated and available and the latest spec was seen', () => {
    const dep = aDeployment().replicas(3).generation(2).build();
    expect(deploymentComplete(dep, { replicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 2 })).toBe(true);
    expect(deploymentComplete(dep, { replicas: 4, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 2 })).toBe(false);
    expect(deploymentComplete(dep, { replicas: 3, updatedReplicas: 3, availableReplicas: 2, observedGeneration: 2 })).toBe(false);
    expect(deploymentComplete(dep, { replicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 1 })).toBe(false);
  });

  it('progresses on more updated, ready or available pods, or fewer old ones', () => {
    const dep = d({ replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3 });
    expect(deploymentProgressing(dep, { replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3 })).toBe(false);
    expect(deploymentProgressing(dep, { replicas: 4, updatedReplicas: 2, readyReplicas: 3, availableReplicas: 3 })).toBe(true);
    expect(deploymentProgressing(dep, { replicas: 3, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3 })).toBe(true);
    expect(deploymentProgressing(dep, { replicas: 4, updatedReplicas: 1, readyReplicas: 4, availableReplicas: 3 })).toBe(true);
    expect(deploymentProgressing(dep, { replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 4 })).toBe(true);
  });

  it('times out progressDeadlineSeconds after the last progress, not after completion, and stays timed out', () => {
    const status = (reason: string) => ({ conditions: [progressing(reason, 'True', '00:00:00')] });
    const dep = d({});
    expect(deploymentTimedOut(dep, status('ReplicaSetUpdated'), at('00:00:10'))).toBe(false);
    expect(deploymentTimedOut(dep, status('ReplicaSetUpdated'), at('00:00:11'))).toBe(true);
    expect(deploymentTimedOut(dep, status('NewReplicaSetAvailable'), at('01:00:00'))).toBe(false);
    expect(deploymentTimedOut(dep, { conditions: [progressing('ProgressDeadlineExceeded', 'False', '00:00:00')] }, at('00:00:01'))).toBe(true);
    expect(deploymentTimedOut(aDeployment().progressDeadline(undefined).build(), status('ReplicaSetUpdated'), at('09:00:00'))).toBe(false);
  });

  it('goes ReplicaSetUpdated → (progress refreshes lastUpdateTime) → ProgressDeadlineExceeded with Kubernetes messages', () => {
    const old = aReplicaSet('kubia-old').replicas(3).build();
    const stuck = aReplicaSet('kubia-new').replicas(1).available(0).build();
    const created = d({ replicas: 3, updatedReplicas: 0, readyReplicas: 3, availableReplicas: 3, conditions: [progressing('NewReplicaSetCreated', 'True', '00:00:00')] });

    // The new pod exists: progress.
    const s1 = rolloutStatus(created, [old, stuck], stuck, at('00:00:05'));
    expect(getDeploymentCondition(s1, PROGRESSING)).toMatchObject({
      status: 'True',
      reason: 'ReplicaSetUpdated',
      message: 'ReplicaSet "kubia-new" is progressing.',
      lastUpdateTime: '2024-01-01T00:00:05Z',
      lastTransitionTime: '2024-01-01T00:00:00Z',
    });

    // Nothing changes: still within the deadline, then past it.
    const dep1 = d(s1);
    expect(getDeploymentCondition(rolloutStatus(dep1, [old, stuck], stuck, at('00:00:15')), PROGRESSING)!.reason).toBe('ReplicaSetUpdated');
    expect(stuckDeploymentRequeueAfterMs(dep1, s1, at('00:00:07'))).toBe(9000);
    const s2 = rolloutStatus(dep1, [old, stuck], stuck, at('00:00:16'));
    expect(getDeploymentCondition(s2, PROGRESSING)).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: 'ReplicaSet "kubia-new" has timed out progressing.',
      lastTransitionTime: '2024-01-01T00:00:16Z',
    });
    // Timed out: nothing to wait for any more.
    expect(stuckDeploymentRequeueAfterMs(d(s2), s2, at('00:00:20'))).toBeUndefined();
  });

  it('completes with NewReplicaSetAvailable and does not estimate progress for a finished rollout', () => {
    const fresh = aReplicaSet('kubia-new').replicas(3).build();
    const dep = d({ replicas: 3, updatedReplicas: 2, readyReplicas: 3, availableReplicas: 2, conditions: [progressing('ReplicaSetUpdated', 'True', '00:00:00')] });
    const done = rolloutStatus(dep, [fresh], fresh, at('00:00:30'));
    expect(getDeploymentCondition(done, PROGRESSING)).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: 'ReplicaSet "kubia-new" has successfully progressed.',
    });
    // Later resyncs leave it as it is, even long after the deadline.
    expect(rolloutStatus(d(done), [fresh], fresh, at('05:00:00')).conditions).toEqual(done.conditions);
    expect(stuckDeploymentRequeueAfterMs(d(done), done, at('00:00:31'))).toBeUndefined();
  });

  it('counts the deadline from a resume, not from before the pause', () => {
    const old = aReplicaSet('kubia-old').replicas(3).build();
    const fresh = aReplicaSet('kubia-new').replicas(1).available(0).build();
    const counts = { replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3 };
    const resumed = d({ ...counts, conditions: [progressing('DeploymentResumed', 'Unknown', '00:10:00')] });
    expect(getDeploymentCondition(rolloutStatus(resumed, [old, fresh], fresh, at('00:10:05')), PROGRESSING)!.reason).toBe('DeploymentResumed');
    expect(getDeploymentCondition(rolloutStatus(resumed, [old, fresh], fresh, at('00:10:11')), PROGRESSING)!.reason).toBe('ProgressDeadlineExceeded');
  });

  it('has no Progressing condition without a deadline', () => {
    const rs = aReplicaSet('a').replicas(3).build();
    const dep = aDeployment().progressDeadline(undefined).status({ conditions: [progressing('ReplicaSetUpdated', 'True', '00:00:00')] }).build();
    expect(getDeploymentCondition(rolloutStatus(dep, [rs], rs, at('00:00:01')), PROGRESSING)).toBeUndefined();
  });

  it("surfaces a ReplicaSet's ReplicaFailure, the new one's first, and clears it when gone", () => {
    const failing = aReplicaSet('new').replicas(3).available(0).build();
    failing.status!.conditions = [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota', lastTransitionTime: '2024-01-01T00:00:00Z' }];
    expect(replicaFailure([failing], failing)).toMatchObject({ type: 'ReplicaFailure', reason: 'FailedCreate', message: 'quota' });
    const dep = d({});
    expect(getDeploymentCondition(rolloutStatus(dep, [failing], failing, at('00:00:01')), 'ReplicaFailure')).toBeDefined();
    const fine = aReplicaSet('new').replicas(3).build();
    expect(getDeploymentCondition(rolloutStatus(d({ conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate' }] }), [fine], fine, at('00:00:01')), 'ReplicaFailure')).toBeUndefined();
  });
});
