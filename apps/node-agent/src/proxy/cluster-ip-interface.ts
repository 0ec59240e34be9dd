import { execFile } from 'child_process';
import { promisify } from 'util';
import { ownerAlive } from '../runtime/process/owner';

const run = promisify(execFile);

/** The default device name: `lbsvc<pid>` of the proxy's process. */
export const defaultClusterIPInterface = (pid = process.pid): string => `lbsvc${pid}`.slice(0, 15);
const DEFAULT_NAME = /^lbsvc(\d+)$/;

/**
 * The interface ClusterIPs live on, in the root network namespace: a
 * device of our own (a `dummy`, or an empty bridge where the dummy module
 * is missing) holding each ClusterIP as a /32. Pods reach a ClusterIP by
 * their default route through the node bridge's gateway; the packet is for
 * a local address, so the proxy's listener on it takes it. Nothing else of
 * the host is changed: no route, no existing interface; `close()` deletes
 * the device and with it every address. Devices of the default name whose
 * process is dead (a SIGKILLed node agent's) are deleted when a proxy
 * creates its own.
 */
export class ClusterIPInterface {
  private readonly addresses = new Set<string>();
  private created?: Promise<void>;

  constructor(readonly name: string) {
    if (!/^[a-zA-Z0-9_-]{1,15}$/.test(name)) throw new Error(`interface name ${JSON.stringify(name)} must be 1-15 letters, digits, - or _`);
  }

  /** Whether this process may create interfaces (root with CAP_NET_ADMIN, and `ip` installed). */
  static async available(): Promise<boolean> {
    const probe = `lbprobe${process.pid % 100000}`;
    try {
      await run('ip', ['link', 'add', probe, 'type', 'bridge']);
      await run('ip', ['link', 'del', probe]);
      return true;
    } catch {
      return false;
    }
  }

  /** Creates the device (once). */
  open(): Promise<void> {
    this.created ??= this.create();
    return this.created;
  }

  private async create(): Promise<void> {
    // A device left by a crashed predecessor of the same name goes first, and those of dead proxies named by their pid.
    await run('ip', ['link', 'del', this.name]).catch(() => undefined);
    await removeDeadProxyDevices();
    try {
      await run('ip', ['link', 'add', this.name, 'type', 'dummy']);
    } catch {
      await run('ip', ['link', 'add', this.name, 'type', 'bridge']);
    }
    await run('ip', ['link', 'set', this.name, 'up']);
  }

  /** Makes the device hold exactly these addresses. */
  async sync(ips: ReadonlySet<string>): Promise<void> {
    await this.open();
    for (const ip of ips) {
      if (this.addresses.has(ip)) continue;
      await run('ip', ['addr', 'add', `${ip}/32`, 'dev', this.name]).catch((err: Error) => {
        if (!/File exists/.test(err.message)) throw err;
      });
      this.addresses.add(ip);
    }
    for (const ip of [...this.addresses]) {
      if (ips.has(ip)) continue;
      await run('ip', ['addr', 'del', `${ip}/32`, 'dev', this.name]).catch(() => undefined);
      this.addresses.delete(ip);
    }
  }

  async close(): Promise<void> {
    if (!this.created) return;
    await this.created.catch(() => undefined);
    this.created = undefined;
    this.addresses.clear();
    await run('ip', ['link', 'del', this.name]).catch(() => undefined);
  }
}

/** Deletes `lbsvc<pid>` devices whose process is gone (their proxy was killed before it could delete them). */
export async function removeDeadProxyDevices(): Promise<string[]> {
  const { stdout } = await run('ip', ['-j', 'link', 'show']);
  const dead = (JSON.parse(stdout || '[]') as { ifname: string }[])
    .map((l) => l.ifname)
    .filter((name) => {
      const pid = DEFAULT_NAME.exec(name)?.[1];
      return pid !== undefined && Number(pid) !== process.pid && !ownerAlive(Number(pid));
    });
  for (const name of dead) await run('ip', ['link', 'del', name]).catch(() => undefined);
  return dead;
}
