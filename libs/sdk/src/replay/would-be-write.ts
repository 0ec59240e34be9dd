import type { Scale } from '@logbook/api';
import {
  alreadyExists,
  ApiError,
  applyConfiguration,
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  builtinSchemaFor,
  diffObjects,
  generateName,
  jsonEqual,
  notFound,
  optimisticLockConflict,
} from '@logbook/machinery';
import type { JsonPatchOp } from '@logbook/machinery';
import { apiVersionOf, KubeObject, ObjectKey, PatchType, ResourceKind } from '../client';
import type { PastState } from './past-state';

/** A write the reconcile made, captured instead of sent. */
export interface WouldBeWrite {
  verb: 'create' | 'update' | 'patch' | 'delete';
  /** `status`, `scale`, ... when the write went to a subresource. */
  subresource?: string;
  patchType?: PatchType;
  kind: string;
  apiVersion: string;
  namespace?: string;
  name: string;
  fieldManager?: string;
  /** What the reconciler sent: the object, the patch, or the delete options. */
  request: unknown;
  /** The object as of the replayed resourceVersion (with earlier writes of this replay applied). */
  before?: KubeObject;
  /** The object as it would be stored; absent when it would be deleted outright. */
  after?: KubeObject;
  /** From `before` to `after`: an RFC 6902 patch and one readable line per changed path. */
  diff: { patch: JsonPatchOp[]; summary: string[] };
  /** Whether the write would change the object (a write of what is already there changes nothing). */
  changed: boolean;
  /** The API server would have refused it (the reconciler got this error). */
  error?: string;
}

/** Fields the API server sets that say nothing about what the controller decided. */
const hideServerFields = (path: { key?: string }[]): boolean => {
  const [a, b] = path.map((p) => ('key' in p ? p.key : undefined));
  return a === 'metadata' && (b === 'managedFields' || b === 'resourceVersion' || b === 'generation' || b === 'uid' || b === 'creationTimestamp');
};

type Obj = KubeObject & { spec?: unknown; status?: unknown };

/**
 * Computes what the API server would store for each write, against the
 * past state, without sending anything: the patch types of the real server
 * (merge, strategic with the built-in merge keys, JSON patch, server-side
 * apply with managed fields), optimistic concurrency on
 * `metadata.resourceVersion`, status kept apart from spec (writes to the
 * main resource leave status alone and vice versa), `generation` bumped on
 * a spec change, finalizers turning a delete into a `deletionTimestamp`.
 *
 * What it does not do: admission, validation and defaulting (a write the
 * server would reject as invalid is shown as made). ResourceVersions and
 * uids of would-be objects are made up (the replayed one plus a counter;
 * `dry-run-…`).
 */
export class WriteSimulator {
  readonly writes: WouldBeWrite[] = [];
  private counter = 0;

  constructor(
    private readonly state: PastState,
    private readonly now: () => Date,
  ) {}

  async create<T extends KubeObject>(kind: ResourceKind<T>, obj: T, fieldManager?: string): Promise<T> {
    const meta = { ...(obj.metadata ?? {}) };
    const name = meta.name || (meta.generateName ? generateName(meta.generateName) : '');
    const record = this.record(kind, 'create', { namespace: meta.namespace, name }, obj, fieldManager);
    if (!name) return this.fail(record, new ApiError(422, 'Invalid', `${kind.kind} "": metadata.name: Required value: name or generateName is required`));
    const before = await this.state.get(kind, { namespace: meta.namespace, name });
    if (before) return this.fail(record, alreadyExists({ group: kind.group, resource: kind.plural }, name));
    const after = {
      ...structuredClone(obj),
      apiVersion: apiVersionOf(kind),
      kind: kind.kind,
      metadata: {
        ...structuredClone(meta),
        name,
        uid: `dry-run-${this.counter + 1}`,
        resourceVersion: this.nextResourceVersion(),
        creationTimestamp: this.now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        generation: 1,
      },
    } as T;
    return this.commit(kind, record, undefined, after);
  }

  /** A PUT of the object or of one of its subresources (`status`, ...). */
  async update<T extends KubeObject>(kind: ResourceKind<T>, obj: T, subresource: string | undefined, fieldManager?: string): Promise<T> {
    const key = { namespace: obj.metadata?.namespace, name: obj.metadata?.name ?? '' };
    const record = this.record(kind, 'update', key, obj, fieldManager, subresource);
    const before = await this.existing(kind, key, record);
    const rv = obj.metadata?.resourceVersion;
    if (rv && rv !== before.metadata?.resourceVersion) return this.fail(record, optimisticLockConflict({ group: kind.group, resource: kind.plural }, key.name));
    return this.commit(kind, record, before, this.stored(before, structuredClone(obj) as Obj, subresource) as T);
  }

  async patch<T extends KubeObject>(kind: ResourceKind<T>, key: ObjectKey, patch: unknown, type: PatchType, opts: { fieldManager?: string; force?: boolean; subresource?: string }): Promise<T> {
    const record = this.record(kind, 'patch', key, patch, opts.fieldManager, opts.subresource, type);
    let before = (await this.state.get(kind, key)) as Obj | undefined;
    if (!before && !(type === 'apply' && !opts.subresource)) return this.fail(record, notFound({ group: kind.group, resource: kind.plural }, key.name));
    try {
      const live = before ? structuredClone(before) : undefined;
      let patched: Obj;
      switch (type) {
        case 'merge':
          patched = applyMergePatch(live, patch) as Obj;
          break;
        case 'json':
          patched = applyJsonPatch(live, patch) as Obj;
          break;
        case 'strategic':
          patched = applyStrategicMergePatch(live, patch, builtinSchemaFor(apiVersionOf(kind), kind.kind)) as Obj;
          break;
        case 'apply':
          patched = applyConfiguration(live, patch, { manager: opts.fieldManager ?? '', force: opts.force, subresource: opts.subresource, now: this.now() }) as Obj;
          break;
      }
      const rv = patched.metadata?.resourceVersion;
      if (before && rv && rv !== before.metadata?.resourceVersion) throw optimisticLockConflict({ group: kind.group, resource: kind.plural }, key.name);
      if (!before) {
        const created = await this.create(kind, patched as T, opts.fieldManager);
        // Reported once, as the apply it was.
        this.writes.pop();
        return this.commitRecorded(kind, record, undefined, created);
      }
      return this.commit(kind, record, before, this.stored(before, patched, opts.subresource) as T);
    } catch (err) {
      if (err instanceof ApiError) return this.fail(record, err);
      return this.fail(record, new ApiError(422, 'Invalid', `the patch could not be applied: ${(err as Error).message}`));
    }
  }

  async delete<T extends KubeObject>(kind: ResourceKind<T>, key: ObjectKey, options: { preconditions?: { uid?: string; resourceVersion?: string }; propagationPolicy?: string } & Record<string, unknown>): Promise<T> {
    const record = this.record(kind, 'delete', key, options, undefined);
    const before = await this.existing(kind, key, record);
    const pre = options.preconditions;
    if ((pre?.uid && pre.uid !== before.metadata?.uid) || (pre?.resourceVersion && pre.resourceVersion !== before.metadata?.resourceVersion)) {
      return this.fail(record, new ApiError(409, 'Conflict', `Precondition failed for ${kind.plural} "${key.name}"`));
    }
    const finalizers = [...(before.metadata?.finalizers ?? [])];
    if (options.propagationPolicy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    if (finalizers.length === 0) {
      record.before = before;
      record.diff = { patch: [{ op: 'remove', path: '' } as unknown as JsonPatchOp], summary: ['deleted'] };
      record.changed = true;
      this.writes.push(record);
      await this.state.remove(kind as ResourceKind<KubeObject>, key);
      return before as T;
    }
    const after = structuredClone(before) as Obj;
    after.metadata = { ...after.metadata, finalizers, deletionTimestamp: after.metadata?.deletionTimestamp ?? this.now().toISOString().replace(/\.\d{3}Z$/, 'Z') };
    if (jsonEqual(after as never, before as never)) return this.commitRecorded(kind, record, before, before as T);
    after.metadata.resourceVersion = this.nextResourceVersion();
    return this.commitRecorded(kind, record, before, after as T);
  }

  /** The scale subresource as the API server derives it from the object. */
  async getScale(kind: ResourceKind<unknown>, key: ObjectKey): Promise<Scale> {
    const obj = (await this.state.get(kind as ResourceKind<Obj>, key)) as (Obj & { spec?: { replicas?: number }; status?: { replicas?: number } }) | undefined;
    if (!obj) throw notFound({ group: kind.group, resource: kind.plural }, key.name);
    return {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: key.name, namespace: key.namespace, uid: obj.metadata?.uid, resourceVersion: obj.metadata?.resourceVersion },
      spec: { replicas: obj.spec?.replicas ?? 0 },
      status: { replicas: obj.status?.replicas ?? 0 },
    } as Scale;
  }

  async updateScale(kind: ResourceKind<unknown>, key: ObjectKey, scale: Scale, fieldManager?: string): Promise<Scale> {
    const patch = { spec: { replicas: scale.spec?.replicas ?? 0 } };
    await this.patch(kind as ResourceKind<KubeObject>, key, patch, 'merge', { fieldManager, subresource: 'scale' });
    return this.getScale(kind, key);
  }

  // --- internals -----------------------------------------------------------

  private record(kind: ResourceKind<unknown>, verb: WouldBeWrite['verb'], key: ObjectKey, request: unknown, fieldManager?: string, subresource?: string, patchType?: PatchType): WouldBeWrite {
    return {
      verb,
      subresource,
      patchType,
      kind: kind.kind,
      apiVersion: apiVersionOf(kind),
      namespace: kind.namespaced ? key.namespace : undefined,
      name: key.name,
      fieldManager,
      request: structuredClone(request),
      diff: { patch: [], summary: [] },
      changed: false,
    };
  }

  private async existing(kind: ResourceKind<KubeObject>, key: ObjectKey, record: WouldBeWrite): Promise<Obj> {
    const before = await this.state.get(kind, key);
    if (!before) return this.fail(record, notFound({ group: kind.group, resource: kind.plural }, key.name));
    return before as Obj;
  }

  /**
   * What the server keeps of a write: a write to the main resource leaves
   * status as it was, a write to `status` changes only status, a write to
   * `scale` only spec.replicas (as Kubernetes' strategies for kinds with a
   * status subresource do); identity fields are the stored object's.
   */
  private stored(before: Obj, written: Obj, subresource: string | undefined): Obj {
    let after: Obj;
    if (subresource === 'status') after = { ...structuredClone(before), status: written.status };
    else if (subresource === 'scale') after = { ...structuredClone(before), spec: { ...(before.spec as object), replicas: (written.spec as { replicas?: number })?.replicas } };
    else if (subresource) after = { ...structuredClone(before), ...written };
    else after = { ...written, ...('status' in before ? { status: structuredClone(before.status) } : {}) };
    const meta = before.metadata ?? {};
    const identity = { name: meta.name, namespace: meta.namespace, uid: meta.uid, creationTimestamp: meta.creationTimestamp, resourceVersion: meta.resourceVersion, generation: meta.generation };
    after.metadata = { ...(subresource ? meta : after.metadata), ...Object.fromEntries(Object.entries(identity).filter(([, v]) => v !== undefined)) };
    if (meta.deletionTimestamp) after.metadata.deletionTimestamp = meta.deletionTimestamp;
    if (!jsonEqual((before.spec ?? null) as never, (after.spec ?? null) as never) && meta.generation !== undefined) after.metadata.generation = meta.generation + 1;
    after.apiVersion = before.apiVersion;
    after.kind = before.kind;
    return after;
  }

  private async commit<T extends KubeObject>(kind: ResourceKind<T>, record: WouldBeWrite, before: KubeObject | undefined, after: T): Promise<T> {
    // An update that changes nothing is a no-op: the server keeps the resourceVersion.
    if (before && jsonEqual(stripRv(before) as never, stripRv(after) as never)) return this.commitRecorded(kind, record, before, before as T);
    if (before) after.metadata = { ...after.metadata, resourceVersion: this.nextResourceVersion() };
    return this.commitRecorded(kind, record, before, after);
  }

  private async commitRecorded<T extends KubeObject>(kind: ResourceKind<T>, record: WouldBeWrite, before: KubeObject | undefined, after: T): Promise<T> {
    record.before = before;
    record.after = after;
    record.diff = diffObjects(before, after, { hideInSummary: hideServerFields as never });
    if (!before) record.diff.summary = ['created'];
    record.changed = before === undefined || before !== after;
    this.writes.push(record);
    await this.state.put(kind, after);
    return structuredClone(after);
  }

  private fail(record: WouldBeWrite, err: ApiError): never {
    record.error = err.message;
    this.writes.push(record);
    throw err;
  }

  private nextResourceVersion(): string {
    this.counter++;
    return /^\d+$/.test(this.state.resourceVersion) ? String(Number(this.state.resourceVersion) + this.counter) : `${this.state.resourceVersion}-${this.counter}`;
  }
}

function stripRv(o: KubeObject): unknown {
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = o.metadata ?? {};
  return { ...o, metadata: meta };
}
