/**
 * The READY / STATUS / RESTARTS columns for pods in the states kubectl users
 * meet in the seed: running, pending, creating, crash-looping, completed,
 * initializing, terminating.
 */
import { isPodReady, podQOSClass, podReadyCount, podStatusReason, podStatusSummary } from './pod-status';

type Obj = Record<string, any>;

const running = (ready = true, restartCount = 0): Obj => ({ name: 'c', ready, restartCount, started: true, state: { running: { startedAt: 't' } } });
const waiting = (reason: string, restartCount = 0): Obj => ({ name: 'c', ready: false, restartCount, state: { waiting: { reason } } });
const terminated = (exitCode: number, reason?: string, extra: Obj = {}): Obj => ({
  name: 'c',
  ready: false,
  restartCount: 0,
  state: { terminated: { exitCode, ...(reason ? { reason } : {}), ...extra } },
});

function pod(status: Obj, spec: Obj = { containers: [{ name: 'c' }] }, metadata: Obj = { name: 'p' }): Obj {
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec, status };
}

describe('podStatusSummary', () => {
  it('shows Running and 1/1 for a ready running pod', () => {
    const p = pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [running()] });
    expect(podStatusSummary(p)).toEqual({ ready: 1, total: 1, status: 'Running', restarts: 0 });
    expect(isPodReady(p)).toBe(true);
    expect(podReadyCount(p)).toEqual({ ready: 1, total: 1 });
  });

  it('shows 0/1 Running for a pod whose readiness probe fails (9.4)', () => {
    const p = pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [running(false)] });
    expect(podStatusSummary(p)).toMatchObject({ ready: 0, total: 1, status: 'Running' });
    expect(isPodReady(p)).toBe(false);
  });

  it('shows Pending before scheduling and the waiting reason while creating', () => {
    expect(podStatusReason(pod({ phase: 'Pending' }))).toBe('Pending');
    expect(podStatusReason(pod({ phase: 'Pending', containerStatuses: [waiting('ContainerCreating')] }))).toBe('ContainerCreating');
    expect(podStatusReason(pod({ phase: 'Pending', containerStatuses: [waiting('ErrImagePull')] }))).toBe('ErrImagePull');
    expect(podStatusReason(pod({}))).toBe('');
  });

  it('shows CrashLoopBackOff with the restart count and last restart time', () => {
    const c = waiting('CrashLoopBackOff', 4);
    c.lastState = { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2024-01-01T00:00:05Z' } };
    expect(podStatusSummary(pod({ phase: 'Running', containerStatuses: [c] }))).toEqual({
      ready: 0,
      total: 1,
      status: 'CrashLoopBackOff',
      restarts: 4,
      lastRestartTime: '2024-01-01T00:00:05Z',
    });
  });

  it('shows Completed, Error, exit codes and signals for terminated containers', () => {
    expect(podStatusReason(pod({ phase: 'Succeeded', containerStatuses: [terminated(0, 'Completed')] }))).toBe('Completed');
    expect(podStatusReason(pod({ phase: 'Failed', containerStatuses: [terminated(1, 'Error')] }))).toBe('Error');
    expect(podStatusReason(pod({ phase: 'Failed', containerStatuses: [terminated(3)] }))).toBe('ExitCode:3');
    expect(podStatusReason(pod({ phase: 'Failed', containerStatuses: [terminated(137, undefined, { signal: 9 })] }))).toBe('Signal:9');
  });

  it('shows Running rather than Completed while another container still runs', () => {
    const spec = { containers: [{ name: 'a' }, { name: 'b' }] };
    const statuses = [running(), { ...terminated(0, 'Completed'), name: 'b' }];
    expect(podStatusReason(pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: statuses }, spec))).toBe('Running');
    expect(podStatusReason(pod({ phase: 'Running', containerStatuses: statuses }, spec))).toBe('NotReady');
  });

  it('shows init progress: Init:0/1, Init:<reason>, Init:Error', () => {
    const spec = { initContainers: [{ name: 'init' }], containers: [{ name: 'c' }] };
    const init = (state: Obj): Obj => ({ name: 'init', ready: false, restartCount: 0, state });
    expect(podStatusReason(pod({ phase: 'Pending', initContainerStatuses: [init({ running: {} })] }, spec))).toBe('Init:0/1');
    expect(podStatusReason(pod({ phase: 'Pending', initContainerStatuses: [init({ waiting: { reason: 'PodInitializing' } })] }, spec))).toBe(
      'Init:0/1',
    );
    expect(podStatusReason(pod({ phase: 'Pending', initContainerStatuses: [init({ waiting: { reason: 'ImagePullBackOff' } })] }, spec))).toBe(
      'Init:ImagePullBackOff',
    );
    expect(podStatusReason(pod({ phase: 'Pending', initContainerStatuses: [init({ terminated: { exitCode: 1, reason: 'Error' } })] }, spec))).toBe(
      'Init:Error',
    );
    expect(podStatusReason(pod({ phase: 'Pending', initContainerStatuses: [init({ terminated: { exitCode: 2 } })] }, spec))).toBe('Init:ExitCode:2');
    const done = pod(
      {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        initContainerStatuses: [init({ terminated: { exitCode: 0, reason: 'Completed' } })],
        containerStatuses: [running()],
      },
      spec,
    );
    expect(podStatusSummary(done)).toMatchObject({ status: 'Running', ready: 1, total: 1 });
  });

  it('counts sidecars (restartable init containers) in READY', () => {
    const spec = { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }], containers: [{ name: 'c' }] };
    const p = pod(
      {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }, { type: 'Initialized', status: 'True' }],
        initContainerStatuses: [{ name: 'proxy', ready: true, started: true, restartCount: 2, state: { running: {} } }],
        containerStatuses: [running()],
      },
      spec,
    );
    expect(podStatusSummary(p)).toEqual({ ready: 2, total: 2, status: 'Running', restarts: 2 });
  });

  it('shows Terminating for a pod being deleted, Unknown on a lost node, and SchedulingGated', () => {
    const deleting = pod({ phase: 'Running', containerStatuses: [running()] }, undefined, { name: 'p', deletionTimestamp: '2024-01-01T00:00:00Z' });
    expect(podStatusReason(deleting)).toBe('Terminating');
    const finished = pod({ phase: 'Succeeded', containerStatuses: [terminated(0, 'Completed')] }, undefined, { name: 'p', deletionTimestamp: 't' });
    expect(podStatusReason(finished)).toBe('Completed');
    const lost = pod({ phase: 'Running', reason: 'NodeLost' }, undefined, { name: 'p', deletionTimestamp: 't' });
    expect(podStatusReason(lost)).toBe('Unknown');
    expect(podStatusReason(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }))).toBe(
      'SchedulingGated',
    );
    expect(podStatusReason(pod({ phase: 'Failed', reason: 'Evicted' }))).toBe('Evicted');
  });
});

describe('podQOSClass', () => {
  const withResources = (...resources: Obj[]) => pod({}, { containers: resources.map((r, i) => ({ name: `c${i}`, resources: r })) });

  it('classifies BestEffort, Burstable and Guaranteed', () => {
    expect(podQOSClass(withResources({}))).toBe('BestEffort');
    expect(podQOSClass(withResources({ requests: { cpu: '100m' } }))).toBe('Burstable');
    expect(podQOSClass(withResources({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1Gi' } }))).toBe('Guaranteed');
    expect(podQOSClass(withResources({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '1Gi' } }))).toBe('Burstable');
    expect(podQOSClass(withResources({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }, {}))).toBe('Burstable');
    expect(podQOSClass(withResources({ requests: { 'example.com/gpu': '1' } }))).toBe('BestEffort');
  });
});
