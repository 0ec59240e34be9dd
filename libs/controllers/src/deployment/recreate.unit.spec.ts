import type { Pod } from '@logbook/api';
import { aReplicaSet } from './fixtures';
import { oldPodsRunning } from './recreate';

const pod = (phase: string): Pod => ({ metadata: { name: `p-${phase}` }, status: { phase } as Pod['status'] });

describe('Recreate waits for old pods', () => {
  const newRS = aReplicaSet('new').build();
  const old = aReplicaSet('old').build();

  it('while an old ReplicaSet still reports pods', () => {
    expect(oldPodsRunning(newRS, [aReplicaSet('old').pods(1).build()], new Map())).toBe(true);
  });

  it('while a pod of an old ReplicaSet is not finished, whatever its phase (Unknown included)', () => {
    for (const phase of ['Pending', 'Running', 'Unknown']) {
      expect(oldPodsRunning(newRS, [old], new Map([[old.metadata!.uid!, [pod(phase)]]]))).toBe(true);
    }
  });

  it('not for finished pods, nor for pods of the new ReplicaSet', () => {
    expect(oldPodsRunning(newRS, [old], new Map([[old.metadata!.uid!, [pod('Succeeded'), pod('Failed')]]]))).toBe(false);
    expect(oldPodsRunning(newRS, [old], new Map([[newRS.metadata!.uid!, [pod('Running')]], [old.metadata!.uid!, []]]))).toBe(false);
    expect(oldPodsRunning(undefined, [old], new Map())).toBe(false);
  });
});
