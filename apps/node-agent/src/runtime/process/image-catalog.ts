import * as fs from 'fs';
import * as path from 'path';
import { load } from 'js-yaml';
import { normalizeImage } from '../image-reference';

/** One entry of the catalog file (see apps/node-agent/images/catalog.yaml). */
export interface CatalogEntry {
  name: string;
  tags?: string[];
  dir?: string;
  entrypoint?: string[];
  cmd?: string[];
  workingDir?: string;
  env?: Record<string, string>;
}

/** What an image runs, resolved: absolute paths, the node's own Node.js for `node`. */
export interface ResolvedImage {
  /** The image reference as runtimes report it (`docker.io/luksa/kubia:latest`). */
  reference: string;
  entrypoint: string[];
  cmd: string[];
  workingDir?: string;
  env: Record<string, string>;
  /** The image's files (absolute), if it has any. */
  dir?: string;
}

/** The parts of an image reference: `registry/user/name:tag@digest`. */
export interface ImageReference {
  /** The last component of the repository: `kubia` for `docker.io/luksa/kubia:v2`. */
  name: string;
  /** `latest` when none is given; undefined for a reference by digest alone. */
  tag?: string;
  digest?: string;
}

export function parseImageReference(image: string): ImageReference {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const lastSlash = rest.lastIndexOf('/');
  const last = rest.slice(lastSlash + 1);
  const colon = last.indexOf(':');
  const name = colon >= 0 ? last.slice(0, colon) : last;
  const tag = colon >= 0 ? last.slice(colon + 1) : digest ? undefined : 'latest';
  return { name: name.toLowerCase(), tag, digest };
}

/** The catalog shipped with the node agent: apps/node-agent/images/catalog.yaml, from src/ or dist/. */
export function defaultCatalogPath(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'apps', 'node-agent', 'images', 'catalog.yaml');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error('apps/node-agent/images/catalog.yaml not found above ' + __dirname);
  }
}

/**
 * The local image catalog of the `process` runtime: maps image references
 * to a command, so manifests keep their images (`luksa/kubia`) and still
 * run here as OS processes.
 */
export class ImageCatalog {
  private constructor(
    private readonly entries: CatalogEntry[],
    private readonly baseDir: string,
  ) {}

  /** Reads a catalog file; throws with the file name on a malformed one. */
  static load(file: string = process.env.LOGBOOK_IMAGE_CATALOG || defaultCatalogPath()): ImageCatalog {
    const doc = load(fs.readFileSync(file, 'utf8')) as { images?: unknown };
    const entries = doc?.images;
    if (!Array.isArray(entries)) throw new Error(`${file}: expected a top-level "images" list`);
    entries.forEach((e: CatalogEntry, i) => {
      const where = `${file}: images[${i}]`;
      if (!e || typeof e.name !== 'string' || !e.name) throw new Error(`${where}: name is required`);
      for (const k of ['tags', 'entrypoint', 'cmd'] as const) {
        const v = e[k];
        if (v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) throw new Error(`${where}: ${k} must be a list of strings`);
      }
      if (!e.entrypoint?.length && !e.cmd?.length) throw new Error(`${where}: entrypoint or cmd is required`);
    });
    return new ImageCatalog(entries as CatalogEntry[], path.dirname(path.resolve(file)));
  }

  /** What `image` runs, or undefined if the catalog has no such image (the pod gets ErrImagePull). */
  resolve(image: string): ResolvedImage | undefined {
    const ref = parseImageReference(image);
    const named = this.entries.filter((e) => e.name === ref.name);
    const entry = named.find((e) => ref.tag !== undefined && e.tags?.includes(ref.tag)) ?? named.find((e) => !e.tags);
    if (!entry) return undefined;
    const dir = entry.dir ? path.resolve(this.baseDir, entry.dir) : undefined;
    const word = (w: string) => (w === 'node' ? process.execPath : dir && w.startsWith('./') ? path.join(dir, w) : w);
    return {
      reference: normalizeImage(image),
      entrypoint: (entry.entrypoint ?? []).map(word),
      cmd: (entry.cmd ?? []).map(word),
      workingDir: entry.workingDir,
      env: { ...(entry.env ?? {}), ...(dir ? { IMAGE_DIR: dir } : {}) },
      dir,
    };
  }
}
