/**
 * hostPath volumes' `type` checks, as Kubernetes' hostPath plugin does
 * them (checkType): `DirectoryOrCreate` and `FileOrCreate` create what is
 * missing, the others only check; `""` checks nothing.
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';

export type HostPathType = '' | 'DirectoryOrCreate' | 'Directory' | 'FileOrCreate' | 'File' | 'Socket' | 'CharDevice' | 'BlockDevice';

const statOrUndefined = async (path: string) => {
  try {
    return await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
};

/** Checks (and for the *OrCreate types, makes) `path`; throws kube's "hostPath type check failed" message. */
export async function checkHostPathType(path: string, type: string | undefined): Promise<void> {
  const failed = (what: string) => new Error(`hostPath type check failed: ${path} is not ${what}`);
  const st = await statOrUndefined(path);
  switch ((type ?? '') as HostPathType) {
    case '':
      return;
    case 'DirectoryOrCreate':
      if (!st) await mkdir(path, { recursive: true, mode: 0o755 });
      else if (!st.isDirectory()) throw failed('a directory');
      return;
    case 'Directory':
      if (!st?.isDirectory()) throw failed('a directory');
      return;
    case 'FileOrCreate':
      if (!st) {
        // Like kube's MakeFile: the parent must exist; an existing file is never truncated.
        if (!(await statOrUndefined(dirname(path)))?.isDirectory()) throw new Error(`hostPath type check failed: ${path}: parent directory does not exist`);
        await (await open(path, constants.O_CREAT | constants.O_WRONLY, 0o644)).close();
      } else if (!st.isFile()) throw failed('a file');
      return;
    case 'File':
      if (!st?.isFile()) throw failed('a file');
      return;
    case 'Socket':
      if (!st?.isSocket()) throw failed('a socket file');
      return;
    case 'CharDevice':
      if (!st?.isCharacterDevice()) throw failed('a character device');
      return;
    case 'BlockDevice':
      if (!st?.isBlockDevice()) throw failed('a block device');
      return;
    default:
      throw new Error(`hostPath type ${JSON.stringify(type)} is not supported`);
  }
}

/** `inner` is `outer` or below it. */
export function isWithin(outer: string, inner: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The host path of a mount's `subPath` inside a volume directory. Like
 * kubelet: a missing subPath is created as a directory, and a subPath that
 * leads out of the volume (through a symlink) is refused.
 */
export async function resolveSubPath(volumeDir: string, subPath: string): Promise<string> {
  const target = resolve(volumeDir, subPath);
  if (!isWithin(volumeDir, target)) throw new Error(`subPath ${JSON.stringify(subPath)} is not within the volume`);
  const exists = await lstat(target).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
  // Resolve symlinks of what exists before creating anything, so no directory is made outside the volume.
  const base = await realpath(volumeDir);
  const probe = exists ? target : dirname(target);
  const real = await realpath(probe).catch(() => undefined);
  if (real !== undefined && !isWithin(base, real)) throw new Error(`subpath ${JSON.stringify(subPath)} not within volume path ${volumeDir}`);
  if (!exists) {
    await mkdir(target, { recursive: true, mode: 0o755 });
    const made = await realpath(target);
    if (!isWithin(base, made)) throw new Error(`subpath ${JSON.stringify(subPath)} not within volume path ${volumeDir}`);
  }
  return target;
}
