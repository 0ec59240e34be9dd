import * as fs from 'fs';
import { canIsolatePods } from '../../apps/node-agent/src/runtime/process/command';
import { TestCluster } from './cluster';
import { kubeletDirs, nodeHostState, NOTHING_LEFT, podProcesses, untilNothingLeft } from './pod-host';
import { RunningProcess, startCompiled, waitFor } from './processes';

/**
 * A node agent killed with SIGKILL cannot remove what it made on the host:
 * its pods' network namespaces (with their processes still running), their
 * veths, the node's bridge, its pid file in /run/logbook, its kubelet
 * directory and its service proxy's device. The next agent of the same node name removes all of it
 * when it starts — whatever pod CIDR the dead one had — and a stopped
 * (SIGTERM) agent leaves nothing.
 */
const describeAsRoot = canIsolatePods() ? describe : describe.skip;
const random = (n: number) => Math.floor(Math.random() * n);

describeAsRoot('what a killed node agent leaves on the host (as root)', () => {
  let c: TestCluster;
  const agents: RunningProcess[] = [];
  const node = `crash-${process.pid}`;
  const third = 1 + random(200);
  const cidrs = [`10.${100 + random(100)}.${third}.0/24`, `10.${100 + random(100)}.${third + 1}.0/24`];

  const startAgent = async (podCIDR: string): Promise<RunningProcess> => {
    const agent = startCompiled('apps/node-agent/src/main.js', { LOGBOOK_SERVER: c.url, LOGBOOK_NODES: JSON.stringify([{ name: node, podCIDR }]) });
    agents.push(agent);
    // Registered and serving: the node's InternalIP is this run's bridge.
    const gateway = podCIDR.replace(/\.0\/24$/, '.1');
    await c.until(['get', 'node', node, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address} {.status.conditions[?(@.type=="Ready")].status}'], (out) => out === `${gateway} True`, 90_000);
    return agent;
  };
  /** The pod running on this run's bridge, and its container processes. */
  const podRunningIn = async (podCIDR: string) => {
    const prefix = podCIDR.replace(/0\/24$/, '');
    await c.until(['get', 'pod', 'idle', '-o', 'jsonpath={.status.phase} {.status.podIP}'], (out) => out.startsWith(`Running ${prefix}`), 90_000);
    return podProcesses('idle');
  };

  beforeAll(async () => {
    // The control plane without a node of its own; the node agents run as processes of their own.
    c = await TestCluster.start({ LOGBOOK_RUNTIME: 'none', LOGBOOK_SERVICE_CIDR: `10.${50 + random(50)}.${16 * random(16)}.0/20` }, { allInOne: true });
  });

  afterAll(async () => {
    for (const a of agents) if (a.child.exitCode === null && a.child.signalCode === null) a.child.kill('SIGKILL');
    await c?.stop();
    // What a failed run left of its own kubelet directories.
    for (const dir of kubeletDirs(node)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('removes the namespaces, veths, bridge, pid file, proxy device and pod processes of a SIGKILLed agent of the same node, whatever its pod CIDR', async () => {
    const first = await startAgent(cidrs[0]);
    await c.ok(['run', 'idle', '--image=busybox', '--', 'sleep', '3600']);
    // A Service, so the proxy's device holds a ClusterIP.
    await c.ok(['create', 'service', 'clusterip', 'idle', '--tcp=80:8080']);
    const pids = await podRunningIn(cidrs[0]);
    expect(pids.length).toBeGreaterThan(0);
    const firstDirs = kubeletDirs(node);
    expect(firstDirs).toHaveLength(1);
    first.child.kill('SIGKILL');
    await first.exited;

    const left = await nodeHostState(node, cidrs[0], first.child.pid!);
    expect(left.bridge && left.pidFile && left.proxyDevice).toBe(true);
    expect(left.namespaces).toHaveLength(1);
    expect(left.veths).toHaveLength(1);
    // The pod's processes outlive their agent.
    expect(podProcesses('idle')).toEqual(pids);

    // The same node again, on another pod CIDR (another bridge).
    await startAgent(cidrs[1]);
    expect(await untilNothingLeft(node, cidrs[0], first.child.pid!, left.veths)).toEqual(NOTHING_LEFT);
    for (const pid of pids) expect(podProcesses('idle')).not.toContain(pid);
    // Its kubelet directory (the pod's logs) went too; the new run has one of its own.
    expect(kubeletDirs(node).filter((d) => firstDirs.includes(d))).toEqual([]);
    expect(kubeletDirs(node)).toHaveLength(1);
    // The node runs its pod again, on the new bridge.
    expect((await podRunningIn(cidrs[1])).length).toBeGreaterThan(0);
  });

  it('removes them too when the agent comes back with the same pod CIDR, and a SIGTERMed agent leaves nothing', async () => {
    const second = agents[agents.length - 1];
    const left = await nodeHostState(node, cidrs[1], second.child.pid!);
    expect(left.namespaces).toHaveLength(1);
    const pids = podProcesses('idle');
    const secondDirs = kubeletDirs(node);
    second.child.kill('SIGKILL');
    await second.exited;
    expect((await nodeHostState(node, cidrs[1], second.child.pid!)).proxyDevice).toBe(true);

    const third = await startAgent(cidrs[1]);
    // The node's status still shows the dead agent's last report: wait for the pod's new processes.
    await waitFor(() => {
      const now = podProcesses('idle');
      return now.length > 0 && now.every((pid) => !pids.includes(pid));
    }, 90_000);
    // The service proxy adds its device once its caches sync, which may be after the pod runs.
    await waitFor(async () => (await nodeHostState(node, cidrs[1], third.child.pid!)).proxyDevice, 60_000);
    const now = await nodeHostState(node, cidrs[1], third.child.pid!);
    // The same pod on the same bridge: a namespace and veth of the same names, made anew.
    expect(now.namespaces).toEqual(left.namespaces);
    expect((await nodeHostState(node, cidrs[1], second.child.pid!)).proxyDevice).toBe(false);
    expect(kubeletDirs(node).filter((d) => secondDirs.includes(d))).toEqual([]);

    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
    expect(await untilNothingLeft(node, cidrs[1], third.child.pid!, now.veths)).toEqual(NOTHING_LEFT);
    expect(podProcesses('idle')).toEqual([]);
    expect(kubeletDirs(node)).toEqual([]);
  });
});
