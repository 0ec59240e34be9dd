import { matchesFieldSelector } from '@logbook/machinery';
import type { LabelSelector } from '@logbook/machinery';
import { Store } from '../cache';
import { deepFreeze } from '../cache/object-key';
import { kindKey, KubeObject, ListOptions, ListResult, ObjectKey, ResourceKind } from '../client';

/**
 * Where the past is read from: anything that lists a kind at a
 * resourceVersion with `resourceVersionMatch=Exact`. A `KubeClient` is one;
 * the CLI passes its own HTTP client.
 */
export interface PastReader {
  list<T>(kind: ResourceKind<T>, opts: ListOptions): Promise<ListResult<T>>;
}

/** What a replayed reconcile read, for the report. */
export interface ReplayRead {
  verb: 'get' | 'list';
  kind: string;
  apiVersion: string;
  namespace?: string;
  name?: string;
  labelSelector?: string;
  /** Objects returned. */
  count: number;
}

const PAGE = 500;

/**
 * The cluster as of one resourceVersion, kind by kind, plus the would-be
 * writes of the replay laid over it (so a reconcile reads its own writes).
 *
 * Each kind is listed once, whole (as an informer would), at the
 * resourceVersion with `resourceVersionMatch=Exact`: the API server answers
 * from its event log, or 410 Gone below the retention horizon. Objects are
 * deep-frozen, as an informer's are.
 */
export class PastState {
  private readonly stores = new Map<string, Promise<Store<KubeObject>>>();
  readonly reads: ReplayRead[] = [];

  constructor(
    private readonly reader: PastReader,
    readonly resourceVersion: string,
  ) {}

  /** The kind's objects as of the resourceVersion with this replay's writes applied. */
  store<T extends KubeObject>(kind: ResourceKind<T>): Promise<Store<T>> {
    const key = kindKey(kind);
    let store = this.stores.get(key);
    if (!store) {
      store = this.load(kind as ResourceKind<KubeObject>);
      this.stores.set(key, store);
      // A failed list is not cached: the next read tries again.
      store.catch(() => this.stores.delete(key));
    }
    return store as unknown as Promise<Store<T>>;
  }

  async get<T extends KubeObject>(kind: ResourceKind<T>, key: ObjectKey): Promise<T | undefined> {
    const obj = (await this.store(kind)).get(kind.namespaced ? key.namespace : undefined, key.name);
    this.reads.push({ verb: 'get', ...this.kindOf(kind), namespace: kind.namespaced ? key.namespace : undefined, name: key.name, count: obj ? 1 : 0 });
    return obj;
  }

  async list<T extends KubeObject>(
    kind: ResourceKind<T>,
    opts: { namespace?: string; labelSelector?: string | LabelSelector; fieldSelector?: string } = {},
  ): Promise<T[]> {
    const namespace = kind.namespaced ? opts.namespace || undefined : undefined;
    let items = (await this.store(kind)).list(namespace, opts.labelSelector);
    if (opts.fieldSelector) items = items.filter((o) => matchesFieldSelector(o, opts.fieldSelector!));
    const labelSelector = opts.labelSelector === undefined ? undefined : String(opts.labelSelector);
    this.reads.push({ verb: 'list', ...this.kindOf(kind), namespace, labelSelector: labelSelector || undefined, count: items.length });
    return items;
  }

  /** Records a would-be write: the object as it would be stored, or its removal. */
  async put<T extends KubeObject>(kind: ResourceKind<T>, obj: T): Promise<void> {
    (await this.store(kind)).upsert(deepFreeze(structuredClone(obj)));
  }

  async remove(kind: ResourceKind<KubeObject>, key: ObjectKey): Promise<void> {
    (await this.store(kind)).remove(kind.namespaced && key.namespace ? `${key.namespace}/${key.name}` : key.name);
  }

  private kindOf(kind: ResourceKind<unknown>) {
    return { kind: kind.kind, apiVersion: kind.group ? `${kind.group}/${kind.version}` : kind.version };
  }

  private async load(kind: ResourceKind<KubeObject>): Promise<Store<KubeObject>> {
    const store = new Store<KubeObject>();
    let cont: string | undefined;
    do {
      // A continue token carries the snapshot's resourceVersion; Kubernetes refuses both together.
      const at = cont ? { continue: cont } : { resourceVersion: this.resourceVersion, resourceVersionMatch: 'Exact' as const };
      const page = await this.reader.list(kind, { ...at, limit: PAGE });
      for (const item of page.items) store.upsert(deepFreeze(item));
      cont = page.continue;
    } while (cont);
    return store;
  }
}
