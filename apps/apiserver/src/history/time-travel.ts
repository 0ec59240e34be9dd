import type { IncomingMessage, ServerResponse } from 'http';
import type { HistoryQueries } from '@logbook/event-store';
import { ApiError, badRequest, notFound } from '@logbook/machinery';
import { Discovery } from '../handlers/discovery';
import { selectorPredicate } from '../handlers/selectors';
import { includeObject } from '../handlers/watch';
import { negotiate } from '../request/negotiate';
import { parseRequestInfo } from '../request/request-info';
import { writeJson } from '../request/respond';
import { resourceNotFound, toApiError } from '../storage/errors';
import type { Obj, ResourceStore } from '../storage/resource-store';
import { toTable } from '../tables';
import { parseSeq, parseTime } from './query';

export const AS_OF_HEADER = 'X-Logbook-Resource-Version';

/**
 * Time travel: `/apis/logbook.io/v1/asof/{point}/{any API path}` answers a
 * get or list as the API would have answered it at that point. `point` is a
 * resourceVersion or a time (RFC 3339, or a duration before now such as
 * `2h`); a time means the last resourceVersion committed at or before it.
 * Discovery is served under the prefix too, so
 * `kubectl --server http://host:8080/apis/logbook.io/v1/asof/<point> get ...`
 * is a read-only kubectl into the past. Below the retention horizon: 410.
 */
export class TimeTravel {
  private readonly discovery: Discovery;

  constructor(
    private readonly store: ResourceStore,
    private readonly queries: HistoryQueries,
  ) {
    this.discovery = new Discovery(store.scheme);
  }

  /** The resourceVersion a point names, and the time it stands for (for ages in tables). */
  async resolve(point: string): Promise<{ rv: number; at?: Date }> {
    if (/^\d+$/.test(point)) {
      const rv = parseSeq('asof', point);
      const head = await this.queries.bounds();
      if (rv > head.seq) throw new ApiError(504, 'Timeout', `Too large resource version: ${rv}, current resource version: ${head.seq}`, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
      const e = await this.queries.event(rv);
      return { rv, at: e?.time };
    }
    const at = parseTime('asof', point);
    if (at.getTime() > Date.now()) throw badRequest(`asof: ${point} is in the future`);
    return { rv: await this.queries.seqAt(at), at };
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL, rest: string[]): Promise<void> {
    const [point, ...inner] = rest;
    if (!point) throw badRequest('asof needs a point: /apis/logbook.io/v1/asof/{resourceVersion|time}/{API path}');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new ApiError(405, 'MethodNotAllowed', `${req.method} is not supported on the past: /asof serves get and list only`);
    }
    const { rv, at } = await this.resolve(point);
    const innerUrl = new URL('/' + inner.map(encodeURIComponent).join('/') + url.search, 'http://localhost');
    const info = parseRequestInfo('GET', innerUrl);
    const headers = { [AS_OF_HEADER]: String(rv) };
    if (info.apiPrefix === '') throw resourceNotFound();
    if (!info.isResourceRequest) {
      writeJson(res, 200, this.discoveryDocument(req, info.apiPrefix, info.group, info.version, info.parts), headers);
      return;
    }
    if (info.group === 'logbook.io') throw resourceNotFound();
    const def = this.store.scheme.byGroupVersionResource(info.group, info.version, info.resource);
    if (!def || (!def.namespaced && info.namespace) || (def.namespaced && !info.namespace && info.name && info.resource !== 'namespaces')) throw resourceNotFound();
    if (info.subresource && info.subresource !== 'status') throw notFound({ group: def.group, resource: `${def.resource}/${info.subresource}` }, info.name);
    if (info.verb === 'watch') throw badRequest('asof serves get and list; to follow changes from a point, watch with resourceVersion');
    const params = innerUrl.searchParams;
    const rendering = negotiate(req.headers.accept);
    const printerColumns = def.custom ? (def.printerColumns ?? []) : undefined;
    const tableOpts = { includeObject: includeObject(params), printerColumns, now: at ?? new Date() };
    try {
      if (info.verb === 'get') {
        // Read from the list at that resourceVersion (the log's state of every object then), filtered to the one.
        const found = await this.store.list(def, { namespace: info.namespace || undefined, filter: (o) => o.metadata?.name === info.name, resourceVersion: rv });
        const obj = found.items[0] as Obj | undefined;
        if (!obj) throw notFound({ group: def.group, resource: def.resource }, info.name);
        writeJson(res, 200, rendering.as === 'Table' ? toTable(def, [obj], tableOpts) : obj, headers);
        return;
      }
      const limit = params.has('limit') ? Number(params.get('limit')) : undefined;
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw badRequest(`invalid limit: ${params.get('limit')}`);
      const result = await this.store.list(def, {
        namespace: info.namespace || undefined,
        filter: selectorPredicate(def, params),
        limit: limit || undefined,
        continue: params.get('continue') || undefined,
        resourceVersion: rv,
      });
      const listMeta: Record<string, unknown> = { resourceVersion: String(result.resourceVersion) };
      if (result.continue) listMeta.continue = result.continue;
      if (rendering.as === 'Table') {
        writeJson(res, 200, toTable(def, result.items as Obj[], { ...tableOpts, listMeta }), headers);
        return;
      }
      const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
      writeJson(res, 200, { kind: def.listKind, apiVersion, metadata: listMeta, items: result.items }, headers);
    } catch (err) {
      throw toApiError(err, def);
    }
  }

  private discoveryDocument(req: IncomingMessage, prefix: string, group: string, version: string, parts: string[]): unknown {
    let body: unknown;
    if (prefix === 'api' && parts.length === 1) body = this.discovery.apiVersions(req.headers.host ?? '127.0.0.1:8080');
    else if (prefix === 'api' && parts.length === 2) body = this.discovery.apiResourceList('', parts[1]);
    else if (prefix === 'apis' && parts.length === 1) body = this.discovery.apiGroupList();
    else if (prefix === 'apis' && parts.length === 2) body = this.discovery.apiGroup(parts[1]);
    else if (prefix === 'apis' && parts.length === 3) body =
        group === 'logbook.io'
          ? // History is not served in the past: nothing to address under the prefix.
            { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'logbook.io/v1', resources: [] }
          : this.discovery.apiResourceList(group, version);
    if (!body) throw resourceNotFound();
    return body;
  }
}
