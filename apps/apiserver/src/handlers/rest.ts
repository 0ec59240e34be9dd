import type { IncomingMessage, ServerResponse } from 'http';
import { ResourceDefinition } from '@logbook/api';
import { WatchCache } from '@logbook/event-store';
import {
  ApiError,
  JsonPatchError,
  StrategicMergePatchError,
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  badRequest,
  builtinSchemaFor,
  methodNotSupported,
  notFound,
  unsupportedMediaType,
} from '@logbook/machinery';
import { PATCH_TYPES, PatchType, decodeObject, mediaType, parseJson, parseYaml, readBody } from '../request/body';
import { Rendering } from '../request/negotiate';
import { RequestInfo } from '../request/request-info';
import { successStatus, writeJson } from '../request/respond';
import { RequestContext } from '../storage/context';
import { DeleteOptions, Obj, ResourceStore } from '../storage/resource-store';
import { toTable } from '../tables';
import { fromScale, toScale } from './scale';
import { selectorPredicate } from './selectors';
import { includeObject, serveWatch } from './watch';

/** Resources whose registry returns the deleted object instead of a Status (kube's ReturnDeletedObject). */
const RETURNS_DELETED_OBJECT = new Set(['/pods', '/namespaces', '/services', 'apiextensions.k8s.io/customresourcedefinitions']);

/** One resource request, resolved: which resource, which object, how to answer. */
export interface ResourceRequest {
  req: IncomingMessage;
  res: ServerResponse;
  info: RequestInfo;
  def: ResourceDefinition;
  params: URLSearchParams;
  rendering: Rendering;
  ctx: RequestContext;
}

/** Checks run on a decoded body before it is used (schema types, unknown fields). */
export type BodyCheck = (def: ResourceDefinition, body: Obj, r: ResourceRequest) => void;

/**
 * The verbs on a resource and its status/scale/binding/finalize
 * subresources, over the ResourceStore.
 */
export class ResourceHandlers {
  constructor(
    private readonly store: ResourceStore,
    private readonly cache: WatchCache,
    private readonly checkBody: BodyCheck = () => undefined,
  ) {}

  async handle(r: ResourceRequest): Promise<void> {
    const { info } = r;
    const sub = info.subresource;
    if (sub && !r.def.subresources.some((s) => s.name === sub)) {
      throw notFound({ group: r.def.group, resource: `${r.def.resource}/${sub}` }, info.name);
    }
    if (sub === 'scale') return this.scale(r);
    if (sub === 'binding') return this.binding(r);
    if (sub && sub !== 'status' && sub !== 'finalize') {
      throw methodNotSupported({ group: r.def.group, resource: `${r.def.resource}/${sub}` }, info.verb);
    }
    switch (info.verb) {
      case 'get':
        return this.get(r);
      case 'list':
        return this.list(r);
      case 'watch':
        return serveWatch(r.req, r.res, { def: r.def, namespace: info.namespace, params: r.params, rendering: r.rendering, selector: this.watchSelector(r) }, this.store, this.cache);
      case 'create':
        return this.create(r);
      case 'update':
        return this.update(r);
      case 'patch':
        return this.patch(r);
      case 'delete':
        return this.delete(r);
      case 'deletecollection':
        return this.deleteCollection(r);
    }
    throw methodNotSupported({ group: r.def.group, resource: r.def.resource }, info.verb);
  }

  private verbAllowed(r: ResourceRequest, verb: string): void {
    if (!r.def.verbs.includes(verb)) throw methodNotSupported({ group: r.def.group, resource: r.def.resource }, verb);
  }

  private respond(r: ResourceRequest, code: number, obj: Obj): void {
    if (r.rendering.as === 'Table') {
      writeJson(r.res, code, toTable(r.def, [obj], { includeObject: includeObject(r.params), printerColumns: this.printerColumns(r.def) }));
      return;
    }
    writeJson(r.res, code, obj);
  }

  private printerColumns(def: ResourceDefinition) {
    return def.custom ? (def.printerColumns ?? []) : undefined;
  }

  private async get(r: ResourceRequest): Promise<void> {
    this.verbAllowed(r, 'get');
    const rv = r.params.get('resourceVersion');
    const match = r.params.get('resourceVersionMatch');
    const obj =
      rv && match === 'Exact'
        ? await this.store.getAsOf(r.def, r.info.namespace, r.info.name, Number(rv))
        : await this.store.get(r.def, r.info.namespace, r.info.name);
    this.respond(r, 200, obj);
  }

  private async list(r: ResourceRequest): Promise<void> {
    this.verbAllowed(r, 'list');
    const limit = r.params.has('limit') ? Number(r.params.get('limit')) : undefined;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw badRequest(`invalid limit: ${r.params.get('limit')}`);
    const rvParam = r.params.get('resourceVersion') ?? '';
    const match = r.params.get('resourceVersionMatch') ?? '';
    if (match && !rvParam) throw badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
    if (match && match !== 'Exact' && match !== 'NotOlderThan') throw badRequest(`resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`);
    if (rvParam && !/^\d+$/.test(rvParam)) throw badRequest(`invalid resource version: ${rvParam}`);
    const result = await this.store.list(r.def, {
      namespace: r.info.namespace || undefined,
      filter: selectorPredicate(r.def, r.params),
      limit: limit || undefined,
      continue: r.params.get('continue') || undefined,
      resourceVersion: match === 'Exact' ? Number(rvParam) : undefined,
    });
    const listMeta: Record<string, unknown> = { resourceVersion: String(result.resourceVersion) };
    if (result.continue) listMeta.continue = result.continue;
    if (r.rendering.as === 'Table') {
      writeJson(r.res, 200, toTable(r.def, result.items, { includeObject: includeObject(r.params), listMeta, printerColumns: this.printerColumns(r.def) }));
      return;
    }
    const apiVersion = r.def.group ? `${r.def.group}/${r.def.version}` : r.def.version;
    if (r.rendering.as === 'PartialObjectMetadata') {
      const metaVersion = r.rendering.version;
      writeJson(r.res, 200, {
        kind: 'PartialObjectMetadataList',
        apiVersion: `meta.k8s.io/${metaVersion}`,
        metadata: listMeta,
        items: result.items.map((o) => ({ kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${metaVersion}`, metadata: o.metadata })),
      });
      return;
    }
    writeJson(r.res, 200, { kind: r.def.listKind, apiVersion, metadata: listMeta, items: result.items });
  }

  private watchSelector(r: ResourceRequest) {
    this.verbAllowed(r, 'watch');
    return selectorPredicate(r.def, r.params);
  }

  private async readObject(r: ResourceRequest): Promise<Obj> {
    const body = decodeObject(await readBody(r.req), r.req.headers['content-type']) as Obj;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the request body must be a JSON object');
    this.checkBody(r.def, body, r);
    return body;
  }

  private async create(r: ResourceRequest): Promise<void> {
    this.verbAllowed(r, 'create');
    if (r.info.name) throw methodNotSupported({ group: r.def.group, resource: r.def.resource }, 'create');
    const body = await this.readObject(r);
    const created = await this.store.create(r.def, r.info.namespace, body, r.ctx);
    this.respond(r, 201, created);
  }

  private async update(r: ResourceRequest): Promise<void> {
    this.verbAllowed(r, 'update');
    const body = await this.readObject(r);
    const updated = await this.store.update(r.def, r.info.namespace, r.info.name, body, r.ctx);
    this.respond(r, 200, updated);
  }

  private async readPatch(r: ResourceRequest): Promise<{ type: PatchType; patch: unknown }> {
    const type = mediaType(r.req.headers['content-type']) as PatchType;
    if (!PATCH_TYPES.includes(type)) throw unsupportedMediaType([...PATCH_TYPES]);
    const body = await readBody(r.req);
    const patch = type === 'application/apply-patch+yaml' ? parseYaml(body) : parseJson(body);
    return { type, patch };
  }

  /** Applies a patch document of any of the four types to an object. */
  private applyPatch(def: ResourceDefinition, current: Obj, type: PatchType, patch: unknown): Obj {
    try {
      switch (type) {
        case 'application/json-patch+json':
          return applyJsonPatch(current, patch) as Obj;
        case 'application/merge-patch+json':
          return applyMergePatch(current, patch) as Obj;
        case 'application/strategic-merge-patch+json':
          if (def.custom) throw unsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
          return applyStrategicMergePatch(current, patch, builtinSchemaFor(String(current.apiVersion), String(current.kind))) as Obj;
        case 'application/apply-patch+yaml':
          throw badRequest('server-side apply is not a patch of a document');
      }
    } catch (err) {
      if (err instanceof ApiError) throw err;
      if (err instanceof JsonPatchError || err instanceof StrategicMergePatchError) throw new ApiError(422, 'Invalid', err.message);
      throw badRequest((err as Error).message);
    }
  }

  /**
   * PATCH: read, patch, write with the read resourceVersion as
   * precondition (retrying races), unless the patch itself names a
   * resourceVersion: then that is the precondition, as `kubectl diff` and
   * `apply` rely on.
   */
  private async patch(r: ResourceRequest): Promise<void> {
    this.verbAllowed(r, 'patch');
    const { type, patch } = await this.readPatch(r);
    const requested = (patch as Obj | null)?.metadata?.resourceVersion as string | undefined;
    if (type === 'application/apply-patch+yaml') {
      if (!r.params.get('fieldManager')) throw badRequest('PATCH, fieldManager: Required value: is required for apply patch');
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw badRequest('the applied configuration must be an object');
      const config = patch as Obj;
      this.checkBody(r.def, config, r);
      const force = r.params.get('force') === 'true';
      const exists = await this.store.tryGet(r.def, r.info.namespace, r.info.name);
      if (!exists && !r.info.subresource) {
        const created = await this.store.create(r.def, r.info.namespace, { ...config, metadata: { ...(config.metadata ?? {}), name: r.info.name } }, r.ctx, { force });
        this.respond(r, 201, created);
        return;
      }
      const applied = await this.store.modify(r.def, r.info.namespace, r.info.name, r.ctx, (c) => c, requested, { apply: { force, config } });
      this.respond(r, 200, applied);
      return;
    }
    const patched = await this.store.modify(
      r.def,
      r.info.namespace,
      r.info.name,
      r.ctx,
      (current) => {
        const next = this.applyPatch(r.def, current, type, patch);
        if (typeof next !== 'object' || next === null || Array.isArray(next)) throw badRequest('the patch result must be an object');
        this.checkBody(r.def, next, r);
        return next;
      },
      requested,
    );
    this.respond(r, 200, patched);
  }

  private async readDeleteOptions(r: ResourceRequest): Promise<DeleteOptions> {
    const body = await readBody(r.req);
    const opts: DeleteOptions = body.length ? ((decodeObject(body, r.req.headers['content-type']) as DeleteOptions) ?? {}) : {};
    const p = r.params;
    if (p.has('propagationPolicy')) opts.propagationPolicy = p.get('propagationPolicy') as DeleteOptions['propagationPolicy'];
    if (p.has('gracePeriodSeconds')) opts.gracePeriodSeconds = Number(p.get('gracePeriodSeconds'));
    if (p.has('orphanDependents')) opts.orphanDependents = p.get('orphanDependents') === 'true';
    const policy = opts.propagationPolicy;
    if (policy !== undefined && !['Background', 'Foreground', 'Orphan'].includes(policy)) {
      throw new ApiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
    }
    return opts;
  }

  private async delete(r: ResourceRequest): Promise<void> {
    this.verbAllowed(r, 'delete');
    const opts = await this.readDeleteOptions(r);
    const { object, deleted } = await this.store.delete(r.def, r.info.namespace, r.info.name, opts, r.ctx);
    if (!deleted) {
      this.respond(r, 202, object);
    } else if (RETURNS_DELETED_OBJECT.has(`${r.def.group}/${r.def.resource}`)) {
      this.respond(r, 200, object);
    } else {
      // As kube-apiserver's generic registry: a Status naming what went.
      const details: Record<string, unknown> = { name: object.metadata.name, kind: r.def.resource, uid: object.metadata.uid };
      if (r.def.group) details.group = r.def.group;
      // metadata.resourceVersion (Status carries a ListMeta) is the DELETED
      // event's position: a client can wait for its cache to get there.
      writeJson(r.res, 200, { ...successStatus(details), metadata: { resourceVersion: object.metadata.resourceVersion } });
    }
  }

  private async deleteCollection(r: ResourceRequest): Promise<void> {
    this.verbAllowed(r, 'deletecollection');
    const opts = await this.readDeleteOptions(r);
    const { items } = await this.store.list(r.def, { namespace: r.info.namespace || undefined, filter: selectorPredicate(r.def, r.params) });
    for (const o of items) {
      await this.store.delete(r.def, o.metadata.namespace ?? '', o.metadata.name!, opts, r.ctx)
.catch((err: unknown) => {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      });
    }
    writeJson(r.res, 200, successStatus());
  }

  private async scale(r: ResourceRequest): Promise<void> {
    const { def, info } = r;
    if (info.verb === 'get') {
      writeJson(r.res, 200, toScale(def, await this.store.get(def, info.namespace, info.name)));
      return;
    }
    if (info.verb !== 'update' && info.verb !== 'patch') throw methodNotSupported({ group: def.group, resource: `${def.resource}/scale` }, info.verb);
    const change = info.verb === 'update' ? { type: undefined, body: await this.readObject({ ...r, def: { ...def, kind: 'Scale' } }) } : { ...(await this.readPatch(r)), body: undefined };
    const expected = info.verb === 'update' ? (change.body?.metadata?.resourceVersion as string | undefined) : undefined;
    const updated = await this.store.modify(
      def,
      info.namespace,
      info.name,
      { ...r.ctx, subresource: undefined },
      (current) => {
        const scale = toScale(def, current);
        const next = change.body ?? this.applyPatch(def, scale, change.type as PatchType, (change as { patch: unknown }).patch);
        if (typeof next.spec?.replicas !== 'number' || !Number.isInteger(next.spec.replicas)) {
          throw new ApiError(422, 'Invalid', `Scale.autoscaling "${info.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(next.spec?.replicas)}: must be an integer`);
        }
        return fromScale(current, next);
      },
      expected,
    );
    writeJson(r.res, 200, toScale(def, updated));
  }

  /** POST pods/{name}/binding: the scheduler's assignment of a pod to a node. */
  private async binding(r: ResourceRequest): Promise<void> {
    const { def, info } = r;
    if (info.verb !== 'create') throw methodNotSupported({ group: def.group, resource: `${def.resource}/binding` }, info.verb);
    const binding = decodeObject(await readBody(r.req), r.req.headers['content-type']) as Obj;
    const node = binding?.target?.name;
    if (!node) throw new ApiError(422, 'Invalid', `Binding "${info.name}" is invalid: target.name: Required value`);
    await this.store.bind(def, info.namespace, info.name, node, binding.metadata?.uid, r.ctx);
    writeJson(r.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  }
}

