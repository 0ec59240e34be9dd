import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Logger } from '@nestjs/common';
import { PodIpAllocator } from '../simulated/pod-ip-allocator';
import { run } from './command';
import { ownerAlive, readOwnerFile, writeOwnerFile } from './owner';

/** Where node agents record which process owns which bridge (`lbr-<id>.pid`: the pid, the node's name, then the run's kubelet directory). */
export const OWNER_DIR = '/run/logbook';
const BRIDGE_PID_FILE = /^lbr-([0-9a-f]{8})\.pid$/;

/** A pod's network: its IP and, when isolated, the network namespace its containers join. */
export interface PodSandbox {
  ip: string;
  /** `ip netns` name; undefined when the pod shares the host's network. */
  netns?: string;
}

/**
 * Where pods' networks come from. `NetnsPodNetwork` (as root): a network
 * namespace per pod, a veth pair into the node's bridge, an IP from the
 * node's pod CIDR. `HostPodNetwork` (without root): every pod shares the
 * host's network and the node's address.
 */
export interface PodNetwork {
  readonly isolated: boolean;
  /** The address the node is reached at (the bridge's, or the host's). */
  readonly nodeAddress: string;
  start(): Promise<void>;
  create(uid: string): Promise<PodSandbox>;
  destroy(uid: string, sandbox: PodSandbox): Promise<void>;
  close(): Promise<void>;
}

const hash = (s: string, n: number) => createHash('sha256').update(s).digest('hex').slice(0, n);

/** The pods share the host's network: no isolation, and each pod's IP is the node's. */
export class HostPodNetwork implements PodNetwork {
  readonly isolated = false;
  constructor(readonly nodeAddress: string) {}
  async start(): Promise<void> {}
  async create(): Promise<PodSandbox> {
    return { ip: this.nodeAddress };
  }
  async destroy(): Promise<void> {}
  async close(): Promise<void> {}
}

/**
 * One network namespace per pod on a per-node Linux bridge, the way the CNI
 * bridge plugin wires pods: the bridge holds the CIDR's first address (the
 * pods' gateway, and the node's address), each pod gets the next free one
 * on `eth0` of its namespace, with a default route through the bridge. The
 * host reaches every pod through the bridge's connected route; IP forwarding
 * lets pods of different nodes on one machine reach each other.
 *
 * Names carry a hash of the node's name and CIDR, so several node agents on
 * one machine never touch each other's bridge or namespaces; nothing else on
 * the host (its routes, its interfaces) is changed. A CIDR that overlaps a
 * route the host already has is refused.
 *
 * A pid file per bridge (`/run/logbook/lbr-<id>.pid`: the owner's pid and
 * node name) lets a starting agent remove what a dead (SIGKILLed) agent of
 * the same node left — its bridge, its pods' namespaces and veths, the
 * processes still running in them, its kubelet directory — whatever pod
 * CIDR that agent had.
 */
export class NetnsPodNetwork implements PodNetwork {
  readonly isolated = true;
  readonly bridge: string;
  readonly nodeAddress: string;
  private readonly prefixLength: number;
  private readonly ips: PodIpAllocator;
  private readonly nsPrefix: string;
  private readonly log: Logger;

  /** Directories a dead run of this node left (its kubelet directory), removed with its network. */
  private staleDirs: string[] = [];

  /**
   * `ownDirs`: directories of this run (the kubelet's temporary directory)
   * that the next run of the node removes if this one dies without doing it.
   */
  constructor(
    private readonly nodeName: string,
    readonly podCIDR: string,
    private readonly ownDirs: string[] = [],
  ) {
    const id = hash(`${nodeName}/${podCIDR}`, 8);
    this.bridge = `lbr-${id}`;
    this.nsPrefix = `logbook-${id}-`;
    this.ips = new PodIpAllocator(podCIDR);
    const [base, prefix] = podCIDR.split('/');
    this.prefixLength = Number(prefix);
    const o = base.split('.').map(Number);
    const n = ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
    const net = n - (n % 2 ** (32 - this.prefixLength));
    const gw = net + 1;
    this.nodeAddress = [gw >>> 24, (gw >>> 16) & 255, (gw >>> 8) & 255, gw & 255].join('.');
    this.log = new Logger(`PodNetwork ${nodeName}`);
  }

  /**
   * Creates the bridge, after removing what a previous run of this node
   * left behind — unless another live node agent owns it (a pid file under
   * /run/logbook says which), which is refused.
   */
  async start(): Promise<void> {
    this.claim();
    await this.removeDeadRunsOfThisNode();
    await removePodNetwork(this.bridge, this.nsPrefix, this.log);
    removeRunDirs(this.staleDirs, this.log);
    await this.refuseOverlaps();
    await run('ip', ['link', 'add', 'name', this.bridge, 'type', 'bridge']);
    await run('ip', ['addr', 'add', `${this.nodeAddress}/${this.prefixLength}`, 'dev', this.bridge]);
    await run('ip', ['link', 'set', this.bridge, 'up']);
    try {
      if (fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim() !== '1') {
        fs.writeFileSync('/proc/sys/net/ipv4/ip_forward', '1');
        this.log.log('enabled net.ipv4.ip_forward so pods of different nodes on this machine reach each other');
      }
    } catch (err) {
      this.log.warn(`cannot enable IP forwarding (pods reach only pods of their own node): ${(err as Error).message}`);
    }
    this.log.log(`bridge ${this.bridge} ${this.nodeAddress}/${this.prefixLength} for pods of ${this.nodeName}`);
  }

  async create(uid: string): Promise<PodSandbox> {
    const ip = this.ips.allocate();
    const netns = this.nsPrefix + hash(uid, 12);
    const hostVeth = `lbv${hash(`${this.bridge}/${uid}`, 12)}`;
    try {
      // Two `ip -batch` invocations instead of seven: the namespace and the veth pair into the bridge,
      // then, inside the namespace, its address, links and default route.
      await run('ip', ['-batch', '-'], {
        input: [`netns add ${netns}`, `link add ${hostVeth} type veth peer name eth0 netns ${netns}`, `link set ${hostVeth} master ${this.bridge} up`].join('\n') + '\n',
      });
      await run('ip', ['-n', netns, '-batch', '-'], {
        input: [`addr add ${ip}/${this.prefixLength} dev eth0`, 'link set eth0 up', 'link set lo up', `route add default via ${this.nodeAddress}`].join('\n') + '\n',
      });
    } catch (err) {
      await this.destroy(uid, { ip, netns }).catch(() => undefined);
      throw err;
    }
    return { ip, netns };
  }

  /** Deletes the pod's namespace (its veth pair goes with it) and frees its IP. */
  async destroy(_uid: string, sandbox: PodSandbox): Promise<void> {
    this.ips.release(sandbox.ip);
    if (!sandbox.netns) return;
    await killNamespaceProcesses(sandbox.netns);
    await run('ip', ['netns', 'delete', sandbox.netns]).catch((err) => {
      if (!/No such file|not found|Cannot remove/.test(String(err))) throw err;
    });
  }

  async close(): Promise<void> {
    await removePodNetwork(this.bridge, this.nsPrefix, this.log);
    fs.rmSync(this.lockFile, { force: true });
  }

  private get lockFile(): string {
    return path.join(OWNER_DIR, `${this.bridge}.pid`);
  }

  private claim(): void {
    fs.mkdirSync(OWNER_DIR, { recursive: true });
    const owner = readOwnerFile(this.lockFile);
    if (owner && owner.pid !== process.pid && ownerAlive(owner.pid, owner.sinceMs)) {
      throw new Error(`the pod network of node ${this.nodeName} (${this.podCIDR}, bridge ${this.bridge}) is in use by node agent process ${owner.pid}: give this node another name or podCIDR`);
    }
    if (owner && owner.pid !== process.pid) this.staleDirs = owner.dirs;
    writeOwnerFile(this.lockFile, this.nodeName, this.ownDirs);
  }

  /** What dead agents that ran this node with another pod CIDR (another bridge) left: removed, with their pid files. */
  private async removeDeadRunsOfThisNode(): Promise<void> {
    for (const file of fs.readdirSync(OWNER_DIR)) {
      const id = BRIDGE_PID_FILE.exec(file)?.[1];
      if (!id || `lbr-${id}` === this.bridge) continue;
      const owner = readOwnerFile(path.join(OWNER_DIR, file));
      if (!owner || owner.nodeName !== this.nodeName || ownerAlive(owner.pid, owner.sinceMs)) continue;
      this.log.log(`removing bridge lbr-${id} and its pods' namespaces, left by dead node agent process ${owner.pid} of ${this.nodeName}`);
      await removePodNetwork(`lbr-${id}`, `logbook-${id}-`, this.log);
      removeRunDirs(owner.dirs, this.log);
      fs.rmSync(path.join(OWNER_DIR, file), { force: true });
    }
  }

  /** Refuses a pod CIDR the host already routes elsewhere (another agent's bridge, a real network). */
  private async refuseOverlaps(): Promise<void> {
    const routes = JSON.parse((await run('ip', ['-j', '-4', 'route', 'show'])) || '[]') as { dst: string; dev?: string }[];
    const mine = cidrRange(this.podCIDR);
    for (const r of routes) {
      if (r.dst === 'default') continue;
      const theirs = cidrRange(r.dst.includes('/') ? r.dst : `${r.dst}/32`);
      if (theirs && mine && theirs[0] <= mine[1] && mine[0] <= theirs[1]) {
        throw new Error(`pod CIDR ${this.podCIDR} of node ${this.nodeName} overlaps the host's route ${r.dst} on ${r.dev}: give the node another podCIDR`);
      }
    }
  }
}

/**
 * Removes the directories a dead run recorded — only kubelet directories
 * (`logbook-kubelet-*`), whatever else a pid file might say.
 */
function removeRunDirs(dirs: string[], log: Logger): void {
  for (const dir of dirs) {
    if (!path.isAbsolute(dir) || !path.basename(dir).startsWith('logbook-kubelet-')) continue;
    log.log(`removing ${dir}, left by a dead run of this node`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Removes a node's pod network: every namespace named with its prefix (and
 * whatever still runs in them: a crashed agent's pods), their veth pairs
 * with them, and the bridge.
 */
async function removePodNetwork(bridge: string, nsPrefix: string, log: Logger): Promise<void> {
  const list = await run('ip', ['netns', 'list']).catch(() => '');
  const names = list.split('\n').map((line) => line.split(' ')[0]).filter((name) => name.startsWith(nsPrefix));
  // In parallel: a node with many pods must be gone within a shutdown's few seconds.
  await Promise.all(
    names.map(async (name) => {
      await killNamespaceProcesses(name);
      await run('ip', ['netns', 'delete', name]).catch((err) => log.warn(String(err)));
    }),
  );
  const exists = await run('ip', ['link', 'show', bridge]).then(
    () => true,
    () => false,
  );
  if (exists) await run('ip', ['link', 'delete', bridge, 'type', 'bridge']);
}

function cidrRange(cidr: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) return undefined;
  const n = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
  const size = 2 ** (32 - Number(m[5]));
  const base = n - (n % size);
  return [base, base + size - 1];
}

/** SIGKILLs whatever still runs in a namespace (a crashed agent's pods). */
async function killNamespaceProcesses(netns: string): Promise<void> {
  const pids = await run('ip', ['netns', 'pids', netns]).catch(() => '');
  for (const pid of pids.split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
