import { isJsonObject, JsonObject } from '../json';
import {
  comparePathElements,
  FieldPathElements,
  fieldPathToString,
  parsePathElement,
  PathElement,
  serializePathElement,
} from './path-element';

/** The JSON form of a field set in `metadata.managedFields[].fieldsV1`. */
export type FieldsV1 = JsonObject;

/**
 * A set of field paths, as structured-merge-diff's `fieldpath.Set`: a tree
 * whose nodes are path elements. A path belongs to the set when its last
 * element is a *member* of the node reached by the others. A node may be both
 * a member (the field itself is owned) and have children (fields under it
 * are owned too): FieldsV1 writes that as `".": {}`.
 *
 * Sets are immutable once built; operations return new sets.
 */
export class FieldSet {
  private readonly members = new Map<string, PathElement>();
  private readonly children = new Map<string, { pe: PathElement; set: FieldSet }>();

  static empty(): FieldSet {
    return new FieldSet();
  }

  static of(...paths: FieldPathElements[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insertPath(p);
    return s;
  }

  /** Adds a path (builder use only: call before sharing the set). */
  insertPath(path: FieldPathElements): this {
    if (path.length === 0) return this;
    let node: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) node = node.childFor(path[i]);
    const last = path[path.length - 1];
    node.members.set(serializePathElement(last), last);
    return this;
  }

  private childFor(pe: PathElement): FieldSet {
    const key = serializePathElement(pe);
    let entry = this.children.get(key);
    if (!entry) {
      entry = { pe, set: new FieldSet() };
      this.children.set(key, entry);
    }
    return entry.set;
  }

  has(path: FieldPathElements): boolean {
    if (path.length === 0) return false;
    let node: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && node; i++) node = node.children.get(serializePathElement(path[i]))?.set;
    return node !== undefined && node.members.has(serializePathElement(path[path.length - 1]));
  }

  /** True when `pe` itself is a member at this level. */
  hasMember(pe: PathElement): boolean {
    return this.members.has(serializePathElement(pe));
  }

  /** The paths below `pe` (relative to it); empty when there are none. */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(serializePathElement(pe))?.set ?? EMPTY;
  }

  isEmpty(): boolean {
    if (this.members.size > 0) return false;
    for (const { set } of this.children.values()) if (!set.isEmpty()) return false;
    return true;
  }

  union(other: FieldSet): FieldSet {
    const out = this.copy();
    for (const [k, pe] of other.members) out.members.set(k, pe);
    for (const [k, { pe, set }] of other.children) {
      const mine = out.children.get(k);
      out.children.set(k, { pe, set: mine ? mine.set.union(set) : set.copy() });
    }
    return out;
  }

  /** Paths of this set that are not in `other` (path by path, as `Set.Difference`). */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, { pe, set }] of this.children) {
      const theirs = other.children.get(k);
      const rest = theirs ? set.difference(theirs.set) : set.copy();
      if (!rest.isEmpty()) out.children.set(k, { pe, set: rest });
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (other.members.has(k)) out.members.set(k, pe);
    for (const [k, { pe, set }] of this.children) {
      const theirs = other.children.get(k);
      if (!theirs) continue;
      const both = set.intersection(theirs.set);
      if (!both.isEmpty()) out.children.set(k, { pe, set: both });
    }
    return out;
  }

  /** This set without the given paths and everything below them. */
  withoutPrefixes(prefixes: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!prefixes.members.has(k)) out.members.set(k, pe);
    for (const [k, { pe, set }] of this.children) {
      if (prefixes.members.has(k)) continue;
      const theirs = prefixes.children.get(k);
      const rest = theirs ? set.withoutPrefixes(theirs.set) : set.copy();
      if (!rest.isEmpty()) out.children.set(k, { pe, set: rest });
    }
    return out;
  }

  /**
   * Makes every field that has owned fields below it a member too
   * (`EnsureNamedFieldsAreMembers`): owning `spec.replicas` then also counts
   * as owning `spec`. Keyed and set items already are members.
   */
  ensureNamedFieldsAreMembers(): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, { pe, set }] of this.children) {
      if (pe.kind === 'field') out.members.set(k, pe);
      out.children.set(k, { pe, set: set.ensureNamedFieldsAreMembers() });
    }
    return out;
  }

  equals(other: FieldSet): boolean {
    return this.difference(other).isEmpty() && other.difference(this).isEmpty();
  }

  /** Every path, members of a node first, each level in element order. */
  paths(): PathElement[][] {
    const out: PathElement[][] = [];
    this.collect([], out);
    return out;
  }

  private collect(prefix: PathElement[], out: PathElement[][]): void {
    for (const pe of sorted([...this.members.values()])) out.push([...prefix, pe]);
    const kids = [...this.children.values()].sort((a, b) => comparePathElements(a.pe, b.pe));
    for (const { pe, set } of kids) set.collect([...prefix, pe], out);
  }

  /** The paths printed as in conflict messages, e.g. `.spec.replicas`. */
  toStrings(): string[] {
    return this.paths().map(fieldPathToString);
  }

  /** The FieldsV1 JSON written in `managedFields`. */
  toFieldsV1(): FieldsV1 {
    return this.emit(false);
  }

  private emit(includeSelf: boolean): JsonObject {
    const out: JsonObject = {};
    if (includeSelf && !this.isEmptyNode()) out['.'] = {};
    const keys = new Map<string, PathElement>();
    for (const [k, pe] of this.members) keys.set(k, pe);
    for (const [k, { pe }] of this.children) keys.set(k, pe);
    for (const pe of sorted([...keys.values()])) {
      const k = serializePathElement(pe);
      const child = this.children.get(k);
      if (!child) out[k] = {};
      else out[k] = child.set.emit(this.members.has(k));
    }
    return out;
  }

  private isEmptyNode(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  /** Reads FieldsV1 JSON; unknown element types are skipped, as Kubernetes skips them. */
  static fromFieldsV1(json: unknown): FieldSet {
    if (!isJsonObject(json)) throw new Error('FieldsV1 must be a JSON object');
    return read(json).set ?? new FieldSet();
  }

  private copy(): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, { pe, set }] of this.children) out.children.set(k, { pe, set: set.copy() });
    return out;
  }
}

const EMPTY = new FieldSet();

function sorted(pes: PathElement[]): PathElement[] {
  return pes.sort(comparePathElements);
}

function read(json: JsonObject): { set?: FieldSet; isMember: boolean } {
  let set: FieldSet | undefined;
  let isMember = false;
  for (const [key, value] of Object.entries(json)) {
    if (key === '.') {
      isMember = true;
      continue;
    }
    const pe = parsePathElement(key);
    if (!pe) continue;
    const child = isJsonObject(value) ? read(value) : { set: undefined, isMember: true };
    set ??= new FieldSet();
    if (child.isMember) set.insertPath([pe]);
    if (child.set && !child.set.isEmpty()) {
      for (const p of child.set.paths()) set.insertPath([pe, ...p]);
    }
  }
  if (!set) isMember = true;
  return { set, isMember };
}

/** Convenience: a path from parts; strings are fields. */
export function pathOf(...parts: Array<string | PathElement>): PathElement[] {
  return parts.map((p) => (typeof p === 'string' ? { kind: 'field', name: p } : p));
}
