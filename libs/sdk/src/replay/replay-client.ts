import type { Scale } from '@logbook/api';
import { notFound } from '@logbook/machinery';
import { NEVER, Observable } from 'rxjs';
import {
  ApplyOptions,
  DeleteOptions,
  KubeClient,
  KubeObject,
  ListOptions,
  ListResult,
  ObjectKey,
  ObservedWrite,
  PatchOptions,
  ResourceKind,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from '../client';
import { PastState } from './past-state';
import { WriteSimulator } from './would-be-write';

interface ReplayScope {
  causeSeq?: string;
  fieldManager?: string;
  observers: ReadonlyArray<(write: ObservedWrite) => void>;
}

/** A request a dry replay cannot serve: nothing was sent. */
export class ReplayUnsupportedError extends Error {
  constructor(what: string) {
    super(`${what} is not available in a dry replay`);
    this.name = 'ReplayUnsupportedError';
  }
}

/**
 * The `KubeClient` a replayed reconcile gets: reads answer from the cluster
 * as of the replayed resourceVersion (with the replay's own writes laid
 * over it), writes are computed by the WriteSimulator and captured, never
 * sent. A watch never delivers anything: time stands still in a replay.
 *
 * It is a KubeClient so that reconcilers (and the helpers they call) take
 * it unchanged. Its base is pointed at an address that cannot resolve, so
 * a method added to KubeClient and not overridden here fails instead of
 * reaching a real server.
 */
export class ReplayClient extends KubeClient {
  constructor(
    private readonly state: PastState,
    private readonly simulator: WriteSimulator,
    private readonly replayScope: ReplayScope = { observers: [] },
  ) {
    super({ server: 'http://dry-run.invalid' });
  }

  override get causeSeq(): string | undefined {
    return this.replayScope.causeSeq;
  }

  override withCause(resourceVersion: string | undefined): KubeClient {
    return new ReplayClient(this.state, this.simulator, { ...this.replayScope, causeSeq: resourceVersion });
  }

  override withFieldManager(fieldManager: string): KubeClient {
    return new ReplayClient(this.state, this.simulator, { ...this.replayScope, fieldManager });
  }

  override withRequestTimeout(): KubeClient {
    return this;
  }

  override observeWrites(observer: (write: ObservedWrite) => void): KubeClient {
    return new ReplayClient(this.state, this.simulator, { ...this.replayScope, observers: [...this.replayScope.observers, observer] });
  }

  // --- reads: the past ---------------------------------------------------------

  override async get<T>(kind: ResourceKind<T>, key: ObjectKey): Promise<T> {
    const obj = await this.state.get(kind as ResourceKind<KubeObject>, key);
    if (!obj) throw notFound({ group: kind.group, resource: kind.plural }, key.name);
    return structuredClone(obj) as T;
  }

  /** The whole list in one page, as of the replayed resourceVersion (`limit` and `continue` are ignored). */
  override async list<T>(kind: ResourceKind<T>, opts: ListOptions = {}): Promise<ListResult<T>> {
    const items = await this.state.list(kind as ResourceKind<KubeObject>, opts);
    return { items: items.map((o) => structuredClone(o) as T), resourceVersion: this.state.resourceVersion };
  }

  override watch<T>(_kind: ResourceKind<T>, _opts?: WatchOptions): Observable<WatchEvent<T>> {
    return NEVER;
  }

  override getRaw(): never {
    throw new ReplayUnsupportedError('a raw GET');
  }

  override discover(): never {
    throw new ReplayUnsupportedError('discovery');
  }

  override getScale(kind: ResourceKind<unknown>, key: ObjectKey): Promise<Scale> {
    return this.simulator.getScale(kind, key);
  }

  // --- writes: captured ----------------------------------------------------------

  override create<T extends KubeObject>(kind: ResourceKind<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.observed(kind, 'create', this.simulator.create(kind, obj, this.manager(opts.fieldManager)));
  }

  override update<T extends KubeObject>(kind: ResourceKind<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.observed(kind, 'update', this.simulator.update(kind, obj, undefined, this.manager(opts.fieldManager)));
  }

  override updateStatus<T extends KubeObject>(kind: ResourceKind<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.observed(kind, 'update', this.simulator.update(kind, obj, 'status', this.manager(opts.fieldManager)));
  }

  override updateSubresource<T extends KubeObject, R = T>(kind: ResourceKind<T>, obj: T, subresource: string, opts: WriteOptions = {}): Promise<R> {
    return this.observed(kind, 'update', this.simulator.update(kind, obj, subresource, this.manager(opts.fieldManager))) as Promise<unknown> as Promise<R>;
  }

  override patch<T>(kind: ResourceKind<T>, key: ObjectKey, patch: unknown, opts: PatchOptions): Promise<T> {
    return this.dryPatch(kind, key, patch, opts);
  }

  override patchStatus<T>(kind: ResourceKind<T>, key: ObjectKey, patch: unknown, opts: PatchOptions): Promise<T> {
    return this.dryPatch(kind, key, patch, opts, 'status');
  }

  override apply<T extends KubeObject>(kind: ResourceKind<T>, obj: T, opts: ApplyOptions): Promise<T> {
    const key = { namespace: obj.metadata?.namespace, name: obj.metadata?.name ?? '' };
    return this.dryPatch(kind, key, obj, { ...opts, type: 'apply' });
  }

  override delete<T>(kind: ResourceKind<T>, key: ObjectKey, opts: DeleteOptions = {}): Promise<T> {
    const k = kind as ResourceKind<KubeObject>;
    return this.observed(k, 'delete', this.simulator.delete(k, key, { ...opts })) as Promise<unknown> as Promise<T>;
  }

  override async updateScale(kind: ResourceKind<unknown>, key: ObjectKey, scale: Scale, opts: WriteOptions = {}): Promise<Scale> {
    return this.simulator.updateScale(kind, key, scale, this.manager(opts.fieldManager));
  }

  // --- internals ---------------------------------------------------------------

  private dryPatch<T>(kind: ResourceKind<T>, key: ObjectKey, patch: unknown, opts: PatchOptions, subresource?: string): Promise<T> {
    const k = kind as ResourceKind<KubeObject>;
    const write = this.simulator.patch(k, key, patch, opts.type, { fieldManager: this.manager(opts.fieldManager), force: opts.force, subresource });
    return this.observed(k, 'patch', write) as Promise<unknown> as Promise<T>;
  }

  private manager(fieldManager: string | undefined): string | undefined {
    return fieldManager ?? this.replayScope.fieldManager;
  }

  private async observed<T extends KubeObject>(kind: ResourceKind<T>, verb: ObservedWrite['verb'], write: Promise<T>): Promise<T> {
    const object = await write;
    for (const observe of this.replayScope.observers) observe({ kind, verb, object });
    return object;
  }
}
