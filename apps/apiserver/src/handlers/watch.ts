import type { IncomingMessage, ServerResponse } from 'http';
import { ResourceDefinition } from '@logbook/api';
import { StoredEvent, WatchCache, WatchProgress } from '@logbook/event-store';
import { ApiError, badRequest } from '@logbook/machinery';
import { Rendering } from '../request/negotiate';
import { canonical } from '../request/respond';
import { toApiError } from '../storage/errors';
import type { Obj, ResourceStore } from '../storage/resource-store';
import { asPartialObjectMetadata, toTable } from '../tables';

/** A watch whose client stops reading is closed past this many unflushed bytes. */
const MAX_UNFLUSHED_BYTES = 16 * 1024 * 1024;
const BOOKMARK_INTERVAL_MS = 10_000;
/** Without timeoutSeconds, a watch lasts 30 to 60 minutes, as kube-apiserver's min-request-timeout does. */
const DEFAULT_TIMEOUT_S = () => 1800 + Math.floor(Math.random() * 1800);

export interface WatchRequest {
  def: ResourceDefinition;
  namespace: string;
  params: URLSearchParams;
  rendering: Rendering;
  /** Label and field selectors, if any. */
  selector?: (o: Obj) => boolean;
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** Every open watch stream of this process, so shutdown can end them (clients then resume elsewhere). */
const openWatches = new Set<() => void>();

/** Ends every watch stream; a server draining for shutdown calls this before closing. */
export function endAllWatches(): void {
  for (const finish of [...openWatches]) finish();
}

/**
 * `?watch=true`: a stream of `{"type": ..., "object": ...}` lines.
 *
 * resourceVersion unset or "0" starts with a synthetic ADDED for every
 * current object (from one list snapshot), then goes on from that
 * snapshot's resourceVersion; any other resourceVersion resumes from the
 * log, or answers an ERROR event with 410 Expired below the horizon. With
 * selectors, an object that starts or stops matching arrives as ADDED or
 * DELETED, as kube-apiserver does.
 */
export async function serveWatch(
  req: IncomingMessage,
  res: ServerResponse,
  w: WatchRequest,
  store: ResourceStore,
  cache: WatchCache,
): Promise<void> {
  const { def, params } = w;
  const rvParam = params.get('resourceVersion') ?? '';
  if (rvParam !== '' && !/^\d+$/.test(rvParam)) throw badRequest(`invalid resource version: ${rvParam}`);
  const timeoutS = params.has('timeoutSeconds') ? Number(params.get('timeoutSeconds')) : DEFAULT_TIMEOUT_S();
  const bookmarks = params.get('allowWatchBookmarks') === 'true';
  const matches = w.selector ?? (() => true);
  const namespace = w.namespace || undefined;

  let initial: Obj[] = [];
  let from: number;
  if (rvParam === '' || rvParam === '0') {
    const snapshot = await store.list(def, { namespace, filter: w.selector });
    initial = snapshot.items;
    from = snapshot.resourceVersion;
  } else {
    from = Number(rvParam);
  }

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  let first = true;
  const write = (type: EventType, object: unknown) => {
    if (res.writableEnded) return;
    res.write(JSON.stringify({ type, object: canonical(object) }) + '\n');
  };
  const render = (o: Obj): unknown => {
    if (w.rendering.as === 'Table') {
      const t = toTable(def, [o], { includeObject: includeObject(params) });
      if (!first) (t as { columnDefinitions: unknown[] }).columnDefinitions = [];
      first = false;
      return t;
    }
    if (w.rendering.as === 'PartialObjectMetadata') return asPartialObjectMetadata(o);
    return o;
  };
  for (const o of initial) write('ADDED', render(o));

  const storage = store.storageOf(def);
  const progress: WatchProgress = { seq: from, live: false };
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    openWatches.delete(finish);
    sub.unsubscribe();
    clearTimeout(timer);
    clearInterval(bookmarkTimer);
    if (!res.writableEnded) res.end();
  };
  const sub = cache
    .watch({
      group: storage.group,
      resource: storage.resource,
      namespace,
      fromSeq: from,
      progress,
      backlog: () => res.writableLength,
      maxBacklog: MAX_UNFLUSHED_BYTES,
    })
    .subscribe({
      next: (e) => {
        const out = transition(e, matches, cache);
        if (out) write(out.type, render(store.present(def, out.object)));
      },
      error: (err) => {
        const apiErr: ApiError = toApiError(err, def);
        write('ERROR', apiErr.toStatus());
        finish();
      },
      complete: finish,
    });
  const timer = setTimeout(finish, Math.max(0, timeoutS) * 1000);
  const bookmarkTimer = setInterval(() => {
    if (!bookmarks) return;
    const rv = progress.live ? Math.max(progress.seq, cache.currentSeq) : progress.seq;
    write('BOOKMARK', { kind: def.kind, apiVersion: def.group ? `${def.group}/${def.version}` : def.version, metadata: { resourceVersion: String(rv) } });
  }, BOOKMARK_INTERVAL_MS);
  openWatches.add(finish);
  res.on('close', finish);
  req.on('error', finish);
}

/** What a log event means to a watcher with a selector. */
function transition(e: StoredEvent, matches: (o: Obj) => boolean, cache: WatchCache): { type: EventType; object: Obj } | undefined {
  const object = e.object as Obj;
  const now = matches(object);
  if (e.type === 'ADDED') return now ? { type: 'ADDED', object } : undefined;
  if (e.type === 'DELETED') return now ? { type: 'DELETED', object } : undefined;
  const prev = cache.previousObject(e) as Obj | undefined;
  // If the ring no longer holds the previous state, assume it matched as
  // the new one does (MODIFIED), or tell the watcher to drop it (DELETED).
  const before = prev ? matches(prev) : now;
  if (now && before) return { type: 'MODIFIED', object };
  if (now) return { type: 'ADDED', object };
  if (before || !prev) return { type: 'DELETED', object };
  return undefined;
}

export function includeObject(params: URLSearchParams): 'None' | 'Object' | 'Metadata' {
  const v = params.get('includeObject');
  if (v === 'None' || v === 'Object' || v === 'Metadata') return v;
  if (v) throw badRequest(`includeObject must be one of None, Object, Metadata, not ${v}`);
  return 'Metadata';
}
