import type { IncomingMessage, ServerResponse } from 'http';
import { Logger } from '@nestjs/common';
import { Observable } from 'rxjs';
import {
  CompactionSummary,
  EventStore,
  ExpiredError,
  HistoryFilter,
  HistoryQueries,
  RetentionRunner,
  StoredEvent,
  listCompactions,
  poolOf,
  watchLog,
} from '@logbook/event-store';
import { ApiError, badRequest, notFound } from '@logbook/machinery';
import { includeObject } from '../handlers/watch';
import { Rendering, negotiate } from '../request/negotiate';
import { RequestInfo } from '../request/request-info';
import { canonical, writeJson } from '../request/respond';
import { UserInfo } from '../storage/context';
import { resourceNotFound, toApiError } from '../storage/errors';
import { ResourceStore } from '../storage/resource-store';
import { toAuditEvent } from './audit';
import { Explainer } from './explain';
import { diffObjects } from '@logbook/machinery';
import { GROUP_VERSION, HistoryEvent, historyTable, rfc3339 } from './history-event';
import { redactObject, redacts, secretMask } from './redact';
import { eventMatches, parseHistoryFilter, parseSeq, parseTime, resolveResource } from './query';
import { HistoryRenderer } from './renderer';
import { TimeTravel } from './time-travel';
import { TimelineBuilder } from './timeline';

const HISTORY = { group: 'logbook.io', resource: 'history' };

/** Denied requests as audit events, by time window, namespace and user. */
export interface DenialSource {
  list(f: { since?: Date; until?: Date; namespace?: string; user?: string }): Promise<object[]>;
}
const DEFAULT_PAGE = 500;
const MAX_PAGE = 5000;
/** A watch whose client stops reading is closed past this many unflushed bytes. */
const MAX_UNFLUSHED_BYTES = 16 * 1024 * 1024;

/**
 * Logbook's own API group, logbook.io/v1: history, time travel, explain,
 * replay timelines and audit export over the event log.
 *
 *   /apis/logbook.io/v1/history, /namespaces/{ns}/history[/{seq}]   HistoryEvents (list, get, watch; Table for kubectl)
 *   /apis/logbook.io/v1/asof/{rv|time}/{API path}                    get and list as of a point
 *   /apis/logbook.io/v1/explain/{seq}, [/namespaces/{ns}]/explain?kind=&name=   causes and consequences
 *   /apis/logbook.io/v1/[namespaces/{ns}/]timeline?kind=&name=      an object and what it owns, over a window
 *   /apis/logbook.io/v1/[namespaces/{ns}/]audit                     audit.k8s.io/v1 Events, JSON lines
 *   /apis/logbook.io/v1/[namespaces/{ns}/]diff?kind=&name=&from=&to= one object between two points
 *   /apis/logbook.io/v1/compactions[/{id}]                           what retention removed
 */
export class HistoryApi {
  private readonly logger = new Logger('History');
  readonly queries: HistoryQueries;
  private readonly renderer: HistoryRenderer;
  private readonly explainer: Explainer;
  private readonly timelines: TimelineBuilder;
  private readonly timeTravel: TimeTravel;
  private retention?: RetentionRunner;
  /** Requests refused before they did anything (401/403), for the audit export. */
  private denials?: DenialSource;

  constructor(
    private readonly events: EventStore,
    private readonly store: ResourceStore,
  ) {
    this.queries = new HistoryQueries(poolOf(events.dataSource), { codec: events.log.codec });
    this.renderer = new HistoryRenderer(this.queries, (e) => events.watchCache.previousObject(e));
    this.explainer = new Explainer(this.queries, this.renderer);
    this.timelines = new TimelineBuilder(this.queries, this.renderer);
    this.timeTravel = new TimeTravel(store, this.queries);
  }

  /** Where the audit export reads denied requests from (the API server records them). */
  useDenials(source: DenialSource): void {
    this.denials = source;
  }

  /** Starts background compaction if LOGBOOK_RETENTION_MAX_AGE / _MAX_EVENTS ask for it (the default keeps everything). */
  startRetention(): void {
    if (this.retention) return;
    this.retention = RetentionRunner.fromEnv(poolOf(this.events.dataSource), process.env, (m) => this.logger.log(m));
    if (this.retention) {
      this.logger.log(`retention: ${JSON.stringify(this.retention.retention.policy)}`);
      this.retention.start();
    }
  }

  async stopRetention(): Promise<void> {
    await this.retention?.stop();
    this.retention = undefined;
  }

  /** Discovery for /apis/logbook.io/v1 (APIResourceList). */
  resourceList(): object {
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: GROUP_VERSION,
      resources: [
        { name: 'compactions', singularName: 'compaction', namespaced: false, kind: 'Compaction', verbs: ['get', 'list'], categories: ['logbook'] },
        { name: 'history', singularName: 'history', namespaced: true, kind: 'HistoryEvent', verbs: ['get', 'list', 'watch'], shortNames: ['hist'], categories: ['logbook'] },
      ],
    };
  }

  /** Serves a logbook.io request; the caller has authorized it and set who may see Secret values (`withSecretAccess`). */
  async handle(req: IncomingMessage, res: ServerResponse, info: RequestInfo, url: URL, user: UserInfo): Promise<void> {
    void user;
    const rest = info.parts.slice(3);
    if (rest[0] === 'asof') return this.timeTravel.handle(req, res, url, rest.slice(1));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new ApiError(405, 'MethodNotAllowed', `${req.method} is not supported: the history is read-only`);
    }
    let namespace: string | undefined;
    let path = rest;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      path = rest.slice(2);
    }
    const params = url.searchParams;
    const [what, id, ...extra] = path;
    if (extra.length) throw resourceNotFound();
    switch (what) {
      case 'history':
        if (id !== undefined) return this.getEvent(req, res, params, namespace, id);
        if (params.get('watch') === 'true' || params.get('watch') === '1') return this.watch(req, res, params, namespace);
        return this.list(req, res, params, namespace);
      case 'explain':
        return this.explain(res, params, namespace, id);
      case 'timeline':
        if (id !== undefined) throw resourceNotFound();
        return this.timeline(res, params, namespace);
      case 'audit':
        if (id !== undefined) throw resourceNotFound();
        return this.audit(res, params, namespace);
      case 'diff':
        if (id !== undefined) throw resourceNotFound();
        return this.diff(res, params, namespace);
      case 'compactions':
        if (namespace !== undefined) throw resourceNotFound();
        return this.compactions(req, res, params, id);
    }
    throw resourceNotFound();
  }

  // --- history --------------------------------------------------------------

  private pageSize(params: URLSearchParams): number {
    if (!params.has('limit')) return DEFAULT_PAGE;
    const limit = Number(params.get('limit'));
    if (!Number.isInteger(limit) || limit < 0) throw badRequest(`invalid limit: ${params.get('limit')}`);
    return limit === 0 ? DEFAULT_PAGE : Math.min(limit, MAX_PAGE);
  }

  private withObject(params: URLSearchParams): boolean {
    return params.get('withObject') === 'true';
  }

  private respondEvents(req: IncomingMessage, res: ServerResponse, params: URLSearchParams, items: HistoryEvent[], listMeta: Record<string, unknown>): void {
    const rendering = negotiate(req.headers.accept);
    if (rendering.as === 'Table') {
      writeJson(res, 200, historyTable(items, { includeObject: includeObject(params), listMeta }));
      return;
    }
    writeJson(res, 200, { kind: 'HistoryEventList', apiVersion: GROUP_VERSION, metadata: listMeta, items });
  }

  private async list(req: IncomingMessage, res: ServerResponse, params: URLSearchParams, namespace: string | undefined): Promise<void> {
    const filter = parseHistoryFilter(params, namespace, this.store.scheme);
    const page = await this.queries.page(filter, { limit: this.pageSize(params), continue: params.get('continue') || undefined });
    const items = await this.renderer.render(page.events, { withObject: this.withObject(params) });
    const listMeta: Record<string, unknown> = { resourceVersion: String(page.resourceVersion) };
    if (page.continue) listMeta.continue = page.continue;
    this.respondEvents(req, res, params, items, listMeta);
  }

  private async getEvent(req: IncomingMessage, res: ServerResponse, params: URLSearchParams, namespace: string | undefined, id: string): Promise<void> {
    const e = await this.retainedEvent(id, namespace);
    const [h] = await this.renderer.render([e], { withObject: this.withObject(params) });
    const rendering = negotiate(req.headers.accept);
    if (rendering.as === 'Table') writeJson(res, 200, historyTable([h], { includeObject: includeObject(params), listMeta: { resourceVersion: h.metadata.resourceVersion } }));
    else writeJson(res, 200, h);
  }

  /** The event with this seq, if the log still holds it above the horizon (and it is in `namespace`, if given). */
  private async retainedEvent(id: string, namespace?: string): Promise<StoredEvent> {
    if (!/^\d+$/.test(id)) throw notFound(HISTORY, id);
    const seq = Number(id);
    const bounds = await this.queries.bounds();
    if (seq <= bounds.horizon) throw new ExpiredError(seq, bounds.horizon);
    const e = await this.queries.event(seq);
    if (!e || (namespace !== undefined && e.namespace !== namespace)) throw notFound(HISTORY, id);
    return e;
  }

  /**
   * `watch=true`: every new matching entry as a watch event (type ADDED,
   * object a HistoryEvent, or a one-row Table for kubectl), from
   * `resourceVersion` (exclusive; default: now). A watch of one resource
   * joins the watch cache; a wider one follows the whole log.
   */
  private async watch(req: IncomingMessage, res: ServerResponse, params: URLSearchParams, namespace: string | undefined): Promise<void> {
    const filter = parseHistoryFilter(params, namespace, this.store.scheme);
    const rendering: Rendering = negotiate(req.headers.accept);
    const rv = params.get('resourceVersion') ?? '';
    const from = rv && rv !== '0' ? parseSeq('resourceVersion', rv) : (await this.queries.bounds()).seq;
    const timeoutS = params.has('timeoutSeconds') ? Number(params.get('timeoutSeconds')) : 1800 + Math.floor(Math.random() * 1800);
    const withObject = this.withObject(params);
    const tableObject = includeObject(params);
    const source = this.watchSource(filter, from, () => res.writableLength);

    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    let first = true;
    const write = (type: string, object: unknown) => {
      if (!res.writableEnded) res.write(JSON.stringify({ type, object: canonical(object) }) + '\n');
    };
    let chain = Promise.resolve();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      sub.unsubscribe();
      clearTimeout(timer);
      if (!res.writableEnded) res.end();
    };
    const sub = source.subscribe({
      next: (e) => {
        chain = chain
          .then(async () => {
            const [h] = await this.renderer.render([e], { withObject });
            if (rendering.as === 'Table') {
              const t = historyTable([h], { includeObject: tableObject, noHeaders: !first });
              first = false;
              write('ADDED', t);
            } else write('ADDED', h);
          })
          .catch((err) => {
            write('ERROR', toApiError(err).toStatus());
            finish();
          });
      },
      error: (err) => {
        chain = chain.then(() => {
          write('ERROR', toApiError(err, HISTORY).toStatus());
          finish();
        });
      },
      complete: () => {
        chain = chain.then(finish);
      },
    });
    const timer = setTimeout(() => void chain.then(finish), Math.max(0, timeoutS) * 1000);
    res.on('close', finish);
    req.on('error', finish);
  }

  private watchSource(filter: HistoryFilter, fromSeq: number, backlog: () => number): Observable<StoredEvent> {
    const match = eventMatches(filter);
    if (filter.group !== undefined && filter.resource !== undefined) {
      return this.events.watchCache.watch({ group: filter.group, resource: filter.resource, namespace: filter.namespace, fromSeq, filter: match, backlog, maxBacklog: MAX_UNFLUSHED_BYTES });
    }
    return watchLog(this.events.tail, this.queries, { fromSeq, filter: match, backlog, maxBacklog: MAX_UNFLUSHED_BYTES });
  }

  // --- explain ---------------------------------------------------------------

  /** `explain/{seq}`, or `explain?kind=Pod&name=x` (or resource=) for the object's latest event. */
  private async explain(res: ServerResponse, params: URLSearchParams, namespace: string | undefined, id: string | undefined): Promise<void> {
    let event: StoredEvent;
    if (id !== undefined) {
      event = await this.retainedEvent(id, namespace);
    } else {
      const name = params.get('name');
      if (!name) throw badRequest('explain needs an event (explain/{resourceVersion}) or an object (kind or resource, and name)');
      const target = this.objectTarget(params);
      const uids = await this.queries.uidsOf({ ...target, namespace: namespace ?? '', name });
      const latest = uids.length ? await this.queries.latestOfUid(uids[uids.length - 1], Number.MAX_SAFE_INTEGER) : null;
      if (!latest) throw notFound({ group: target.group ?? '', resource: target.resource ?? target.kind ?? '' }, name);
      event = await this.retainedEvent(String(latest.seq));
    }
    writeJson(res, 200, await this.explainer.explain(event));
  }

  /** Which object a request names: `resource` (resolved like kubectl: deploy, deployments.apps) or `kind`. */
  private objectTarget(params: URLSearchParams): { group?: string; resource?: string; kind?: string } {
    const resource = params.get('resource');
    const kind = params.get('kind');
    if (resource) {
      const r = resolveResource(this.store.scheme, resource, params.get('group') ?? undefined);
      return { group: r.group, resource: r.resource };
    }
    if (kind) return params.get('group') !== null ? { kind, group: params.get('group')! } : { kind };
    throw badRequest('name the object\'s kind (kind=Deployment) or resource (resource=deployments)');
  }

  // --- diff ------------------------------------------------------------------------

  /**
   * `diff?resource=deploy&name=web&from=POINT[&to=POINT]`: one object between
   * two points (resourceVersions or times; `to` defaults to now), as a JSON
   * patch and readable lines.
   */
  private async diff(res: ServerResponse, params: URLSearchParams, namespace: string | undefined): Promise<void> {
    const name = params.get('name');
    const from = params.get('from');
    if (!name || !from) throw badRequest('diff needs the object (kind or resource, and name) and from (and optionally to): resourceVersions or times');
    const target = this.objectTarget(params);
    const type = target.resource
      ? { group: target.group!, resource: target.resource, kind: '' }
      : resolveResource(this.store.scheme, target.kind!, target.group);
    const to = params.get('to');
    const a = await this.timeTravel.resolve(from);
    const b = to ? await this.timeTravel.resolve(to) : { rv: (await this.queries.bounds()).seq };
    const [before, after] = await Promise.all([this.objectAsOf(type, namespace, name, a.rv), this.objectAsOf(type, namespace, name, b.rv)]);
    if (!before && !after) throw notFound({ group: type.group, resource: type.resource }, name);
    const ref = { group: type.group, resource: type.resource, namespace: namespace ?? '', name };
    const d = before && after ? diffObjects(before.object, after.object, redacts(ref) ? { mask: secretMask } : {}) : undefined;
    writeJson(res, 200, {
      kind: 'ObjectDiff',
      apiVersion: GROUP_VERSION,
      object: { apiGroup: type.group, resource: type.resource, namespace: namespace || undefined, name },
      from: { resourceVersion: String(a.rv), objectResourceVersion: before ? String(before.resourceVersion) : null },
      to: { resourceVersion: String(b.rv), objectResourceVersion: after ? String(after.resourceVersion) : null },
      patch: d ? d.patch : after ? [{ op: 'add', path: '', value: redactObject(ref, after.object) }] : [{ op: 'remove', path: '' }],
      summary: d ? d.summary : after ? ['created'] : ['deleted'],
    });
  }

  /** One object as of a resourceVersion, read as the list at that resourceVersion reads it (the log's snapshot then). */
  private async objectAsOf(type: { group: string; resource: string }, namespace: string | undefined, name: string, rv: number) {
    const { items } = await this.events.log.list(type, { namespace: namespace || undefined, resourceVersion: rv, filter: (o) => o.metadata?.name === name });
    const object = items[0];
    return object ? { object, resourceVersion: Number(object.metadata?.resourceVersion) } : null;
  }

  // --- timeline ----------------------------------------------------------------

  private async timeline(res: ServerResponse, params: URLSearchParams, namespace: string | undefined): Promise<void> {
    const name = params.get('name');
    if (!name) throw badRequest('timeline needs the object: kind (or resource) and name');
    const target = this.objectTarget(params);
    const window: HistoryFilter = {};
    if (params.get('since')) window.since = parseTime('since', params.get('since')!);
    if (params.get('until')) window.until = parseTime('until', params.get('until')!);
    if (params.get('fromResourceVersion')) window.fromSeq = parseSeq('fromResourceVersion', params.get('fromResourceVersion')!);
    if (params.get('toResourceVersion')) window.toSeq = parseSeq('toResourceVersion', params.get('toResourceVersion')!);
    const timeline = await this.timelines.build({
      namespace: namespace ?? '',
      ...target,
      name,
      window,
      limit: this.pageSize(params),
      continue: params.get('continue') || undefined,
    });
    writeJson(res, 200, timeline);
  }

  // --- audit -----------------------------------------------------------------------

  /**
   * The changes of a window as audit.k8s.io/v1 Events, one JSON object per
   * line, streamed page by page. The first page is read before the status
   * line, so a bad request or an expired window is a proper 400 or 410.
   */
  private async audit(res: ServerResponse, params: URLSearchParams, namespace: string | undefined): Promise<void> {
    const filter = parseHistoryFilter(params, namespace, this.store.scheme);
    const pages = this.queries.all(filter, 500);
    let next = await pages.next();
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    try {
      while (!next.done && !res.destroyed) {
        const text = next.value.map((e) => JSON.stringify(toAuditEvent(e)) + '\n').join('');
        if (!res.write(text)) await new Promise<void>((resolve) => { res.once('drain', resolve); res.once('close', resolve); });
        next = await pages.next();
      }
      // Denied requests changed nothing; they follow the changes of the window.
      const aboutObjects = filter.group !== undefined || filter.kind !== undefined || filter.name !== undefined || filter.uid !== undefined || filter.fromSeq !== undefined || filter.toSeq !== undefined;
      if (this.denials && !aboutObjects && !res.destroyed) {
        const denied = await this.denials.list({ since: filter.since, until: filter.until, namespace: filter.namespace, user: filter.actor });
        if (denied.length) res.write(denied.map((e) => JSON.stringify(e) + '\n').join(''));
      }
    } catch (err) {
      // Too late for a status code: end the stream with the error as its last line.
      if (!res.destroyed) res.write(JSON.stringify(toApiError(err).toStatus()) + '\n');
    }
    res.end();
  }

  // --- compactions ---------------------------------------------------------------------

  private async compactions(req: IncomingMessage, res: ServerResponse, params: URLSearchParams, id: string | undefined): Promise<void> {
    const all = (await listCompactions(poolOf(this.events.dataSource), 1000)).map(compactionObject);
    const items = id === undefined ? all : all.filter((c) => c.metadata.name === id);
    if (id !== undefined && items.length === 0) throw notFound({ group: 'logbook.io', resource: 'compactions' }, id);
    const rendering = negotiate(req.headers.accept);
    if (rendering.as === 'Table') {
      writeJson(res, 200, compactionTable(items, includeObject(params)));
      return;
    }
    writeJson(res, 200, id === undefined ? { kind: 'CompactionList', apiVersion: GROUP_VERSION, metadata: {}, items } : items[0]);
  }
}

function compactionObject(s: CompactionSummary) {
  return {
    kind: 'Compaction' as const,
    apiVersion: GROUP_VERSION,
    metadata: { name: String(s.id), creationTimestamp: rfc3339(s.compactedAt) },
    horizon: s.horizon,
    previousHorizon: s.previousHorizon,
    horizonTime: s.horizonTime?.toISOString() ?? null,
    deletedEvents: s.deletedEvents,
    keptEvents: s.keptEvents,
    deleted: {
      firstResourceVersion: s.firstSeq,
      lastResourceVersion: s.lastSeq,
      firstTime: s.firstTime?.toISOString() ?? null,
      lastTime: s.lastTime?.toISOString() ?? null,
      byKind: s.byKind,
      byActor: s.byActor,
    },
    policy: s.policy,
  };
}

function compactionTable(items: Array<ReturnType<typeof compactionObject>>, include: 'None' | 'Object' | 'Metadata') {
  const col = (name: string, type: string, description: string) => ({ name, type, format: '', description, priority: 0 });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {},
    columnDefinitions: [
      col('Name', 'string', 'Compaction number.'),
      col('Compacted', 'string', 'When it ran.'),
      col('Horizon', 'integer', 'Events at or below this resourceVersion were compacted.'),
      col('Deleted', 'integer', 'Events deleted.'),
      col('Kept', 'integer', 'Events kept at or below the horizon (the state of live objects).'),
      col('From', 'string', 'Time of the oldest deleted event.'),
      col('To', 'string', 'Time of the newest deleted event.'),
    ],
    rows: items.map((c) => ({
      cells: [c.metadata.name, c.metadata.creationTimestamp, c.horizon, c.deletedEvents, c.keptEvents, c.deleted.firstTime ?? '<none>', c.deleted.lastTime ?? '<none>'],
      object: include === 'None' ? null : include === 'Object' ? c : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: c.metadata },
    })),
  };
}
