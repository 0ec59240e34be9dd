import type { Pool } from 'pg';
import { ExpiredError, InvalidObjectError } from './errors';
import { ObjectCodec, identityCodec } from './object-codec';
import { EVENT_COLUMNS, EventRow, eventFromRow } from './rows';
import { KubeObject, StoredEvent } from './types';

/**
 * Which events a history query wants. Every field narrows; unset fields do
 * not filter. Seq bounds are inclusive, as are the time bounds.
 */
export interface HistoryFilter {
  group?: string;
  resource?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  /** Any of these uids (an object and what it owns). */
  uids?: string[];
  actor?: string;
  verb?: string;
  /** Events at or after this time. */
  since?: Date;
  /** Events at or before this time (its whole millisecond). */
  until?: Date;
  /** Events with seq >= this. */
  fromSeq?: number;
  /** Events with seq <= this. */
  toSeq?: number;
  /** A finer test on the decoded event (e.g. a label selector on its object). */
  match?: (e: StoredEvent) => boolean;
}

export interface HistoryPageOptions {
  /** Items on this page (default 500). */
  limit?: number;
  /** The token a previous page returned. */
  continue?: string;
  /**
   * Rows read per page before it is returned short (with a continue token)
   * when `match` keeps few of them (default 20 x limit).
   */
  maxScan?: number;
}

export interface HistoryPage {
  events: StoredEvent[];
  /** The log head the query (and every later page of it) reads up to. */
  resourceVersion: number;
  continue?: string;
  /** Events at or below this seq may have been compacted. */
  horizon: number;
}

/** The head of the log, its retention horizon, and when the horizon's event happened. */
export interface LogBounds {
  seq: number;
  horizon: number;
  /** Time of the event at the horizon when it was compacted; undefined if nothing was. */
  horizonTime?: Date;
}

interface HistoryToken {
  /** Last seq read. */
  after: number;
  /** The head when the first page was read. */
  head: number;
}

const DEFAULT_LIMIT = 500;
const CHUNK = 500;

/**
 * Read-only queries over `events` for the history API: filtered pages in seq
 * order with a continue token pinned to one log head, single events, causes
 * and consequences, ownership, and the mapping of a time to a seq.
 *
 * Everything at or below the retention horizon is treated as gone: a page
 * never returns it, and a query that explicitly reaches below it (by seq,
 * time or an old continue token) fails with ExpiredError.
 */
export class HistoryQueries {
  private readonly codec: ObjectCodec;

  constructor(
    private readonly pool: Pool,
    opts: { codec?: ObjectCodec } = {},
  ) {
    this.codec = opts.codec ?? identityCodec;
  }

  async bounds(): Promise<LogBounds> {
    const res = await this.pool.query<{ seq: string; horizon: string; horizon_time: Date | null }>(
      `SELECT h.seq::text AS seq, h.horizon::text AS horizon,
              (SELECT c.horizon_time FROM compactions c WHERE c.horizon = h.horizon ORDER BY c.id DESC LIMIT 1) AS horizon_time
         FROM log_head h WHERE h.id = 1`,
    );
    const row = res.rows[0];
    const b: LogBounds = { seq: Number(row.seq), horizon: Number(row.horizon) };
    if (row.horizon_time) b.horizonTime = row.horizon_time;
    return b;
  }

  /** Throws ExpiredError if a query that starts at `fromSeq` or `since` would miss compacted events. */
  checkRetained(bounds: LogBounds, f: { fromSeq?: number; since?: Date }): void {
    if (bounds.horizon === 0) return;
    if (f.fromSeq !== undefined && f.fromSeq <= bounds.horizon) throw new ExpiredError(f.fromSeq, bounds.horizon);
    if (f.since !== undefined && bounds.horizonTime !== undefined && f.since.getTime() <= bounds.horizonTime.getTime()) {
      throw new ExpiredError(bounds.horizon, bounds.horizon);
    }
  }

  /** One page of matching events, oldest first. */
  async page(f: HistoryFilter, opts: HistoryPageOptions = {}): Promise<HistoryPage> {
    const limit = opts.limit && opts.limit > 0 ? opts.limit : DEFAULT_LIMIT;
    const maxScan = opts.maxScan ?? limit * 20;
    const bounds = await this.bounds();
    const token = opts.continue ? decodeToken(opts.continue) : undefined;
    this.checkRetained(bounds, f);
    if (token && token.after < bounds.horizon) throw new ExpiredError(token.after, bounds.horizon);
    const head = token?.head ?? bounds.seq;
    let after = Math.max(token?.after ?? 0, f.fromSeq !== undefined ? f.fromSeq - 1 : 0, bounds.horizon);
    const upper = f.toSeq !== undefined ? Math.min(f.toSeq, head) : head;
    const events: StoredEvent[] = [];
    let scanned = 0;
    let exhausted = false;
    let more = false;
    while (!exhausted && !more && scanned < maxScan) {
      const rows = await this.select(f, after, upper, CHUNK);
      exhausted = rows.length < CHUNK;
      for (const row of rows) {
        const e = eventFromRow(row, this.codec);
        scanned++;
        if (f.match && !f.match(e)) {
          after = e.seq;
          continue;
        }
        if (events.length === limit) {
          more = true;
          break;
        }
        events.push(e);
        after = e.seq;
      }
    }
    const page: HistoryPage = { events, resourceVersion: head, horizon: bounds.horizon };
    if (more || (!exhausted && after < upper)) page.continue = encodeToken({ after, head });
    return page;
  }

  /** Every matching event, page by page (for streaming exports). */
  async *all(f: HistoryFilter, pageSize = 1000): AsyncGenerator<StoredEvent[]> {
    let cont: string | undefined;
    do {
      const p = await this.page(f, { limit: pageSize, continue: cont });
      if (p.events.length) yield p.events;
      cont = p.continue;
    } while (cont);
  }

  /** The event with this seq, or null (never written, or compacted). */
  async event(seq: number): Promise<StoredEvent | null> {
    const res = await this.pool.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE seq = $1`, [seq]);
    return res.rows[0] ? eventFromRow(res.rows[0], this.codec) : null;
  }

  /** Several events by seq; missing ones are left out. */
  async events(seqs: number[]): Promise<Map<number, StoredEvent>> {
    const out = new Map<number, StoredEvent>();
    const wanted = [...new Set(seqs)];
    if (wanted.length === 0) return out;
    const res = await this.pool.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE seq = ANY($1::int8[])`, [wanted]);
    for (const row of res.rows) {
      const e = eventFromRow(row, this.codec);
      out.set(e.seq, e);
    }
    return out;
  }

  /** The objects as they were after each of these events (for diffs against `prevSeq`). */
  async objectsAt(seqs: number[]): Promise<Map<number, KubeObject>> {
    const out = new Map<number, KubeObject>();
    for (const [seq, e] of await this.events(seqs)) out.set(seq, e.object);
    return out;
  }

  /** Events that name `seq` as their cause, in order. */
  async causedBy(seqs: number[], limit = 1000): Promise<StoredEvent[]> {
    if (seqs.length === 0) return [];
    const res = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE cause_seq = ANY($1::int8[]) ORDER BY events.seq LIMIT $2`,
      [seqs, limit],
    );
    return res.rows.map((r) => eventFromRow(r, this.codec));
  }

  /** The latest event of the object with this uid before `beforeSeq`. */
  async latestOfUid(uid: string, beforeSeq: number): Promise<StoredEvent | null> {
    const res = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE uid = $1 AND seq < $2 ORDER BY events.seq DESC LIMIT 1`,
      [uid, beforeSeq],
    );
    return res.rows[0] ? eventFromRow(res.rows[0], this.codec) : null;
  }

  /** For each of these uids, its latest event at or before `atSeq` (the objects' state then). */
  async latestOfUids(uids: string[], atSeq: number): Promise<StoredEvent[]> {
    if (uids.length === 0) return [];
    const res = await this.pool.query<EventRow>(
      `SELECT * FROM (
         SELECT DISTINCT ON (uid) ${EVENT_COLUMNS}, events.seq AS order_seq FROM events
          WHERE uid = ANY($1::text[]) AND seq <= $2 ORDER BY uid, events.seq DESC
       ) latest ORDER BY order_seq`,
      [uids, atSeq],
    );
    return res.rows.map((r) => eventFromRow(r, this.codec));
  }

  /** The seq of the object's (same uid) next event after `seq`, or null. */
  async nextOfUid(uid: string, seq: number): Promise<number | null> {
    const res = await this.pool.query<{ seq: string }>(
      `SELECT seq::text AS seq FROM events WHERE uid = $1 AND seq > $2 ORDER BY events.seq LIMIT 1`,
      [uid, seq],
    );
    return res.rows[0] ? Number(res.rows[0].seq) : null;
  }

  /**
   * Events with afterSeq < seq < beforeSeq of objects whose ownerReferences
   * name `ownerUid`, written without a cause by a `system:` identity: the
   * writes a controller made in reaction to that owner's state without
   * saying so.
   */
  async uncausedOwnedEvents(ownerUid: string, afterSeq: number, beforeSeq: number | null, limit = 1000): Promise<StoredEvent[]> {
    const res = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
        WHERE object -> 'metadata' -> 'ownerReferences' @> $1::jsonb
          AND seq > $2 AND ($3::int8 IS NULL OR seq < $3) AND cause_seq IS NULL AND actor LIKE 'system:%'
        ORDER BY events.seq LIMIT $4`,
      [JSON.stringify([{ uid: ownerUid }]), afterSeq, beforeSeq, limit],
    );
    return res.rows.map((r) => eventFromRow(r, this.codec));
  }

  /**
   * Objects (by uid) that ever named one of `ownerUids` in their
   * ownerReferences, up to `toSeq`: the direct dependents.
   */
  async dependents(ownerUids: string[], opts: { namespace?: string; toSeq?: number } = {}): Promise<Array<{ uid: string; owner: string; kind: string; name: string }>> {
    if (ownerUids.length === 0) return [];
    const patterns = ownerUids.map((u) => JSON.stringify([{ uid: u }]));
    const res = await this.pool.query<{ uid: string; owner: string; kind: string; name: string }>(
      `SELECT DISTINCT ON (e.uid) e.uid, p.owner, e.kind, e.name
         FROM unnest($1::text[], $2::jsonb[]) AS p(owner, pattern)
         JOIN events e ON e.object -> 'metadata' -> 'ownerReferences' @> p.pattern
        WHERE ($3::text IS NULL OR e.namespace = $3) AND ($4::int8 IS NULL OR e.seq <= $4)
        ORDER BY e.uid, e.seq`,
      [ownerUids, patterns, opts.namespace ?? null, opts.toSeq ?? null],
    );
    return res.rows;
  }

  /** Uids the object with this name has had (one per incarnation), oldest first. */
  async uidsOf(f: { group?: string; resource?: string; kind?: string; namespace: string; name: string }): Promise<string[]> {
    const where = ['namespace = $1', 'name = $2'];
    const params: unknown[] = [f.namespace, f.name];
    if (f.group !== undefined) where.push(`api_group = $${params.push(f.group)}`);
    if (f.resource !== undefined) where.push(`resource = $${params.push(f.resource)}`);
    if (f.kind !== undefined) where.push(`kind = $${params.push(f.kind)}`);
    const res = await this.pool.query<{ uid: string }>(
      `SELECT uid FROM events WHERE ${where.join(' AND ')} GROUP BY uid ORDER BY min(seq)`,
      params,
    );
    return res.rows.map((r) => r.uid);
  }

  /**
   * The last seq committed at or before `time`: the resourceVersion that
   * shows the state at that moment. 0 if the log held nothing yet. Below
   * the retention horizon it throws ExpiredError.
   */
  async seqAt(time: Date): Promise<number> {
    const bounds = await this.bounds();
    if (bounds.horizon > 0 && bounds.horizonTime !== undefined && time.getTime() < bounds.horizonTime.getTime()) {
      throw new ExpiredError(bounds.horizon - 1, bounds.horizon);
    }
    const res = await this.pool.query<{ seq: string }>(
      `SELECT seq::text AS seq FROM events WHERE time < $1 ORDER BY events.seq DESC LIMIT 1`,
      [new Date(time.getTime() + 1)],
    );
    const seq = res.rows[0] ? Number(res.rows[0].seq) : 0;
    // Events between the horizon and `time` may all have been compacted into
    // the kept snapshot (nothing happened since): the state at `time` is the
    // state at the horizon.
    if (bounds.horizon > 0 && seq < bounds.horizon) {
      if (bounds.horizonTime === undefined) throw new ExpiredError(seq, bounds.horizon);
      return bounds.horizon;
    }
    return seq;
  }

  private async select(f: HistoryFilter, after: number, upper: number, limit: number): Promise<EventRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.group !== undefined) add('api_group = ?', f.group);
    if (f.resource !== undefined) add('resource = ?', f.resource);
    if (f.kind !== undefined) add('kind = ?', f.kind);
    if (f.namespace !== undefined) add('namespace = ?', f.namespace);
    if (f.name !== undefined) add('name = ?', f.name);
    if (f.uid !== undefined) add('uid = ?', f.uid);
    if (f.uids !== undefined) add('uid = ANY(?::text[])', f.uids);
    if (f.actor !== undefined) add('actor = ?', f.actor);
    if (f.verb !== undefined) add('verb = ?', f.verb);
    if (f.since !== undefined) add('time >= ?', f.since);
    // Times reach clients in milliseconds, Postgres keeps microseconds: an
    // upper bound covers its whole millisecond, so that the time shown for an
    // event, used as `until`, includes it.
    if (f.until !== undefined) add('time < ?', new Date(f.until.getTime() + 1));
    add('seq > ?', after);
    add('seq <= ?', upper);
    params.push(limit);
    const res = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.join(' AND ')} ORDER BY events.seq LIMIT $${params.length}`,
      params,
    );
    return res.rows;
  }
}

function encodeToken(t: HistoryToken): string {
  return Buffer.from(JSON.stringify({ v: 1, a: t.after, h: t.head })).toString('base64url');
}

function decodeToken(s: string): HistoryToken {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (t.v === 1 && Number.isSafeInteger(t.a) && Number.isSafeInteger(t.h)) return { after: t.a, head: t.h };
  } catch {
    /* fall through */
  }
  throw new InvalidObjectError('continue key is not valid');
}
