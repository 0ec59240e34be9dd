import { ago, headers, ref, row, table } from '../test-helpers';

const POD = ref('', 'pods', 'Pod');

const running = (name: string, extra: object = {}) => ({
  name,
  ready: true,
  started: true,
  restartCount: 0,
  state: { running: { startedAt: ago('1h') } },
  ...extra,
});

function pod(status: object, spec: object = {}, metadata: object = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-0', namespace: 'default', creationTimestamp: ago('2d3h'), ...metadata },
    spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'nginx:1.27' }], ...spec },
    status,
  };
}

const twoContainers = { containers: [{ name: 'app' }, { name: 'sidecar' }] };

describe('pod printer', () => {
  it('has kubectl 1.32 headers', () => {
    expect(headers(table(POD, []))).toEqual({
      normal: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
      wide: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
    });
  });

  it('two containers, one not ready, 3 restarts 5 minutes ago', () => {
    const p = pod(
      {
        phase: 'Running',
        podIP: '10.244.1.7',
        podIPs: [{ ip: '10.244.1.7' }],
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [
          running('app'),
          {
            name: 'sidecar',
            ready: false,
            restartCount: 3,
            state: { running: { startedAt: ago('4m') } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago('5m') } },
          },
        ],
      },
      twoContainers,
    );
    expect(row(POD, p)).toEqual({
      NAME: 'web-0',
      READY: '1/2',
      STATUS: 'Running',
      RESTARTS: '3 (5m ago)',
      AGE: '2d3h',
      IP: '10.244.1.7',
      NODE: 'node-1',
      'NOMINATED NODE': '<none>',
      'READINESS GATES': '<none>',
    });
  });

  it('unscheduled Pending pod', () => {
    const p = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] }, { nodeName: undefined });
    expect(row(POD, p)).toMatchObject({ READY: '0/1', STATUS: 'Pending', RESTARTS: '0', IP: '<none>', NODE: '<none>' });
  });

  it('SchedulingGated', () => {
    const p = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] });
    expect(row(POD, p).STATUS).toBe('SchedulingGated');
  });

  it.each(['ContainerCreating', 'ErrImagePull', 'ImagePullBackOff', 'CreateContainerConfigError'])('waiting reason %s', (reason) => {
    const p = pod({ phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason } } }] });
    expect(row(POD, p)).toMatchObject({ READY: '0/1', STATUS: reason });
  });

  it('CrashLoopBackOff with restarts', () => {
    const p = pod({
      phase: 'Running',
      containerStatuses: [
        {
          name: 'app',
          ready: false,
          restartCount: 12,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago('3h5m') } },
        },
      ],
    });
    expect(row(POD, p)).toMatchObject({ READY: '0/1', STATUS: 'CrashLoopBackOff', RESTARTS: '12 (3h5m ago)' });
  });

  it('Completed pod carries the Completed row condition', () => {
    const p = pod({
      phase: 'Succeeded',
      containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
    });
    const t = table(POD, [p]);
    expect(t.rows[0].cells.slice(1, 4)).toEqual(['0/1', 'Completed', '0']);
    expect(t.rows[0].conditions).toEqual([
      { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
    ]);
  });

  it('Error pod (phase Failed)', () => {
    const p = pod({
      phase: 'Failed',
      containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 2, reason: 'Error' } } }],
    });
    const t = table(POD, [p]);
    expect(t.rows[0].cells[2]).toBe('Error');
    expect(t.rows[0].conditions?.[0]).toMatchObject({ reason: 'Failed', message: 'The pod failed.' });
  });

  it('terminated without a reason prints the signal or exit code', () => {
    const sig = pod({ phase: 'Running', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 137, signal: 9 } } }] });
    const code = pod({ phase: 'Running', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 137 } } }] });
    expect(row(POD, sig).STATUS).toBe('Signal:9');
    expect(row(POD, code).STATUS).toBe('ExitCode:137');
  });

  it('the first container decides the reason', () => {
    const p = pod(
      {
        phase: 'Running',
        containerStatuses: [
          { name: 'app', state: { waiting: { reason: 'CrashLoopBackOff' } } },
          { name: 'sidecar', state: { waiting: { reason: 'ContainerCreating' } } },
        ],
      },
      twoContainers,
    );
    expect(row(POD, p).STATUS).toBe('CrashLoopBackOff');
  });

  it('a completed container next to a running one: Running if Ready, else NotReady', () => {
    const statuses = [
      { name: 'app', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      running('sidecar'),
    ];
    const ready = pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: statuses }, twoContainers);
    const notReady = pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: statuses }, twoContainers);
    expect(row(POD, ready)).toMatchObject({ READY: '1/2', STATUS: 'Running' });
    expect(row(POD, notReady).STATUS).toBe('NotReady');
  });

  it('Terminating when deletionTimestamp is set, unless the pod already finished', () => {
    const live = pod({ phase: 'Running', containerStatuses: [running('app')] }, {}, { deletionTimestamp: ago('10s') });
    const done = pod({ phase: 'Succeeded', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }, {}, { deletionTimestamp: ago('10s') });
    expect(row(POD, live)).toMatchObject({ READY: '1/1', STATUS: 'Terminating' });
    expect(row(POD, done).STATUS).toBe('Completed');
  });

  it('NodeLost: the reason while the node is unreachable, Unknown once deleted', () => {
    const status = { phase: 'Running', reason: 'NodeLost', containerStatuses: [running('app')] };
    expect(row(POD, pod(status)).STATUS).toBe('NodeLost');
    expect(row(POD, pod(status, {}, { deletionTimestamp: ago('1m') })).STATUS).toBe('Unknown');
  });

  describe('init containers', () => {
    const spec = { initContainers: [{ name: 'migrate' }, { name: 'seed' }] };
    const appWaiting = [{ name: 'app', ready: false, state: { waiting: { reason: 'PodInitializing' } } }];

    it('Init:N/M while an init container runs', () => {
      const p = pod(
        {
          phase: 'Pending',
          initContainerStatuses: [
            { name: 'migrate', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
            { name: 'seed', state: { running: {} } },
          ],
          containerStatuses: appWaiting,
        },
        spec,
      );
      expect(row(POD, p)).toMatchObject({ READY: '0/1', STATUS: 'Init:1/2' });
    });

    it('Init:0/2 at the start', () => {
      const p = pod({ phase: 'Pending', initContainerStatuses: [{ name: 'migrate', state: { waiting: { reason: 'PodInitializing' } } }] }, spec);
      expect(row(POD, p).STATUS).toBe('Init:0/2');
    });

    it('Init:CrashLoopBackOff counts init restarts', () => {
      const p = pod(
        {
          phase: 'Pending',
          initContainerStatuses: [
            {
              name: 'migrate',
              restartCount: 4,
              state: { waiting: { reason: 'CrashLoopBackOff' } },
              lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago('45s') } },
            },
          ],
          containerStatuses: appWaiting,
        },
        spec,
      );
      expect(row(POD, p)).toMatchObject({ STATUS: 'Init:CrashLoopBackOff', RESTARTS: '4 (45s ago)' });
    });

    it('Init:Error and Init:ExitCode', () => {
      const failed = (terminated: object) =>
        pod({ phase: 'Pending', initContainerStatuses: [{ name: 'migrate', state: { terminated } }] }, spec);
      expect(row(POD, failed({ exitCode: 1, reason: 'Error' })).STATUS).toBe('Init:Error');
      expect(row(POD, failed({ exitCode: 3 })).STATUS).toBe('Init:ExitCode:3');
      expect(row(POD, failed({ exitCode: 143, signal: 15 })).STATUS).toBe('Init:Signal:15');
    });

    it('a started sidecar (restartPolicy Always) counts towards READY', () => {
      const p = pod(
        {
          phase: 'Running',
          conditions: [{ type: 'Initialized', status: 'True' }],
          initContainerStatuses: [{ name: 'proxy', ready: true, started: true, restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago('20m') } } }],
          containerStatuses: [running('app')],
        },
        { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] },
      );
      expect(row(POD, p)).toMatchObject({ READY: '2/2', STATUS: 'Running', RESTARTS: '1 (20m ago)' });
    });
  });

  it('wide columns: podIPs, nominated node, readiness gates', () => {
    const p = pod(
      {
        phase: 'Running',
        podIPs: [{ ip: 'fd00::7' }],
        nominatedNodeName: 'node-2',
        conditions: [
          { type: 'example.com/gate-a', status: 'True' },
          { type: 'example.com/gate-b', status: 'False' },
        ],
        containerStatuses: [running('app')],
      },
      { readinessGates: [{ conditionType: 'example.com/gate-a' }, { conditionType: 'example.com/gate-b' }] },
    );
    expect(row(POD, p)).toMatchObject({ IP: 'fd00::7', 'NOMINATED NODE': 'node-2', 'READINESS GATES': '1/2' });
  });
});
