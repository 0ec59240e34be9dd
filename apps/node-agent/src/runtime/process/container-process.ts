import { ChildProcess, spawn } from 'child_process';
import { constants } from 'os';

/** A path of the node made visible at a path of the container. */
export interface BindMount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
}

export interface ContainerLaunch {
  argv: string[];
  env: Record<string, string>;
  workingDir: string;
  hostname: string;
  /** The pod's network namespace (`ip netns` name); undefined: the host's network. */
  netns?: string;
  /** With namespaces: a private mount namespace with these bind mounts. */
  mounts: BindMount[];
  /** Whether to use namespaces (mount, UTS, the pod's network) at all. */
  isolated: boolean;
}

/**
 * Prepares the container inside its new mount and UTS namespaces, then
 * becomes the container's process: sets the hostname, bind-mounts each
 * `src dst ro|rw` triple (creating the mount point: a directory, or an empty
 * file for a file), changes to the working directory and execs the command.
 */
const SETUP_SCRIPT = `set -e
hostname "$1"; wd="$2"; shift 2
while [ "$1" != "--" ]; do
  if [ -d "$1" ]; then mkdir -p "$2"; else mkdir -p "$(dirname "$2")"; [ -e "$2" ] || : > "$2"; fi
  mount --bind "$1" "$2"
  if [ "$3" = ro ]; then mount -o remount,bind,ro "$2"; fi
  shift 3
done
shift
mkdir -p "$wd"; cd "$wd"
exec "$@"`;

/** The program and arguments that start a container as described. */
export function launchCommand(l: ContainerLaunch): { file: string; args: string[] } {
  if (!l.isolated) return { file: l.argv[0], args: l.argv.slice(1) };
  const mounts = l.mounts.flatMap((m) => [m.hostPath, m.containerPath, m.readOnly ? 'ro' : 'rw']);
  const inner = ['unshare', '--mount', '--uts', '--propagation', 'private', '--', '/bin/sh', '-c', SETUP_SCRIPT, 'container', l.hostname, l.workingDir, ...mounts, '--', ...l.argv];
  const outer = l.netns ? ['nsenter', `--net=/run/netns/${l.netns}`, '--', ...inner] : inner;
  return { file: outer[0], args: outer.slice(1) };
}

/**
 * Starts a container's process in a process group of its own (so stopping
 * it stops what it started too), with exactly the container's environment.
 */
export function spawnContainer(l: ContainerLaunch): ChildProcess {
  const { file, args } = launchCommand(l);
  return spawn(file, args, {
    env: l.env,
    cwd: l.isolated ? '/' : l.workingDir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Signals a container's whole process group; false if it is gone. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, signal);
    return true;
  } catch {
    try {
      return child.kill(signal);
    } catch {
      return false;
    }
  }
}

/** The exit code a container runtime reports: the process's, or 128 + the signal's number. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const n = signal ? (constants.signals as Record<string, number>)[signal] : undefined;
  return 128 + (n ?? 9);
}
