import { randomBytes, randomUUID } from 'crypto';
import { AppendOp, EventLog, KubeObject, ResourceType, StoredEvent } from '@logbook/event-store';
import { ResourceDefinition, Scheme, applyDefaults, prepareForCreate, prepareForStatusUpdate, prepareForUpdate, semanticEqual } from '@logbook/api';
import { ApiError, applyConfiguration, badRequest, conflict, copyJson, forbidden, formatTime, notFound, recordUpdate } from '@logbook/machinery';
import type { AdmissionChain, Operation } from '../admission/admission';
import { RequestContext, provenanceOf } from './context';
import { toApiError } from './errors';
import { NamespaceLifecycle } from './namespace-lifecycle';
import { ObjectValidator } from './validator';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = KubeObject & Record<string, any>;

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  orphanDependents?: boolean;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ListQuery {
  namespace?: string;
  filter?: (o: Obj) => boolean;
  limit?: number;
  continue?: string;
  /** Exact resourceVersion to list at (resourceVersionMatch=Exact, or a continue token). */
  resourceVersion?: number;
}

/**
 * Objects a kind's writes add or remove in the same transaction (the
 * Service registry's ClusterIP and NodePort allocations).
 */
export interface WriteCompanion {
  applies(def: ResourceDefinition): boolean;
  /** May fill in the object (it has its name and uid). */
  create(obj: Obj): Promise<CompanionWrite>;
  /** May fill in `next`, which replaces `old`. */
  update(next: Obj, old: Obj): Promise<CompanionWrite>;
  remove(old: Obj): Promise<AppendOp[]>;
}

export interface CompanionWrite {
  readonly ops: AppendOp[];
  /** A failed append: the error to answer, 'retry' (read and choose again), or undefined when it is not the companion's. */
  explain(err: unknown): ApiError | 'retry' | undefined;
}

/** How many times a read-modify-write retries when it loses a race it did not ask to lose. */
const MAX_RETRIES = 8;

export const now = (): string => formatTime(new Date());

/**
 * Kubernetes' REST semantics over the event log: identity and timestamps on
 * create, generation, status and spec kept apart, graceful and finalizer-
 * guarded deletion, dry run. Objects are stored in their storage version
 * and converted at this boundary. Every write is one append.
 */
export class ResourceStore {
  /** Mutating admission: each may change an incoming object (in its storage version) before defaulting. */
  private readonly mutators: Array<(def: ResourceDefinition, obj: Obj) => Obj> = [];
  private readonly companions: WriteCompanion[] = [];
  /** The admission chain (NamespaceLifecycle, ...): mutating after defaulting, validating just before the write. */
  private admission?: AdmissionChain;

  constructor(
    private readonly log: EventLog,
    readonly scheme: Scheme,
    private readonly validator: ObjectValidator,
    /** Where creates learn their namespace's state; by default a lookup in the log each time. */
    readonly namespaces: NamespaceLifecycle = new NamespaceLifecycle(log),
  ) {}

  /** Adds a mutating admission step, run on every object written through the API. */
  useMutator(mutate: (def: ResourceDefinition, obj: Obj) => Obj): void {
    this.mutators.push(mutate);
  }

  /** Adds objects written along with a kind's objects, in the same append. */
  useCompanion(companion: WriteCompanion): void {
    this.companions.push(companion);
  }

  private companionOf(def: ResourceDefinition): WriteCompanion | undefined {
    return this.companions.find((c) => c.applies(def));
  }

  /** One append, or one atomic appendAll with the companion's ops; resolves with the object's event. */
  private async appendWith(op: AppendOp, extra: AppendOp[] | undefined): Promise<StoredEvent> {
    if (!extra?.length) return this.log.append(op);
    return (await this.log.appendAll([op, ...extra]))[0];
  }

  /** Sets the admission chain every create, update and delete passes. */
  useAdmission(chain: AdmissionChain): void {
    this.admission = chain;
  }

  private async admissionPhase(
    phase: 'admit' | 'validate',
    operation: Operation,
    def: ResourceDefinition,
    ctx: RequestContext,
    objects: { namespace: string; name: string; object?: Obj; oldObject?: Obj },
  ): Promise<void> {
    if (!this.admission) return;
    const attrs = { operation, def: this.storageOf(def), subresource: ctx.subresource ?? '', user: ctx.user, dryRun: ctx.dryRun, ...objects };
    await this.admission[phase](attrs);
  }

  private mutate(def: ResourceDefinition, obj: Obj): Obj {
    return this.mutators.reduce((o, m) => m(def, o), obj);
  }

  storageOf(def: ResourceDefinition): ResourceDefinition {
    return this.scheme.storageVersionOf(def.group, def.resource) ?? def;
  }

  resourceType(def: ResourceDefinition): ResourceType {
    const s = this.storageOf(def);
    return { group: s.group, version: s.version, resource: s.resource, kind: s.kind };
  }

  /** A stored object in the version the client asked for. */
  present(def: ResourceDefinition, stored: Obj): Obj {
    const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
    if (stored.apiVersion === apiVersion) return stored;
    return this.scheme.convert(stored, def.version) as Obj;
  }

  async get(def: ResourceDefinition, namespace: string, name: string): Promise<Obj> {
    const found = await this.log.get(def, namespace, name);
    if (!found) throw notFound({ group: def.group, resource: def.resource }, name);
    return this.present(def, found.object as Obj);
  }

  async tryGet(def: ResourceDefinition, namespace: string, name: string): Promise<{ object: Obj; rv: number } | null> {
    const found = await this.log.get(def, namespace, name);
    return found ? { object: found.object as Obj, rv: found.resourceVersion } : null;
  }

  async getAsOf(def: ResourceDefinition, namespace: string, name: string, rv: number): Promise<Obj> {
    const found = await this.log.getAsOf(def, namespace, name, rv).catch((e) => {
      throw toApiError(e);
    });
    if (!found) throw notFound({ group: def.group, resource: def.resource }, name);
    return this.present(def, found.object as Obj);
  }

  async list(def: ResourceDefinition, q: ListQuery): Promise<{ items: Obj[]; resourceVersion: number; continue?: string }> {
    try {
      const res = await this.log.list(def, {
        namespace: q.namespace,
        limit: q.limit,
        continue: q.continue,
        resourceVersion: q.resourceVersion,
        filter: q.filter as ((o: KubeObject) => boolean) | undefined,
      });
      return { ...res, items: res.items.map((o) => this.present(def, o as Obj)) };
    } catch (err) {
      throw toApiError(err, def);
    }
  }

  // --- create -------------------------------------------------------------

  /**
   * POST, or server-side apply of an object that does not exist yet
   * (`apply.force` set). Field ownership goes to the request's manager.
   */
  async create(def: ResourceDefinition, namespace: string, input: Obj, ctx: RequestContext, apply?: { force: boolean }): Promise<Obj> {
    let obj = this.admit(def, namespace, input);
    await this.checkNamespace(def, obj.metadata.namespace ?? '');
    const manager = { manager: ctx.fieldManager ?? 'unknown', ignoredFields: this.ignoredFields(def, undefined) };
    if (apply) obj = applyConfiguration<Obj>(undefined, obj, { ...manager, force: apply.force });
    obj = this.mutate(def, obj);
    applyDefaults(obj, this.scheme);
    await this.admissionPhase('admit', 'CREATE', def, ctx, { namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '', object: obj });
    if (!apply) obj = recordUpdate(undefined, obj, manager) as Obj;
    const generated = !obj.metadata.name && typeof obj.metadata.generateName === 'string';
    const companion = this.companionOf(def);
    for (let attempt = 0; ; attempt++) {
      // A retry (a generated name taken, or a companion's pick lost to another apiserver) starts from
      // the unstamped object: a ClusterIP or NodePort picked last time is not one the client asked for.
      let candidate = generated || companion ? copyJson(obj) : obj;
      if (generated) candidate.metadata.name = generateName(obj.metadata.generateName as string);
      this.stampCreate(candidate);
      // The kind's create strategy runs once the name and uid are known (kube's BeforeCreate):
      // a Job's selector and labels carry its uid and name.
      candidate = prepareForCreate(candidate, this.scheme) as Obj;
      this.validator.validateCreate(def, candidate);
      await this.admissionPhase('validate', 'CREATE', def, ctx, { namespace: candidate.metadata.namespace ?? '', name: candidate.metadata.name ?? '', object: candidate });
      const extra = await companion?.create(candidate);
      if (ctx.dryRun) return this.present(def, candidate);
      try {
        const e = await this.appendWith({ type: 'create', resourceType: this.resourceType(def), object: candidate, provenance: provenanceOf(ctx, 'create') }, extra?.ops);
        return this.present(def, e.object as Obj);
      } catch (err) {
        const verdict = extra?.explain(err);
        if (verdict instanceof ApiError) throw verdict;
        if (verdict === 'retry' && attempt < MAX_RETRIES) continue;
        const apiErr = toApiError(err, def);
        if (generated && apiErr.reason === 'AlreadyExists' && attempt < MAX_RETRIES) continue;
        throw apiErr;
      }
    }
  }

  private stampCreate(obj: Obj): void {
    const m = obj.metadata;
    m.uid = randomUUID();
    m.creationTimestamp = now();
    delete m.resourceVersion;
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
    delete m.selfLink;
  }

  /**
   * Checks an incoming object against the endpoint it was sent to and turns
   * it into the storage version.
   */
  admit(def: ResourceDefinition, namespace: string, input: Obj): Obj {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw badRequest('the request body must be a JSON object');
    const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
    const obj = copyJson(input) as Obj;
    if (obj.apiVersion === undefined || obj.apiVersion === '') obj.apiVersion = apiVersion;
    if (obj.kind === undefined || obj.kind === '') obj.kind = def.kind;
    if (obj.kind !== def.kind) {
      throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${def.kind})`);
    }
    if (obj.apiVersion !== apiVersion) {
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersion})`);
    }
    if (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata)) obj.metadata = {};
    if (def.namespaced) {
      const given = obj.metadata.namespace;
      if (given && namespace && given !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = namespace || given || 'default';
    } else {
      delete obj.metadata.namespace;
    }
    return this.scheme.toStorageVersion(obj) as Obj;
  }

  /** NamespaceLifecycle's create half, from the cached namespace states (the admission chain's plugin keeps the system namespaces). */
  private async checkNamespace(def: ResourceDefinition, namespace: string): Promise<void> {
    if (!def.namespaced) return;
    const ns = await this.namespaces.get(namespace);
    if (!ns) throw notFound({ group: '', resource: 'namespaces' }, namespace);
    if (ns.terminating) {
      throw forbidden(
        { group: def.group, resource: def.resource },
        '',
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  // --- update -------------------------------------------------------------

  /**
   * PUT: replaces the object. A resourceVersion in the body is a
   * precondition; without one the update is unconditional.
   */
  async update(def: ResourceDefinition, namespace: string, name: string, input: Obj, ctx: RequestContext): Promise<Obj> {
    const obj = this.admit(def, namespace, input);
    if (obj.metadata.name && obj.metadata.name !== name) {
      throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    }
    obj.metadata.name = name;
    const expected = obj.metadata.resourceVersion as string | undefined;
    return this.modify(def, namespace, name, ctx, () => obj, expected);
  }

  /**
   * The read-modify-write loop every change goes through: read the current
   * object, compute the new one, append with the read resourceVersion as
   * precondition; on a conflict the caller did not cause, read again.
   */
  async modify(
    def: ResourceDefinition,
    namespace: string,
    name: string,
    ctx: RequestContext,
    mutate: (current: Obj) => Obj,
    expectedResourceVersion?: string,
    opts: { apply?: { force: boolean; config: Obj } } = {},
  ): Promise<Obj> {
    const manager = { manager: ctx.fieldManager ?? 'unknown', subresource: ctx.subresource, ignoredFields: this.ignoredFields(def, ctx.subresource) };
    for (let attempt = 0; ; attempt++) {
      const current = await this.tryGet(def, namespace, name);
      if (!current) throw notFound({ group: def.group, resource: def.resource }, name);
      if (expectedResourceVersion !== undefined && expectedResourceVersion !== '' && expectedResourceVersion !== String(current.rv)) {
        throw conflict({ group: def.group, resource: def.resource }, name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      const old = current.object;
      const presented = copyJson(this.present(def, old));
      const mutated = opts.apply
        ? (applyConfiguration(presented, opts.apply.config, { ...manager, force: opts.apply.force }) as Obj)
        : mutate(presented);
      let next = this.mutate(def, this.scheme.toStorageVersion(mutated) as Obj);
      applyDefaults(next, this.scheme);
      await this.admissionPhase('admit', 'UPDATE', def, ctx, { namespace, name, object: next, oldObject: old });
      next = this.prepareUpdate(def, next, old, ctx.subresource);
      if (!opts.apply) next = recordUpdate(old, next, manager) as Obj;
      if (semanticEqual(next, old)) return this.present(def, old);
      this.validator.validateUpdate(def, next, old, ctx.subresource);
      await this.admissionPhase('validate', 'UPDATE', def, ctx, { namespace, name, object: next, oldObject: old });
      const finishing = this.finishesDeletion(next);
      const companion = this.companionOf(def);
      const extra = finishing ? companion && { ops: await companion.remove(old), explain: () => 'retry' as const } : await companion?.update(next, old);
      if (ctx.dryRun) return this.present(def, next);
      try {
        const e = await this.appendWith(
          finishing
            ? { type: 'delete', resourceType: this.resourceType(def), namespace, name, object: next, preconditions: { resourceVersion: String(current.rv) }, provenance: provenanceOf(ctx) }
            : { type: 'update', resourceType: this.resourceType(def), object: next, preconditions: { resourceVersion: String(current.rv) }, provenance: provenanceOf(ctx) },
          extra?.ops,
        );
        return this.present(def, e.object as Obj);
      } catch (err) {
        const verdict = extra?.explain(err);
        if (verdict instanceof ApiError) throw verdict;
        if (verdict === 'retry' && attempt < MAX_RETRIES) continue;
        const apiErr = toApiError(err, def);
        const mine = expectedResourceVersion !== undefined && expectedResourceVersion !== '';
        if (apiErr.reason === 'Conflict' && !mine && attempt < MAX_RETRIES) continue;
        throw apiErr;
      }
    }
  }

  /** What a write through this endpoint may not own (Kubernetes' reset fields). */
  private ignoredFields(def: ResourceDefinition, subresource: string | undefined): string[] | undefined {
    if (!def.subresources.some((s) => s.name === 'status')) return undefined;
    return subresource === 'status' ? ['spec', 'metadata'] : subresource ? undefined : ['status'];
  }

  /** Keeps what the writer may not change, by subresource. */
  private prepareUpdate(def: ResourceDefinition, next: Obj, old: Obj, subresource?: string): Obj {
    const m = next.metadata;
    m.uid = old.metadata.uid;
    m.creationTimestamp = old.metadata.creationTimestamp;
    m.namespace = old.metadata.namespace;
    if (old.metadata.deletionTimestamp) {
      m.deletionTimestamp = old.metadata.deletionTimestamp;
      if (old.metadata.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
    } else {
      delete m.deletionTimestamp;
      delete m.deletionGracePeriodSeconds;
    }
    delete m.resourceVersion;
    if (subresource === 'status') return prepareForStatusUpdate(next, old) as Obj;
    if (subresource === 'finalize') {
      // Only spec.finalizers of a Namespace changes through /finalize.
      const out = copyJson(old);
      out.spec = { ...(old.spec ?? {}), finalizers: next.spec?.finalizers ?? [] };
      return out;
    }
    return prepareForUpdate(next, old, this.scheme) as Obj;
  }

  /** An update that leaves a deleting object with nothing holding it deletes it. */
  private finishesDeletion(o: Obj): boolean {
    if (!o.metadata.deletionTimestamp) return false;
    if ((o.metadata.finalizers as string[] | undefined)?.length) return false;
    if (o.kind === 'Namespace' && o.apiVersion === 'v1') return !(o.spec?.finalizers as string[] | undefined)?.length;
    // A pod on a node is deleted by its kubelet (DELETE with grace 0), not by an update.
    if (o.kind === 'Pod' && o.apiVersion === 'v1' && o.spec?.nodeName && Number(o.metadata.deletionGracePeriodSeconds ?? 0) > 0) return false;
    return true;
  }

  /**
   * Assigns a pod to a node (pods/binding): sets spec.nodeName, which no
   * update may change, and the PodScheduled condition. A pod already bound
   * is a conflict.
   */
  async bind(def: ResourceDefinition, namespace: string, name: string, node: string, uid: string | undefined, ctx: RequestContext): Promise<Obj> {
    const gr = { group: def.group, resource: def.resource };
    for (let attempt = 0; ; attempt++) {
      const current = await this.tryGet(def, namespace, name);
      if (!current) throw notFound(gr, name);
      const pod = copyJson(current.object);
      if (uid && uid !== pod.metadata.uid) throw conflict(gr, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata.uid}`);
      if (pod.metadata.deletionTimestamp) throw conflict(gr, name, 'pod is being deleted, cannot be assigned to a host');
      if (pod.spec?.nodeName) throw conflict(gr, name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
      pod.spec = { ...(pod.spec ?? {}), nodeName: node };
      const conditions: Array<Record<string, unknown>> = ((pod.status?.conditions as Array<Record<string, unknown>> | undefined) ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now() });
      pod.status = { ...(pod.status ?? {}), conditions };
      if (ctx.dryRun) return this.present(def, pod);
      try {
        const e = await this.log.append({ type: 'update', resourceType: this.resourceType(def), object: pod, preconditions: { resourceVersion: String(current.rv) }, provenance: provenanceOf(ctx, 'create') });
        return this.present(def, e.object as Obj);
      } catch (err) {
        const apiErr = toApiError(err, def);
        if (apiErr.reason === 'Conflict' && attempt < MAX_RETRIES) continue;
        throw apiErr;
      }
    }
  }

  // --- delete -------------------------------------------------------------

  /**
   * DELETE. Immediate unless something holds the object: finalizers (the
   * Orphan and Foreground policies add theirs), a pod's grace period on its
   * node, or a namespace's spec.finalizers. Then the object only gets a
   * deletionTimestamp, and `deleted` is false (HTTP 202).
   */
  async delete(def: ResourceDefinition, namespace: string, name: string, opts: DeleteOptions, ctx: RequestContext): Promise<{ object: Obj; deleted: boolean }> {
    const gr = { group: def.group, resource: def.resource };
    // Creates in it must not trust a cache that may not show the deletion yet.
    if (def.group === '' && def.resource === 'namespaces') this.namespaces.deleted(name);
    for (let attempt = 0; ; attempt++) {
      const current = await this.tryGet(def, namespace, name);
      if (!current) throw notFound(gr, name);
      const old = current.object;
      const pre = opts.preconditions ?? {};
      if (pre.uid && pre.uid !== old.metadata.uid) {
        throw conflict(gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
      }
      if (pre.resourceVersion && pre.resourceVersion !== String(current.rv)) {
        throw conflict(gr, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.rv}`);
      }
      await this.admissionPhase('validate', 'DELETE', def, ctx, { namespace, name, oldObject: old });
      const next = copyJson(old);
      const finalizers = new Set<string>((old.metadata.finalizers as string[] | undefined) ?? []);
      const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : opts.orphanDependents === false ? 'Background' : undefined);
      if (policy === 'Orphan') finalizers.add('orphan');
      if (policy === 'Foreground') finalizers.add('foregroundDeletion');
      const grace = this.gracePeriod(old, opts);
      const namespaceHeld = old.kind === 'Namespace' && ((old.spec?.finalizers as string[] | undefined)?.length ?? 0) > 0;
      const deferred = finalizers.size > 0 || grace > 0 || namespaceHeld;
      if (deferred) {
        if (finalizers.size > 0) next.metadata.finalizers = [...finalizers];
        if (!old.metadata.deletionTimestamp || grace < Number(old.metadata.deletionGracePeriodSeconds ?? Infinity)) {
          next.metadata.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
          next.metadata.deletionGracePeriodSeconds = grace;
        }
        if (namespaceHeld) next.status = { ...(next.status ?? {}), phase: 'Terminating' };
        if (semanticEqual(next, old)) return { object: this.present(def, old), deleted: false };
        if (ctx.dryRun) return { object: this.present(def, next), deleted: false };
      } else if (ctx.dryRun) {
        return { object: this.present(def, old), deleted: true };
      }
      // What the object held (a Service's allocations) goes in the same append.
      const released = deferred ? undefined : await this.companionOf(def)?.remove(old);
      try {
        const e = await this.appendWith(
          deferred
            ? { type: 'update', resourceType: this.resourceType(def), object: next, preconditions: { resourceVersion: String(current.rv) }, provenance: provenanceOf(ctx, 'delete') }
            : { type: 'delete', resourceType: this.resourceType(def), namespace, name, object: next, preconditions: { resourceVersion: String(current.rv) }, provenance: provenanceOf(ctx, 'delete') },
          released,
        );
        return { object: this.present(def, e.object as Obj), deleted: !deferred };
      } catch (err) {
        const apiErr = toApiError(err, def);
        if (apiErr.reason === 'Conflict' && attempt < MAX_RETRIES) continue;
        throw apiErr;
      }
    }
  }

  /** Seconds a pod on a node gets to stop; 0 for everything else. */
  private gracePeriod(o: Obj, opts: DeleteOptions): number {
    if (o.kind !== 'Pod' || o.apiVersion !== 'v1' || !o.spec?.nodeName) return 0;
    if (o.status?.phase === 'Succeeded' || o.status?.phase === 'Failed') return 0;
    const requested = opts.gracePeriodSeconds ?? o.spec?.terminationGracePeriodSeconds ?? 30;
    return Math.max(0, requested);
  }
}

/** `generateName` plus five characters from Kubernetes' alphabet (no vowels, no look-alikes). */
export function generateName(base: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const bytes = randomBytes(5);
  let suffix = '';
  for (const b of bytes) suffix += alphabet[b % alphabet.length];
  return `${base.length > 58 ? base.slice(0, 58) : base}${suffix}`;
}

