/**
 * Kubernetes' AtomicWriter (pkg/volume/util/atomic_writer.go), the way
 * configMap, secret, downwardAPI and projected volumes are written so a
 * reader never sees half an update:
 *
 *   <dir>/..2026_11_29_04_05_06.123456789/   the payload, one directory per version
 *   <dir>/..data -> ..2026_11_29_04_05_06.123456789
 *   <dir>/<key>  -> ..data/<key>             what users open (top-level names only)
 *
 * An update writes a new timestamped directory, points `..data_tmp` at it
 * and renames that over `..data` (rename(2) is atomic), adds the links of
 * new top-level names, then removes the old directory and the links of
 * names that are gone. Names starting with `..` are reserved.
 *
 * The file operations are synchronous, as kubelet's: a payload is a few
 * small files, a few milliseconds of work, while an `await` per operation
 * costs a turn of the event loop each — seconds per pod on a busy node
 * agent (or all-in-one) starting a hundred pods at once.
 */
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface FileProjection {
  data: Buffer;
  /** Permission bits (e.g. 0o644). */
  mode: number;
}

/** Relative path → content; nested paths (`a/b`) are allowed. */
export type Payload = Map<string, FileProjection>;

export const DATA_DIR = '..data';
const DATA_TMP = '..data_tmp';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
/** `..2006_01_02_15_04_05.` as kube names them (mkdtemp appends a random suffix). */
const tsPrefix = (d: Date) =>
  `..${d.getUTCFullYear()}_${pad(d.getUTCMonth() + 1)}_${pad(d.getUTCDate())}_${pad(d.getUTCHours())}_${pad(d.getUTCMinutes())}_${pad(d.getUTCSeconds())}.`;

const notFound = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** Kube's validatePath: relative, no `..` element, not starting with `..`, sane lengths. */
export function validatePayloadPath(path: string): void {
  if (path === '') throw new Error('invalid path: must not be empty');
  if (path.length > 4096) throw new Error(`invalid path: must be less than or equal to 4096 characters`);
  if (path.startsWith('/')) throw new Error(`invalid path: must be relative path: ${path}`);
  if (path.startsWith('..')) throw new Error(`invalid path: must not start with '..': ${path}`);
  for (const part of path.split('/')) {
    if (part === '..') throw new Error(`invalid path: must not contain '..': ${path}`);
    if (part.length > 255) throw new Error(`invalid path: ${path}: each element must be less than or equal to 255 characters`);
  }
}

export class AtomicWriter {
  constructor(readonly targetDir: string) {}

  /**
   * Projects `payload` into the directory. Resolves true when something
   * changed on disk (a new version was written), false when the payload
   * equals what is there.
   */
  async write(payload: Payload): Promise<boolean> {
    for (const path of payload.keys()) validatePayloadPath(path);
    mkdirSync(this.targetDir, { recursive: true, mode: 0o755 });
    const oldTs = await this.currentVersionDir();
    const oldPaths = oldTs ? listFiles(join(this.targetDir, oldTs)) : new Set<string>();

    if (oldTs && (this.sameAsOnDisk(join(this.targetDir, oldTs), oldPaths, payload))) {
      this.createUserVisibleLinks(payload);
      return false;
    }

    const tsDir = mkdtempSync(join(this.targetDir, tsPrefix(new Date())));
    chmodSync(tsDir, 0o755);
    for (const [path, file] of payload) {
      const full = join(tsDir, path);
      mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
      writeFileSync(full, file.data);
      // chmod after writing: the file mode of writeFile is filtered through the umask.
      chmodSync(full, file.mode);
    }

    const tmpLink = join(this.targetDir, DATA_TMP);
    rmSync(tmpLink, { force: true });
    symlinkSync(tsDir.slice(this.targetDir.length + 1), tmpLink);
    renameSync(tmpLink, join(this.targetDir, DATA_DIR));

    this.createUserVisibleLinks(payload);
    if (oldTs) rmSync(join(this.targetDir, oldTs), { recursive: true, force: true });
    this.removeOrphanedLinks(oldPaths, payload);
    return true;
  }

  /** The name of the directory `..data` points to, if any. */
  async currentVersionDir(): Promise<string | undefined> {
    try {
      return readlinkSync(join(this.targetDir, DATA_DIR));
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  }

  private sameAsOnDisk(dir: string, onDisk: Set<string>, payload: Payload): boolean {
    if (onDisk.size !== payload.size) return false;
    for (const [path, file] of payload) {
      if (!onDisk.has(path)) return false;
      const full = join(dir, path);
      const content = readFileSync(full);
      const st = statSync(full);
      if ((st.mode & 0o7777) !== file.mode || !content.equals(file.data)) return false;
    }
    return true;
  }

  private createUserVisibleLinks(payload: Payload): void {
    for (const top of topLevel(payload.keys())) {
      const link = join(this.targetDir, top);
      try {
        lstatSync(link);
      } catch (err) {
        if (!notFound(err)) throw err;
        symlinkSync(join(DATA_DIR, top), link);
      }
    }
  }

  private removeOrphanedLinks(oldPaths: Set<string>, payload: Payload): void {
    const keep = topLevel(payload.keys());
    for (const top of topLevel(oldPaths)) {
      if (keep.has(top)) continue;
      try {
        unlinkSync(join(this.targetDir, top));
      } catch (err) {
        if (!notFound(err)) throw err;
      }
    }
  }
}

const topLevel = (paths: Iterable<string>) => new Set([...paths].map((p) => p.split('/')[0]));

/** Files (not directories) below `dir`, as relative paths. */
function listFiles(dir: string, prefix = ''): Set<string> {
  const out = new Set<string>();
  let entries;
  try {
    entries = readdirSync(join(dir, prefix), { withFileTypes: true });
  } catch (err) {
    if (notFound(err)) return out;
    throw err;
  }
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) for (const f of listFiles(dir, rel)) out.add(f);
    else out.add(rel);
  }
  return out;
}
