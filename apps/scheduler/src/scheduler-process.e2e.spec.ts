import type { Pod } from '@logbook/api';
import { kinds } from '@logbook/sdk';
import { eventually, startTestApiServer, TestApiServer } from '@logbook/sdk/testing';
import { RunningProcess, startCompiled } from '../../../test/e2e/processes';

/**
 * The scheduler and the node agent as separate processes (as in the
 * multi-node setup): two scheduler replicas, leader-elected on
 * kube-system/kube-scheduler; only the leader binds; when it stops, the
 * other takes over.
 */
describe('scheduler replicas and a node agent as processes', () => {
  let server: TestApiServer;
  const procs = new Map<string, RunningProcess>();

  const start = (name: string, entry: string, env: NodeJS.ProcessEnv) => procs.set(name, startCompiled(entry, { LOGBOOK_SERVER: server.url, ...env }));
  const holder = async () => (await server.client.get(kinds.Lease, { namespace: 'kube-system', name: 'kube-scheduler' })).spec?.holderIdentity;
  const runningOn = async (name: string) => {
    const pod: Pod = await eventually(
      async () => {
        const p = await server.client.get(kinds.Pod, { namespace: 'default', name });
        return p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
      },
      { timeoutMs: 30_000, what: `${name} Running and Ready` },
    );
    return pod.spec?.nodeName;
  };

  beforeAll(async () => {
    server = await startTestApiServer();
    start('nodes', 'apps/node-agent/src/main.js', { LOGBOOK_RUNTIME: 'simulated', LOGBOOK_SIMULATED_NODES: '2', LOGBOOK_SIMULATED_START_DELAY_MS: '10-30' });
    start('scheduler-a', 'apps/scheduler/src/main.js', { LOGBOOK_IDENTITY: 'scheduler-a' });
    start('scheduler-b', 'apps/scheduler/src/main.js', { LOGBOOK_IDENTITY: 'scheduler-b' });
  });

  afterAll(async () => {
    for (const p of procs.values()) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGKILL');
        await p.exited;
      }
    }
    await server?.stop();
  });

  it('elects one scheduler, which binds pods to the simulated nodes', async () => {
    const leader = await eventually(holder, { timeoutMs: 30_000, what: 'a scheduler holding the lease' });
    expect(['scheduler-a', 'scheduler-b']).toContain(leader);
    await eventually(async () => (await server.client.list(kinds.Node)).items.length === 2, { timeoutMs: 30_000, what: 'two nodes' });
    await server.client.create(kinds.Pod, { metadata: { name: 'first', namespace: 'default' }, spec: { containers: [{ name: 'kubia', image: 'luksa/kubia' }] } });
    expect(['node-1', 'node-2']).toContain(await runningOn('first'));
    const follower = leader === 'scheduler-a' ? 'scheduler-b' : 'scheduler-a';
    expect(procs.get(leader!)!.output()).toContain('became leader');
    expect(procs.get(follower)!.output()).not.toContain('became leader');
  });

  it('hands over when the leader stops: the other replica takes the lease and schedules', async () => {
    const leader = (await holder())!;
    const follower = leader === 'scheduler-a' ? 'scheduler-b' : 'scheduler-a';
    const proc = procs.get(leader)!;
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    await eventually(async () => (await holder()) === follower, { timeoutMs: 20_000, what: `${follower} holding the lease` });
    await server.client.create(kinds.Pod, { metadata: { name: 'second', namespace: 'default' }, spec: { containers: [{ name: 'kubia', image: 'luksa/kubia' }] } });
    expect(['node-1', 'node-2']).toContain(await runningOn('second'));
  });

  it('the node agent process stops cleanly on SIGTERM', async () => {
    const nodes = procs.get('nodes')!;
    nodes.child.kill('SIGTERM');
    expect(await nodes.exited).toBe(0);
    expect(nodes.output()).toContain('[NodeAgent] stopped');
  });
});
