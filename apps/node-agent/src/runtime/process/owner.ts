import * as fs from 'fs';

/**
 * Who owns what a node agent leaves on the host (bridges, namespaces, the
 * proxy's device): a process id, recorded in a pid file or in a device's
 * name. A crashed (SIGKILLed) agent cannot clean up after itself, so the
 * next agent checks whether the owner still lives before removing what it
 * left — and, since process ids are reused, whether the live process with
 * that id started before the pid file was written.
 */

/** When process `pid` started (ms since the epoch), from /proc; undefined if unknown. */
function startedAtMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name in parentheses; starttime is field 22, i.e. the 20th after it.
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const boot = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]);
    // USER_HZ is 100 on Linux.
    return Number.isFinite(ticks) && Number.isFinite(boot) ? boot * 1000 + ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether process `pid` lives and, with `ownedSinceMs` (when it recorded
 * its ownership), was already running then: a process that started later
 * merely got the dead owner's id.
 */
export function ownerAlive(pid: number, ownedSinceMs?: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (ownedSinceMs === undefined) return true;
  const started = startedAtMs(pid);
  // Clock-tick rounding and boot-time precision: a second of slack.
  return started === undefined || started <= ownedSinceMs + 1_000;
}

/**
 * What a pid file under /run/logbook says: the owner's pid, the node it
 * ran, and directories of its own to remove once it is dead (files of
 * older agents hold only the pid).
 */
export interface OwnerRecord {
  pid: number;
  nodeName?: string;
  dirs: string[];
  /** The file's modification time: when ownership was taken. */
  sinceMs: number;
}

export function readOwnerFile(file: string): OwnerRecord | undefined {
  try {
    const [pid, nodeName, ...dirs] = fs.readFileSync(file, 'utf8').split('\n');
    return { pid: Number(pid.trim()), nodeName: nodeName?.trim() || undefined, dirs: dirs.map((d) => d.trim()).filter(Boolean), sinceMs: fs.statSync(file).mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Records this process as the owner, for `nodeName`, with its `dirs` (written whole, then renamed: a reader never sees half a file). */
export function writeOwnerFile(file: string, nodeName: string, dirs: string[] = []): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, [process.pid, nodeName, ...dirs].map((l) => `${l}\n`).join(''));
  fs.renameSync(tmp, file);
}
