import type { HistoryFilter, HistoryQueries, StoredEvent } from '@logbook/event-store';
import { notFound } from '@logbook/machinery';
import { GROUP_VERSION, HistoryEvent, rfc3339 } from './history-event';
import { HistoryRenderer } from './renderer';
import { StateSummary, summarize } from './summary';

/** An object that takes part in a timeline: the root, or something it owns (transitively). */
export interface TimelineObject {
  uid: string;
  kind: string;
  name: string;
  /** 0 for the root object, 1 for what it owns, 2 for what those own, ... */
  depth: number;
  ownerUid?: string;
}

export interface TimelineEntry {
  seq: number;
  resourceVersion: string;
  time: string;
  type: StoredEvent['type'];
  kind: string;
  namespace?: string;
  name: string;
  uid: string;
  depth: number;
  actor: string;
  verb: string;
  subresource?: string;
  causeSeq?: number;
  /** The object's state after this event. */
  state: StateSummary;
  /** What changed (readable lines). */
  change: string[];
}

export interface Timeline {
  kind: 'Timeline';
  apiVersion: typeof GROUP_VERSION;
  metadata: { resourceVersion: string; continue?: string };
  root: { kind: string; namespace?: string; name: string; uids: string[] };
  window: { since?: string; until?: string; fromResourceVersion?: string; toResourceVersion?: string };
  objects: TimelineObject[];
  /**
   * With a window that has a start (since or fromResourceVersion), on its
   * first page: the state each object had just before it, for stepping
   * forward from there. Objects that did not exist then are left out.
   */
  initial?: Array<Omit<TimelineEntry, 'change'>>;
  items: TimelineEntry[];
}

const MAX_OBJECTS = 5000;
const MAX_DEPTH = 10;

export interface TimelineRequest {
  namespace: string;
  /** The root object: by kind or by group/resource, and name. */
  kind?: string;
  group?: string;
  resource?: string;
  name: string;
  window: Pick<HistoryFilter, 'since' | 'until' | 'fromSeq' | 'toSeq'>;
  limit?: number;
  continue?: string;
}

/**
 * The events of a window for an object and everything it owns, through
 * ownerReferences' uids (a Deployment, its ReplicaSets, their Pods), in seq
 * order, each with a summary of the object's state after it: a rollout to
 * step through. Every incarnation of the name (delete and re-create) counts.
 */
export class TimelineBuilder {
  constructor(
    private readonly queries: HistoryQueries,
    private readonly renderer: HistoryRenderer,
  ) {}

  async build(r: TimelineRequest): Promise<Timeline> {
    const rootUids = await this.queries.uidsOf({ namespace: r.namespace, name: r.name, kind: r.kind, group: r.group, resource: r.resource });
    if (rootUids.length === 0) throw notFound({ group: r.group ?? '', resource: r.resource ?? (r.kind ?? '').toLowerCase() }, r.name);
    const objects = await this.ownedTree(rootUids, r);
    const byUid = new Map(objects.map((o) => [o.uid, o]));
    const page = await this.queries.page({ ...r.window, uids: objects.map((o) => o.uid) }, { limit: r.limit, continue: r.continue });
    const rendered = await this.renderer.render(page.events);
    const rootKind = page.events.find((e) => e.uid === rootUids[0])?.kind ?? objects[0].kind;
    const timeline: Timeline = {
      kind: 'Timeline',
      apiVersion: GROUP_VERSION,
      metadata: { resourceVersion: String(page.resourceVersion) },
      root: { kind: r.kind ?? rootKind, name: r.name, uids: rootUids },
      window: {},
      objects,
      items: page.events.map((e, i) => entry(e, rendered[i], byUid.get(e.uid)?.depth ?? 0)),
    };
    if (r.namespace) timeline.root.namespace = r.namespace;
    const start = r.continue ? undefined : await this.windowStart(r.window);
    if (start !== undefined) {
      const before = await this.queries.latestOfUids(objects.map((o) => o.uid), start);
      timeline.initial = before.filter((e) => e.type !== 'DELETED').map((e) => {
        const { change, ...rest } = entry(e, undefined, byUid.get(e.uid)?.depth ?? 0);
        void change;
        return rest;
      });
    }
    if (page.continue) timeline.metadata.continue = page.continue;
    if (r.window.since) timeline.window.since = rfc3339(r.window.since);
    if (r.window.until) timeline.window.until = rfc3339(r.window.until);
    if (r.window.fromSeq !== undefined) timeline.window.fromResourceVersion = String(r.window.fromSeq);
    if (r.window.toSeq !== undefined) timeline.window.toResourceVersion = String(r.window.toSeq);
    return timeline;
  }

  /** The last seq before the window, if it has a start. */
  private async windowStart(w: TimelineRequest['window']): Promise<number | undefined> {
    const bySeq = w.fromSeq !== undefined ? w.fromSeq - 1 : undefined;
    const byTime = w.since !== undefined ? await this.queries.seqAt(new Date(w.since.getTime() - 1)) : undefined;
    if (bySeq === undefined) return byTime;
    if (byTime === undefined) return bySeq;
    return Math.max(bySeq, byTime);
  }

  /** The root's uids and, breadth first, every uid that names one of them as owner. */
  private async ownedTree(rootUids: string[], r: TimelineRequest): Promise<TimelineObject[]> {
    const objects: TimelineObject[] = [];
    const seen = new Set<string>();
    const first = await this.queries.page({ uids: rootUids }, { limit: rootUids.length * 2 });
    for (const uid of rootUids) {
      const e = first.events.find((x) => x.uid === uid);
      objects.push({ uid, kind: e?.kind ?? r.kind ?? '', name: r.name, depth: 0 });
      seen.add(uid);
    }
    let frontier = rootUids;
    for (let depth = 1; frontier.length && depth <= MAX_DEPTH && objects.length < MAX_OBJECTS; depth++) {
      const deps = await this.queries.dependents(frontier, { namespace: r.namespace || undefined, toSeq: r.window.toSeq });
      frontier = [];
      for (const d of deps) {
        if (seen.has(d.uid) || objects.length >= MAX_OBJECTS) continue;
        seen.add(d.uid);
        objects.push({ uid: d.uid, kind: d.kind, name: d.name, depth, ownerUid: d.owner });
        frontier.push(d.uid);
      }
    }
    return objects;
  }
}

function entry(e: StoredEvent, h: HistoryEvent | undefined, depth: number): TimelineEntry {
  const t: TimelineEntry = {
    seq: e.seq,
    resourceVersion: String(e.seq),
    time: e.time.toISOString(),
    type: e.type,
    kind: e.kind,
    name: e.name,
    uid: e.uid,
    depth,
    actor: e.provenance.actor.user,
    verb: e.provenance.verb,
    state: summarize(e.kind, e.object),
    change: h?.change.summary ?? [],
  };
  if (e.namespace) t.namespace = e.namespace;
  if (e.provenance.subresource) t.subresource = e.provenance.subresource;
  if (e.provenance.causeSeq !== undefined) t.causeSeq = e.provenance.causeSeq;
  return t;
}
