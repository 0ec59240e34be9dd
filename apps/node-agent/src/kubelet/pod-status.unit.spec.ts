import type { Pod } from '@logbook/api';
import type { RuntimeContainerStatus, RuntimePodStatus } from '../runtime/container-runtime';
import { applyStrategicMergePatch, builtinSchemaFor } from '@logbook/machinery';
import { desiredPodStatus, podPhase, statusDiffers, statusPatch } from './pod-status';

const running = (name: string, ready = true): RuntimeContainerStatus => ({
  name,
  image: 'docker.io/luksa/kubia:latest',
  imageID: 'docker.io/luksa/kubia@sha256:00',
  containerID: `simulated://${name}`,
  state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
  ready,
  started: true,
  restartCount: 0,
});
const exited = (name: string, exitCode: number): RuntimeContainerStatus => ({
  ...running(name, false),
  started: false,
  state: { terminated: { exitCode, reason: exitCode ? 'Error' : 'Completed' } },
});
const waiting = (name: string, reason = 'ContainerCreating'): RuntimeContainerStatus => ({ ...running(name, false), containerID: undefined, started: false, state: { waiting: { reason } } });
const crashLooping = (name: string): RuntimeContainerStatus => ({ ...waiting(name, 'CrashLoopBackOff'), lastState: { terminated: { exitCode: 1 } }, restartCount: 1 });

const pod = (restartPolicy: 'Always' | 'OnFailure' | 'Never' = 'Always', extra: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u' },
  spec: { restartPolicy, containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'x' }], ...extra },
  status: { phase: 'Pending', qosClass: 'BestEffort', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
});
const rt = (containers: RuntimeContainerStatus[], initContainers: RuntimeContainerStatus[] = []): RuntimePodStatus => ({ uid: 'u', podIP: '10.244.1.2', containers, initContainers });

describe("the kubelet's pod phase", () => {
  it('is Pending while a container waits to start, Running once all run', () => {
    expect(podPhase(pod(), rt([running('a'), waiting('b')]))).toBe('Pending');
    expect(podPhase(pod(), rt([running('a'), running('b')]))).toBe('Running');
  });

  it('follows restartPolicy once containers exit', () => {
    expect(podPhase(pod('Always'), rt([exited('a', 0), exited('b', 0)]))).toBe('Running');
    expect(podPhase(pod('Never'), rt([exited('a', 0), exited('b', 0)]))).toBe('Succeeded');
    expect(podPhase(pod('Never'), rt([exited('a', 0), exited('b', 1)]))).toBe('Failed');
    expect(podPhase(pod('OnFailure'), rt([exited('a', 0), exited('b', 0)]))).toBe('Succeeded');
    expect(podPhase(pod('OnFailure'), rt([exited('a', 0), crashLooping('b')]))).toBe('Running');
    expect(podPhase(pod('Never'), rt([exited('a', 0), running('b')]))).toBe('Running');
  });

  it('is Pending until init containers succeed, Failed if one fails with restartPolicy Never', () => {
    const inits = { initContainers: [{ name: 'init', image: 'x' }] };
    expect(podPhase(pod('Always', inits), rt([waiting('a', 'PodInitializing'), waiting('b', 'PodInitializing')], [running('init', false)]))).toBe('Pending');
    expect(podPhase(pod('Never', inits), rt([waiting('a'), waiting('b')], [exited('init', 1)]))).toBe('Failed');
    expect(podPhase(pod('Always', inits), rt([running('a'), running('b')], [exited('init', 0)]))).toBe('Running');
  });
});

describe('the status a kubelet reports', () => {
  const input = { hostIP: '172.18.0.2', now: '2026-01-01T00:00:05Z' };

  it('for a running, ready pod: Running, IPs, start time, all conditions True, PodScheduled kept last', () => {
    const s = desiredPodStatus(pod(), rt([running('a'), running('b')]), input);
    expect(s).toMatchObject({ phase: 'Running', podIP: '10.244.1.2', podIPs: [{ ip: '10.244.1.2' }], hostIP: '172.18.0.2', hostIPs: [{ ip: '172.18.0.2' }], startTime: input.now, qosClass: 'BestEffort' });
    expect(s.conditions!.map((c) => [c.type, c.status])).toEqual([
      ['PodReadyToStartContainers', 'True'],
      ['Initialized', 'True'],
      ['Ready', 'True'],
      ['ContainersReady', 'True'],
      ['PodScheduled', 'True'],
    ]);
    expect(s.containerStatuses!.map((c) => [c.name, c.ready, c.started, c.restartCount])).toEqual([
      ['a', true, true, 0],
      ['b', true, true, 0],
    ]);
  });

  it('names the unready containers, as Kubernetes does', () => {
    const s = desiredPodStatus(pod(), rt([running('a', false), running('b')]), input);
    expect(s.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [a]' });
  });

  it('before the sandbox exists: Pending, no IP, PodReadyToStartContainers False', () => {
    const s = desiredPodStatus(pod(), { ...rt([waiting('a'), waiting('b')]), podIP: undefined }, input);
    expect(s.phase).toBe('Pending');
    expect(s.podIP).toBeUndefined();
    expect(s.conditions![0]).toMatchObject({ type: 'PodReadyToStartContainers', status: 'False' });
    expect(s.containerStatuses![0].state).toEqual({ waiting: { reason: 'ContainerCreating' } });
  });

  it('for a completed pod: Succeeded, not ready because PodCompleted', () => {
    const s = desiredPodStatus(pod('Never'), rt([exited('a', 0), exited('b', 0)]), input);
    expect(s.phase).toBe('Succeeded');
    expect(s.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
  });

  it('keeps start time and transition times that did not change; reports no difference when nothing changed', () => {
    const first = desiredPodStatus(pod(), rt([running('a'), running('b')]), input);
    const p = { ...pod(), status: first };
    const again = desiredPodStatus(p, rt([running('a'), running('b')]), { ...input, now: '2026-01-01T00:01:00Z' });
    expect(again.startTime).toBe(input.now);
    expect(again.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime).toBe(input.now);
    expect(statusDiffers(first, again)).toBe(false);
    const unready = desiredPodStatus(p, rt([running('a', false), running('b')]), { ...input, now: '2026-01-01T00:01:00Z' });
    expect(unready.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime).toBe('2026-01-01T00:01:00Z');
    expect(statusDiffers(first, unready)).toBe(true);
  });
});

describe('writing the status is idempotent', () => {
  it('once the patch is applied as the apiserver applies it, the same runtime state asks for no further write', () => {
    const input = { hostIP: '172.18.0.2', now: '2026-01-01T00:00:05Z' };
    const bound: Pod = { ...pod(), status: { ...pod().status, conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' }] } };
    for (const state of [rt([waiting('a'), waiting('b')]), rt([running('a'), running('b', false)]), rt([running('a'), running('b')])]) {
      const desired = desiredPodStatus(bound, state, input);
      const stored = applyStrategicMergePatch(bound, statusPatch(bound, desired), builtinSchemaFor('v1', 'Pod'));
      Object.assign(bound, { status: stored.status });
      expect(statusDiffers(bound.status, desiredPodStatus(bound, state, { ...input, now: '2026-01-01T00:09:00Z' }))).toBe(false);
    }
    expect(bound.status?.conditions?.map((c) => c.type)).toEqual(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
    // Ready went False → True: its reason and message went with it.
    expect(bound.status?.conditions?.find((c) => c.type === 'Ready')).toEqual({ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:05Z' });
  });

  it('compares statuses by content: key order and nulls do not count, any other difference does', () => {
    const a = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', reason: null }], podIP: '10.244.0.5' } as const;
    expect(statusDiffers(a as never, { podIP: '10.244.0.5', conditions: [{ status: 'True', type: 'Ready' }], phase: 'Running' })).toBe(false);
    expect(statusDiffers(a as never, { ...a, podIP: undefined, hostIP: null } as never)).toBe(true);
    expect(statusDiffers(a as never, { ...a, conditions: [{ type: 'Ready', status: 'False' }] } as never)).toBe(true);
    expect(statusDiffers(a as never, { ...a, conditions: [...a.conditions, { type: 'Initialized', status: 'True' }] } as never)).toBe(true);
    expect(statusDiffers(undefined, {})).toBe(false);
    expect(statusDiffers(undefined, { phase: 'Pending' })).toBe(true);
    expect(statusDiffers({ containerStatuses: [] }, {})).toBe(true);
  });
});
