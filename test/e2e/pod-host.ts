import { execFile } from 'child_process';
import * as fs from 'fs';
import { request } from 'http';
import * as os from 'os';
import * as path from 'path';
import { NetnsPodNetwork, OWNER_DIR } from '../../apps/node-agent/src/runtime/process/pod-network';
import { defaultClusterIPInterface } from '../../apps/node-agent/src/proxy/cluster-ip-interface';
import { podProcesses } from '../../apps/node-agent/src/runtime/process/testing/pod-processes';

/**
 * What end-to-end tests of the process runtime look at on the host: pods'
 * processes, running a command inside a pod (what `kubectl exec` does:
 * `nsenter` into its container's namespaces), and the bridges, namespaces,
 * veths and devices node agents create — to check that none is left behind.
 */

export { podProcesses };

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCommand(file: string, args: string[], timeoutMs = 30_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

/**
 * Runs `argv` inside a running pod: in the network, mount and UTS namespaces
 * of its (first) container's process, so it sees the pod's IP, its
 * /etc/resolv.conf and its volumes — what `kubectl exec` would do.
 */
export async function inPod(podName: string, argv: string[], timeoutMs = 30_000): Promise<CommandResult> {
  const ownMnt = fs.readlinkSync('/proc/self/ns/mnt');
  // The container's process is the one in a mount namespace of its own (not nsenter/unshare on their way in).
  const pid = podProcesses(podName).find((p) => {
    try {
      return fs.readlinkSync(`/proc/${p}/ns/mnt`) !== ownMnt;
    } catch {
      return false;
    }
  });
  if (pid === undefined) throw new Error(`no running container process of pod ${podName}`);
  return runCommand('nsenter', ['-t', String(pid), '--net', '--mount', '--uts', '--', ...argv], timeoutMs);
}

/** One GET on a new connection (no keep-alive: the service proxy picks a backend per connection); `host` sets the Host header. */
export function getOnce(url: string, host?: string, timeoutMs = 5_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: host ? { Host: host } : {}, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** The pod names in kubia's answers (`You've hit <name>`, `This is v2 running in pod <name>`). */
export function kubiaHosts(text: string): string[] {
  return [...text.matchAll(/(?:You've hit|running in pod) (\S+)/g)].map((m) => m[1]);
}

/** What the host holds of one node agent run: its bridge, pid file, pod namespaces, veths, and its proxy's device. */
export interface NodeHostState {
  bridge: boolean;
  pidFile: boolean;
  namespaces: string[];
  veths: string[];
  proxyDevice: boolean;
}

/** The links of the host, as `ip -j link` gives them. */
async function links(): Promise<{ ifname: string; master?: string }[]> {
  return JSON.parse((await runCommand('ip', ['-j', 'link', 'show'])).stdout || '[]');
}

/**
 * What a node agent (node `nodeName` with `podCIDR`, run by process
 * `agentPid`) has on this host. Veths are found as the bridge's ports while
 * it exists; pass `veths` seen earlier to check they went with it.
 */
export async function nodeHostState(nodeName: string, podCIDR: string, agentPid: number, veths: string[] = []): Promise<NodeHostState> {
  const net = new NetnsPodNetwork(nodeName, podCIDR);
  const nsPrefix = `logbook-${net.bridge.slice(4)}-`;
  const all = await links();
  const names = new Set(all.map((l) => l.ifname.split('@')[0]));
  const namespaces = (await runCommand('ip', ['netns', 'list'])).stdout
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => n.startsWith(nsPrefix));
  return {
    bridge: names.has(net.bridge),
    pidFile: fs.existsSync(`${OWNER_DIR}/${net.bridge}.pid`),
    namespaces,
    veths: [...new Set([...all.filter((l) => l.master === net.bridge).map((l) => l.ifname), ...veths.filter((v) => names.has(v))])],
    proxyDevice: names.has(defaultClusterIPInterface(agentPid)),
  };
}

/** The process runtime's temporary kubelet directories of node `nodeName` (pod logs, volumes): one per run. */
export function kubeletDirs(nodeName: string): string[] {
  return fs
    .readdirSync(os.tmpdir())
    .filter((d) => d.startsWith(`logbook-kubelet-${nodeName}-`))
    .map((d) => path.join(os.tmpdir(), d));
}

export const NOTHING_LEFT: NodeHostState = { bridge: false, pidFile: false, namespaces: [], veths: [], proxyDevice: false };

/** Polls until the node agent's traces are gone (a namespace goes once its last process has exited), or returns what is left. */
export async function untilNothingLeft(nodeName: string, podCIDR: string, agentPid: number, veths: string[], ms = 15_000): Promise<NodeHostState> {
  const deadline = Date.now() + ms;
  for (;;) {
    const state = await nodeHostState(nodeName, podCIDR, agentPid, veths);
    if (JSON.stringify(state) === JSON.stringify(NOTHING_LEFT) || Date.now() > deadline) return state;
    await new Promise((r) => setTimeout(r, 250));
  }
}
