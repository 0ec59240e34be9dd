import { LabelSelector, parseLabelSelector } from '@logbook/machinery';
import type { KubeObject } from '../client';
import { objectKey } from './object-key';

/** Computes the values an object is indexed under (none, one or several). */
export type IndexFunc<T> = (obj: T) => string[];

/** Index of objects by namespace ('' for cluster-scoped). */
export const NAMESPACE_INDEX = 'namespace';
/** Index by the uid of every owner in `ownerReferences`. */
export const OWNER_UID_INDEX = 'owner-uid';
/** Index by the uid of the controlling owner (`controller: true`). */
export const CONTROLLER_UID_INDEX = 'controller-uid';
/** Index by label, as `key=value`. */
export const LABEL_INDEX = 'label';

export function defaultIndexers<T extends KubeObject>(): Record<string, IndexFunc<T>> {
  return {
    [NAMESPACE_INDEX]: (o) => [o.metadata?.namespace ?? ''],
    [OWNER_UID_INDEX]: (o) => (o.metadata?.ownerReferences ?? []).map((r) => r.uid),
    [CONTROLLER_UID_INDEX]: (o) => (o.metadata?.ownerReferences ?? []).filter((r) => r.controller).map((r) => r.uid),
    [LABEL_INDEX]: (o) => Object.entries(o.metadata?.labels ?? {}).map(([k, v]) => `${k}=${v}`),
  };
}

/** Read access to a cache (client-go's listers and `Indexer` reads). */
export interface Lister<T> {
  get(namespace: string | undefined, name: string): T | undefined;
  getByKey(key: string): T | undefined;
  /** Objects in `namespace` (all when omitted) matching `selector` (a LabelSelector or its string form). */
  list(namespace?: string, selector?: string | LabelSelector): T[];
  /** Objects indexed under `value` by the index `indexName`. */
  byIndex(indexName: string, value: string): T[];
  /** Every value the index `indexName` holds objects under. */
  indexValues(indexName: string): string[];
  keys(): string[];
  readonly size: number;
}

interface Index<T> {
  fn: IndexFunc<T>;
  entries: Map<string, Set<string>>;
}

/**
 * Objects by `namespace/name`, with indexes kept up to date on every change
 * (client-go's `cache.Indexer`). The default indexes are by namespace, by
 * owner uid, by controller uid and by label; `addIndexer` adds more, at any
 * time (existing objects are indexed at once).
 */
export class Store<T extends KubeObject> implements Lister<T> {
  private readonly items = new Map<string, T>();
  private readonly indexes = new Map<string, Index<T>>();

  constructor(indexers: Record<string, IndexFunc<T>> = defaultIndexers<T>()) {
    for (const [name, fn] of Object.entries(indexers)) this.addIndexer(name, fn);
  }

  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (this.indexes.has(name)) throw new Error(`an index named ${JSON.stringify(name)} exists already`);
    const index: Index<T> = { fn, entries: new Map() };
    this.indexes.set(name, index);
    for (const [key, obj] of this.items) this.indexOne(index, key, obj);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): T | undefined {
    return this.items.get(key);
  }

  list(namespace?: string, selector?: string | LabelSelector): T[] {
    const sel = typeof selector === 'string' ? parseLabelSelector(selector) : selector;
    let candidates: Iterable<string> | undefined = namespace !== undefined ? this.keysIn(NAMESPACE_INDEX, namespace) : undefined;
    // An equality requirement narrows the candidates through the label index.
    const eq = sel?.requirements.find((r) => (r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1);
    if (eq) {
      const byLabel = this.keysIn(LABEL_INDEX, `${eq.key}=${eq.values[0]}`);
      candidates = candidates ? [...candidates].filter((k) => byLabel.has(k)) : byLabel;
    }
    const out: T[] = [];
    for (const key of candidates ?? this.items.keys()) {
      const obj = this.items.get(key);
      if (!obj) continue;
      if (namespace !== undefined && (obj.metadata?.namespace ?? '') !== namespace) continue;
      if (sel && !sel.matches(obj.metadata?.labels ?? {})) continue;
      out.push(obj);
    }
    return out;
  }

  byIndex(indexName: string, value: string): T[] {
    return [...this.keysIn(indexName, value)].map((k) => this.items.get(k)!).filter(Boolean);
  }

  indexValues(indexName: string): string[] {
    return [...this.index(indexName).entries.keys()];
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  /** Adds or replaces an object; returns the one it replaced. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const index of this.indexes.values()) this.indexOne(index, key, obj);
    return old;
  }

  /** Removes an object by key; returns it. */
  remove(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  // --- internals -----------------------------------------------------------

  private index(name: string): Index<T> {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`no index named ${JSON.stringify(name)} (known: ${[...this.indexes.keys()].join(', ')})`);
    return index;
  }

  private keysIn(indexName: string, value: string): Set<string> {
    return this.index(indexName).entries.get(value) ?? new Set();
  }

  private indexOne(index: Index<T>, key: string, obj: T): void {
    for (const value of new Set(index.fn(obj))) {
      let keys = index.entries.get(value);
      if (!keys) index.entries.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const index of this.indexes.values()) {
      for (const value of new Set(index.fn(obj))) {
        const keys = index.entries.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.entries.delete(value);
      }
    }
  }
}
