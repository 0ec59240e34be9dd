/**
 * The controller-manager as its own process, as docker-compose runs it:
 * against an API server process, leader-elected on
 * kube-system/kube-controller-manager, serving health and metrics, running
 * the built-in controllers; SIGTERM hands the lease back. Two replicas:
 * one leads, the other takes over when it stops.
 */
import type { Lease } from '@logbook/api';
import { kinds } from '@logbook/sdk';
import { eventually, startTestApiServer, TestApiServer } from '@logbook/sdk/testing';
import { freePort, RunningProcess, startCompiled, waitForHttp } from '../../../test/e2e/processes';

jest.setTimeout(120_000);

describe('the controller-manager process', () => {
  let server: TestApiServer;
  const procs: RunningProcess[] = [];

  async function startControllerManager(identity: string): Promise<{ proc: RunningProcess; url: string }> {
    const port = await freePort();
    const proc = startCompiled('apps/controller-manager/src/main.js', { LOGBOOK_SERVER: server.url, LOGBOOK_CONTROLLER_MANAGER_PORT: String(port), LOGBOOK_IDENTITY: identity });
    procs.push(proc);
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/healthz`, 60_000, proc);
    return { proc, url };
  }
  const lease = () => server.client.get(kinds.Lease, { namespace: 'kube-system', name: 'kube-controller-manager' }).catch(() => undefined) as Promise<Lease | undefined>;

  beforeAll(async () => {
    server = await startTestApiServer();
  });
  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await server?.stop();
  });

  it('leads, serves health and metrics, runs the controllers, and hands over on SIGTERM', async () => {
    const first = await startControllerManager('cm-one');
    await eventually(async () => (await lease())?.spec?.holderIdentity === 'cm-one', { what: 'cm-one holding the lease', timeoutMs: 30_000 });
    const second = await startControllerManager('cm-two');
    await eventually(async () => (await fetch(`${first.url}/readyz`)).ok, { what: 'ready' });

    await server.client.create(kinds.ReplicaSet, {
      metadata: { name: 'kubia', namespace: 'default' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'kubia' } }, template: { metadata: { labels: { app: 'kubia' } }, spec: { containers: [{ name: 'kubia', image: 'luksa/kubia' }] } } },
    });
    await eventually(async () => (await server.client.list(kinds.Pod, { namespace: 'default', labelSelector: 'app=kubia' })).items.length === 2, { what: 'two pods', timeoutMs: 30_000 });
    const metrics = await eventually(async () => {
      const text = await (await fetch(`${first.url}/metrics`)).text();
      return /controller_runtime_reconcile_total\{controller="replicaset-controller",result="success"\} [1-9]/.test(text) ? text : undefined;
    }, { what: 'successful ReplicaSet reconciles counted' });
    expect(metrics).toMatch(/leader_election_master_status\{name="kube-controller-manager"\} 1/);
    expect(await (await fetch(`${second.url}/metrics`)).text()).toMatch(/leader_election_master_status\{name="kube-controller-manager"\} 0/);

    first.proc.child.kill('SIGTERM');
    expect(await first.proc.exited).toBe(0);
    await eventually(async () => (await lease())?.spec?.holderIdentity === 'cm-two', { what: 'cm-two taking over', timeoutMs: 30_000 });
    // The new leader runs the controllers: scaling works.
    await server.client.updateScale(kinds.ReplicaSet, { namespace: 'default', name: 'kubia' }, { spec: { replicas: 3 } });
    await eventually(async () => (await server.client.list(kinds.Pod, { namespace: 'default', labelSelector: 'app=kubia' })).items.length === 3, { what: 'three pods', timeoutMs: 30_000 });
    // ... and the garbage collector: deleting the ReplicaSet takes its pods.
    await server.client.delete(kinds.ReplicaSet, { namespace: 'default', name: 'kubia' });
    await eventually(async () => (await server.client.list(kinds.Pod, { namespace: 'default', labelSelector: 'app=kubia' })).items.length === 0, { what: 'pods collected', timeoutMs: 30_000 });
    second.proc.child.kill('SIGTERM');
    expect(await second.proc.exited).toBe(0);
  });
});
