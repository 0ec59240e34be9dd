import type { Lease, Pod } from '@logbook/api';
import { Client } from 'pg';
import { kinds, KubeClient, requestCounts, requestCountsSince } from '@logbook/sdk';
import { eventually, startTestApiServer, TestApiServer } from '@logbook/sdk/testing';
import { NodeAgent } from './node-agent';

const pod = (name: string, spec: Partial<Pod['spec']> = {}, annotations?: Record<string, string>): Pod => ({
  metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) },
  spec: { nodeName: 'node-1', containers: [{ name: 'main', image: 'luksa/kubia' }], ...spec },
});
const condition = (p: Pod, type: string) => p.status?.conditions?.find((c) => c.type === type);
const reasonsFor = async (client: KubeClient, name: string) =>
  (await client.list(kinds.Event, { namespace: 'default', fieldSelector: `involvedObject.name=${name}` })).items
    .filter((e) => e.source?.component === 'kubelet')
    .map((e) => `${e.type} ${e.reason}: ${e.message}`);
const ready = (p: Pod) => p.status?.phase === 'Running' && condition(p, 'Ready')?.status === 'True';

describe('the node agent with the simulated runtime, against a real apiserver', () => {
  let server: TestApiServer;
  let client: KubeClient;
  let agent: NodeAgent;

  const startAgent = () =>
    new NodeAgent({
      server: server.url,
      runtime: { kind: 'simulated', simulated: { startDelayMs: [20, 40], runMs: 300, terminationDelayMs: 20, restartBackoffMs: 100 } },
      nodes: [{ name: 'node-1', labels: { disk: 'ssd' } }, { name: 'node-2', capacity: { cpu: '2', memory: '4Gi' } }],
      kubelet: { renewIntervalMs: 300 },
    });
  const waitFor = (name: string, cond: (p: Pod) => boolean, what: string) =>
    eventually(
      async () => {
        const p = await client.get(kinds.Pod, { namespace: 'default', name });
        return cond(p) ? p : undefined;
      },
      { what: `${name}: ${what}` },
    );

  beforeAll(async () => {
    server = await startTestApiServer();
    client = server.client;
    agent = startAgent();
    await agent.start();
  });
  afterAll(async () => {
    await agent?.stop();
    await server?.stop();
  });

  it('registers each Node: labels, capacity, addresses, Ready condition, node info, pod CIDR', async () => {
    const node = await client.get(kinds.Node, { name: 'node-1' });
    expect(node.metadata?.labels).toMatchObject({ 'kubernetes.io/hostname': 'node-1', 'kubernetes.io/os': 'linux', disk: 'ssd' });
    expect(node.status?.capacity).toEqual({ cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' });
    expect(node.status?.allocatable).toEqual(node.status?.capacity);
    expect(node.status?.addresses).toEqual([
      { type: 'InternalIP', address: '172.18.0.2' },
      { type: 'Hostname', address: 'node-1' },
    ]);
    expect(condition({ status: { conditions: node.status?.conditions } } as Pod, 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady' });
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime).toBeTruthy();
    expect(node.status?.nodeInfo).toMatchObject({ kubeletVersion: 'v1.32.0-logbook', containerRuntimeVersion: 'simulated://1.0.0', operatingSystem: 'linux' });
    expect(node.spec?.podCIDR).toBe('10.244.1.0/24');
    const second = await client.get(kinds.Node, { name: 'node-2' });
    expect(second.status?.capacity).toMatchObject({ cpu: '2', memory: '4Gi', pods: '110' });
    expect(second.spec?.podCIDR).toBe('10.244.2.0/24');
  });

  it('renews its Lease in kube-node-lease', async () => {
    const first = await client.get(kinds.Lease, { namespace: 'kube-node-lease', name: 'node-1' });
    expect(first.spec).toMatchObject({ holderIdentity: 'node-1', leaseDurationSeconds: 40 });
    expect(first.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Node', name: 'node-1' });
    const renewed: Lease = await eventually(async () => {
      const l = await client.get(kinds.Lease, { namespace: 'kube-node-lease', name: 'node-1' });
      return l.spec?.renewTime !== first.spec?.renewTime ? l : undefined;
    });
    expect(Date.parse(renewed.spec!.renewTime!)).toBeGreaterThan(Date.parse(first.spec!.renewTime!));
  });

  it('runs a pod bound to it: Running and Ready, with an IP from its CIDR and full container statuses', async () => {
    await client.create(kinds.Pod, pod('web'));
    const p = await waitFor('web', ready, 'Running and Ready');
    expect(p.status?.podIP).toMatch(/^10\.244\.1\.\d+$/);
    expect(p.status).toMatchObject({ hostIP: '172.18.0.2', podIPs: [{ ip: p.status?.podIP }], qosClass: 'BestEffort' });
    expect(p.status?.startTime).toBeTruthy();
    expect(p.status?.conditions?.map((c) => [c.type, c.status])).toEqual([
      ['PodReadyToStartContainers', 'True'],
      ['Initialized', 'True'],
      ['Ready', 'True'],
      ['ContainersReady', 'True'],
    ]);
    const [cs] = p.status!.containerStatuses!;
    expect(cs).toMatchObject({ name: 'main', ready: true, started: true, restartCount: 0, image: 'docker.io/luksa/kubia:latest' });
    expect(cs.imageID).toMatch(/^docker\.io\/luksa\/kubia@sha256:[0-9a-f]{64}$/);
    expect(cs.containerID).toMatch(/^simulated:\/\/[0-9a-f]{64}$/);
    expect(cs.state?.running?.startedAt).toBeTruthy();
    const events = await eventually(async () => {
      const e = await reasonsFor(client, 'web');
      return e.length >= 3 ? e : undefined;
    });
    expect(events).toEqual(['Normal Pulled: Container image "luksa/kubia" already present on machine', 'Normal Created: Created container main', 'Normal Started: Started container main']);
  });

  it("writes a pod's status once per change, never again from a cache that has not seen its own write", async () => {
    await Promise.all(['once-a', 'once-b', 'once-c'].map((n) => client.create(kinds.Pod, pod(n))));
    for (const n of ['once-a', 'once-b', 'once-c']) await waitFor(n, ready, 'Ready');
    await new Promise((r) => setTimeout(r, 500)); // any late re-write would land by now
    const db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(
        `SELECT name, array_agg(object->'status'->>'phase' ORDER BY seq) AS phases FROM events
          WHERE resource = 'pods' AND subresource = 'status' AND field_manager = 'kubelet' AND name LIKE 'once-%' GROUP BY name ORDER BY name`,
      );
      // ContainerCreating while the sandbox starts, then Running and Ready together: two writes each.
      expect(rows.map((r) => [r.name, r.phases])).toEqual([
        ['once-a', ['Pending', 'Running']],
        ['once-b', ['Pending', 'Running']],
        ['once-c', ['Pending', 'Running']],
      ]);
    } finally {
      await db.end();
    }
  });

  it('finishes a graceful deletion: stops the pod, then deletes it for good', async () => {
    await client.create(kinds.Pod, pod('doomed'));
    await waitFor('doomed', ready, 'Ready');
    const before = requestCounts.snapshot();
    const deleting = await client.delete(kinds.Pod, { namespace: 'default', name: 'doomed' });
    expect(deleting.metadata?.deletionTimestamp).toBeTruthy();
    await eventually(async () => (await client.list(kinds.Pod, { namespace: 'default', fieldSelector: 'metadata.name=doomed' })).items.length === 0, { what: 'doomed gone' });
    await new Promise((r) => setTimeout(r, 300)); // syncs still queued for it run by now
    // The kubelet deleted it for good once: no second DELETE (answered 404) from a sync on a cache that still showed it.
    const deletes = requestCountsSince(before, requestCounts.snapshot()).filter((c) => c.method === 'DELETE');
    expect(deletes.map((c) => [c.code, c.count]).sort()).toEqual([['200', 1], ['202', 1]]); // the kubelet's, then the graceful one
    // Events are written off the pod's path, shortly after.
    await eventually(async () => (await reasonsFor(client, 'doomed')).includes('Normal Killing: Stopping container main'), { what: 'a Killing event' });
  });

  it('runs a job image to completion: Succeeded, exit code 0', async () => {
    await client.create(kinds.Pod, pod('job', { restartPolicy: 'OnFailure', containers: [{ name: 'main', image: 'luksa/batch-job' }] }));
    const p = await waitFor('job', (x) => x.status?.phase === 'Succeeded', 'Succeeded');
    expect(p.status?.containerStatuses?.[0].state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(condition(p, 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
  });

  it('fails a pod told to fail: Failed with restartPolicy Never, restarted with OnFailure', async () => {
    await client.create(kinds.Pod, pod('fails', { restartPolicy: 'Never' }, { 'logbook.io/simulate': 'fail' }));
    const failed = await waitFor('fails', (x) => x.status?.phase === 'Failed', 'Failed');
    expect(failed.status?.containerStatuses?.[0].state?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });

    await client.create(kinds.Pod, pod('retries', { restartPolicy: 'OnFailure' }, { 'logbook.io/simulate': 'fail' }));
    const restarted = await waitFor('retries', (x) => (x.status?.containerStatuses?.[0].restartCount ?? 0) >= 2, 'restarted twice');
    expect(restarted.status?.phase).toBe('Running');
    expect(restarted.status?.containerStatuses?.[0].lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    const backOff = await eventually(async () => (await reasonsFor(client, 'retries')).find((e) => e.startsWith('Warning BackOff')), { what: 'a BackOff event' });
    expect(backOff).toBe(`Warning BackOff: Back-off restarting failed container main in pod retries_default(${restarted.metadata?.uid})`);
  });

  it('keeps an unready pod Running but not Ready, and the seed\'s kubia:v3 with a readiness probe likewise', async () => {
    await client.create(kinds.Pod, pod('unready', {}, { 'logbook.io/simulate': 'unready' }));
    await client.create(kinds.Pod, pod('v3', { containers: [{ name: 'main', image: 'luksa/kubia:v3', readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 } }] }));
    for (const name of ['unready', 'v3']) {
      const p = await waitFor(name, (x) => x.status?.phase === 'Running', 'Running');
      expect(condition(p, 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [main]' });
      expect(p.status?.containerStatuses?.[0]).toMatchObject({ ready: false, started: true });
    }
  });

  it("keeps others' conditions: a readiness gate holds Ready until its condition is True", async () => {
    await client.create(kinds.Pod, pod('gated', { readinessGates: [{ conditionType: 'example.com/load-balancer' }] }));
    const held = await waitFor('gated', (x) => condition(x, 'ContainersReady')?.status === 'True', 'containers ready');
    expect(condition(held, 'Ready')).toMatchObject({ status: 'False', reason: 'ReadinessGatesNotReady' });
    await client.patchStatus(
      kinds.Pod,
      { namespace: 'default', name: 'gated' },
      { status: { conditions: [{ type: 'example.com/load-balancer', status: 'True', lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }] } },
      { type: 'strategic' },
    );
    const open = await waitFor('gated', ready, 'Ready');
    expect(condition(open, 'example.com/load-balancer')?.status).toBe('True');
    // Metadata written by others meanwhile does not get in the kubelet's way.
    await client.patch(kinds.Pod, { namespace: 'default', name: 'gated' }, { metadata: { labels: { tier: 'web' } } }, { type: 'merge' });
    expect((await client.get(kinds.Pod, { namespace: 'default', name: 'gated' })).metadata?.labels).toEqual({ tier: 'web' });
  });

  it('stops a pod failed through the API and keeps it Failed', async () => {
    await client.create(kinds.Pod, pod('failed-by-hand'));
    await waitFor('failed-by-hand', ready, 'Ready');
    await client.patchStatus(kinds.Pod, { namespace: 'default', name: 'failed-by-hand' }, { status: { phase: 'Failed' } }, { type: 'merge' });
    const stopped = await waitFor('failed-by-hand', (x) => !!x.status?.containerStatuses?.[0].state?.terminated, 'containers stopped');
    expect(stopped.status?.phase).toBe('Failed');
    expect(condition(stopped, 'Ready')?.status).toBe('False');
    // Events are written off the pod's path, shortly after.
    await eventually(async () => (await reasonsFor(client, 'failed-by-hand')).includes('Normal Killing: Stopping container main'), { what: 'a Killing event' });
  });

  it('runs init containers first', async () => {
    await client.create(kinds.Pod, pod('with-init', { initContainers: [{ name: 'setup', image: 'busybox', command: ['sh', '-c', 'echo ready'] }] }));
    const p = await waitFor('with-init', ready, 'Ready');
    expect(p.status?.initContainerStatuses?.[0]).toMatchObject({ name: 'setup', state: { terminated: { exitCode: 0, reason: 'Completed' } } });
    const initEnd = Date.parse(p.status!.initContainerStatuses![0].state!.terminated!.finishedAt!);
    expect(Date.parse(p.status!.containerStatuses![0].state!.running!.startedAt!)).toBeGreaterThanOrEqual(initEnd);
  });

  it('picks its pods up again after a restart, keeping their IPs and start times', async () => {
    const before = await waitFor('web', ready, 'Ready');
    await agent.stop();
    agent = startAgent();
    await agent.start();
    await client.create(kinds.Pod, pod('after-restart'));
    const fresh = await waitFor('after-restart', ready, 'Ready');
    expect(fresh.status?.podIP).not.toBe(before.status?.podIP);
    const after = await client.get(kinds.Pod, { namespace: 'default', name: 'web' });
    expect(after.status?.podIP).toBe(before.status?.podIP);
    expect(after.status?.containerStatuses?.[0].state?.running?.startedAt).toBe(before.status?.containerStatuses?.[0].state?.running?.startedAt);
    expect(ready(after)).toBe(true);
  });

  it('stops renewing the Lease of a stopped node', async () => {
    await agent.stopNode('node-2');
    const last = await client.get(kinds.Lease, { namespace: 'kube-node-lease', name: 'node-2' });
    const stillRenewing = await eventually(
      async () => {
        const l = await client.get(kinds.Lease, { namespace: 'kube-node-lease', name: 'node-1' });
        return Date.parse(l.spec!.renewTime!) > Date.parse(last.spec!.renewTime!) + 1000 ? l : undefined;
      },
      { what: 'node-1 renewing past node-2' },
    );
    expect(stillRenewing).toBeTruthy();
    expect((await client.get(kinds.Lease, { namespace: 'kube-node-lease', name: 'node-2' })).spec?.renewTime).toBe(last.spec?.renewTime);
  });
});
