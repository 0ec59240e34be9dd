import { randomUUID } from 'crypto';
import type { Pool } from 'pg';
import { ExpiredError, InvalidObjectError } from './errors';
import { GroupCommit, GroupCommitOptions, PreparedOp } from './group-commit';
import { DEFAULT_MAX_OBJECT_BYTES, toStorableJson } from './json-check';
import { ObjectCodec, identityCodec } from './object-codec';
import { EVENT_COLUMNS, EventRow, eventFromRow } from './rows';
import { AppendOp, KubeObject, ResourceType, StoredEvent, StoredObject, objectKeyOf } from './types';

export interface EventLogOptions {
  codec?: ObjectCodec;
  /** Largest object, in bytes of JSON (default 3 MiB). */
  maxObjectBytes?: number;
  groupCommit?: Omit<GroupCommitOptions, 'codec' | 'onCommitted' | 'onCommitting'>;
  onCommitted?: (events: StoredEvent[]) => void;
  onCommitting?: GroupCommitOptions['onCommitting'];
}

export interface ListOptions {
  /** Only this namespace; all namespaces when undefined. */
  namespace?: string;
  /** At most this many items; more are reachable through `continue`. */
  limit?: number;
  /** The token a previous page returned. */
  continue?: string;
  /** The state as of this resourceVersion (exact), instead of the latest. */
  resourceVersion?: number;
  /** Keep only objects for which this returns true (label/field selectors). */
  filter?: (object: KubeObject) => boolean;
}

export interface ListResult {
  items: KubeObject[];
  /** The snapshot the items come from; a watch from it misses nothing. */
  resourceVersion: number;
  continue?: string;
}

export interface HistoryQuery {
  group?: string;
  resource?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  actor?: string;
  verb?: string;
  since?: Date;
  until?: Date;
  /** Events with seq greater than this. */
  afterSeq?: number;
  /** Events with seq up to and including this. */
  untilSeq?: number;
  limit?: number;
  /** Newest first instead of oldest first. */
  descending?: boolean;
}

interface ContinueToken {
  rv: number;
  ns: string;
  name: string;
}

const LIST_CHUNK = 500;

/**
 * The event log: appends (through group commit), reads of the projection,
 * snapshot lists, and history. The only writer of `events` and `resources`.
 */
export class EventLog {
  /** How objects are encoded at rest (other readers of `events` decode with it). */
  readonly codec: ObjectCodec;
  private readonly maxObjectBytes: number;
  private readonly groupCommit: GroupCommit;

  constructor(
    private readonly pool: Pool,
    opts: EventLogOptions = {},
  ) {
    this.codec = opts.codec ?? identityCodec;
    this.maxObjectBytes = opts.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
    this.groupCommit = new GroupCommit(pool, {
      ...opts.groupCommit,
      codec: this.codec,
      onCommitted: opts.onCommitted,
      onCommitting: opts.onCommitting,
    });
  }

  /** Appends one change; resolves with its committed event. */
  async append(op: AppendOp): Promise<StoredEvent> {
    const [event] = await this.groupCommit.submit([this.prepare(op)]);
    return event;
  }

  /** Appends several changes atomically: all commit, or none and the first error is thrown. */
  async appendAll(ops: AppendOp[]): Promise<StoredEvent[]> {
    if (ops.length === 0) return [];
    return this.groupCommit.submit(ops.map((op) => this.prepare(op)));
  }

  async get(type: Pick<ResourceType, 'group' | 'resource'>, namespace: string, name: string): Promise<StoredObject | null> {
    const res = await this.pool.query<{ rv: string; object: KubeObject }>(
      `SELECT resource_version::text AS rv, object FROM resources
        WHERE api_group = $1 AND resource = $2 AND namespace = $3 AND name = $4`,
      [type.group, type.resource, namespace, name],
    );
    if (res.rowCount === 0) return null;
    return { resourceVersion: Number(res.rows[0].rv), object: this.codec.decode(type, res.rows[0].object) };
  }

  /** The object as it was at `resourceVersion` (null if it did not exist then). */
  async getAsOf(
    type: Pick<ResourceType, 'group' | 'resource'>,
    namespace: string,
    name: string,
    resourceVersion: number,
  ): Promise<StoredObject | null> {
    await this.assertRetained(resourceVersion);
    const res = await this.pool.query<{ seq: string; type: string; object: KubeObject }>(
      `SELECT seq::text AS seq, type, object FROM events
        WHERE api_group = $1 AND resource = $2 AND namespace = $3 AND name = $4 AND seq <= $5
        ORDER BY events.seq DESC LIMIT 1`,
      [type.group, type.resource, namespace, name, resourceVersion],
    );
    const row = res.rows[0];
    if (!row || row.type === 'DELETED') return null;
    return { resourceVersion: Number(row.seq), object: this.codec.decode(type, row.object) };
  }

  /**
   * A consistent page of objects of one resource, ordered by namespace and
   * name. The first page reads the projection in a REPEATABLE READ snapshot
   * together with the log head, which becomes the list's resourceVersion;
   * later pages (and explicit resourceVersions) read the same snapshot back
   * from the log, so a paginated list never mixes two points in time.
   */
  async list(type: Pick<ResourceType, 'group' | 'resource'>, opts: ListOptions = {}): Promise<ListResult> {
    const token = opts.continue ? decodeContinue(opts.continue) : undefined;
    const wanted = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const head = await client.query<{ seq: string; horizon: string }>(
        'SELECT seq::text AS seq, horizon::text AS horizon FROM log_head WHERE id = 1',
      );
      const headSeq = Number(head.rows[0].seq);
      const rv = token?.rv ?? opts.resourceVersion ?? headSeq;
      if (rv < Number(head.rows[0].horizon)) throw new ExpiredError(rv, Number(head.rows[0].horizon));
      const fromLog = rv !== headSeq;
      const items: KubeObject[] = [];
      let after: [string, string] = token ? [token.ns, token.name] : ['', ''];
      let exhausted = false;
      while (items.length <= wanted && !exhausted) {
        const chunk = Math.min(LIST_CHUNK, Number.isFinite(wanted) ? wanted + 1 : LIST_CHUNK);
        const rows = fromLog
          ? await this.readAsOf(client, type, rv, opts.namespace, after, chunk)
          : await this.readProjection(client, type, opts.namespace, after, chunk);
        exhausted = rows.length < chunk;
        for (const row of rows) {
          after = [row.namespace, row.name];
          if (row.object === null) continue; // not yet created, or deleted, at rv
          const object = this.codec.decode(type, row.object);
          if (opts.filter && !opts.filter(object)) continue;
          items.push(object);
          if (items.length > wanted) break;
        }
      }
      await client.query('COMMIT');
      const result: ListResult = { items, resourceVersion: rv };
      if (items.length > wanted) {
        items.length = wanted;
        const lastItem = items[wanted - 1].metadata;
        result.continue = encodeContinue({ rv, ns: lastItem.namespace ?? '', name: lastItem.name ?? '' });
      }
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  private async readProjection(
    client: import('pg').PoolClient,
    type: Pick<ResourceType, 'group' | 'resource'>,
    namespace: string | undefined,
    after: [string, string],
    limit: number,
  ) {
    const res = await client.query<{ namespace: string; name: string; object: KubeObject }>(
      `SELECT namespace, name, object FROM resources
        WHERE api_group = $1 AND resource = $2 AND ($3::text IS NULL OR namespace = $3)
          AND (namespace, name) > ($4, $5)
        ORDER BY namespace, name LIMIT $6`,
      [type.group, type.resource, namespace ?? null, after[0], after[1], limit],
    );
    return res.rows;
  }

  /**
   * The next `limit` objects (by namespace, name) that have any event of this
   * resource, each with its latest state at `rv` — null if it did not exist
   * then. A loose index scan on events_object_idx: one index descent finds the
   * next object, one more its last event at or before rv, so the cost grows
   * with the objects listed, not with the length of their histories (a
   * DISTINCT ON over the log reads every version of every object).
   */
  private async readAsOf(
    client: import('pg').PoolClient,
    type: Pick<ResourceType, 'group' | 'resource'>,
    rv: number,
    namespace: string | undefined,
    after: [string, string],
    limit: number,
  ) {
    // Within one namespace the key is just the name: with namespace = $ns beside
    // a row comparison, Postgres starts the index scan at the namespace's first
    // entry and filters its way forward instead of seeking past the cursor.
    const first = namespace === undefined ? '(namespace, name) > ($3, $4)' : 'namespace = $3 AND name > $4';
    const next = namespace === undefined ? '(namespace, name) > (o.namespace, o.name)' : 'namespace = $3 AND name > o.name';
    const res = await client.query<{ namespace: string; name: string; object: KubeObject | null }>(
      `WITH RECURSIVE objects (namespace, name, n) AS (
         (SELECT namespace, name, 1 FROM events
           WHERE api_group = $1 AND resource = $2 AND ${first}
           ORDER BY namespace, name LIMIT 1)
         UNION ALL
         SELECT next.namespace, next.name, o.n + 1 FROM objects o CROSS JOIN LATERAL (
           SELECT namespace, name FROM events
            WHERE api_group = $1 AND resource = $2 AND ${next}
            ORDER BY namespace, name LIMIT 1) next
          WHERE o.n < $6
       )
       SELECT o.namespace, o.name,
              CASE WHEN latest.type = 'DELETED' THEN NULL ELSE latest.object END AS object
         FROM objects o LEFT JOIN LATERAL (
           SELECT type, object FROM events
            WHERE api_group = $1 AND resource = $2 AND namespace = o.namespace AND name = o.name AND seq <= $5
            ORDER BY seq DESC LIMIT 1) latest ON true
        ORDER BY o.namespace, o.name`,
      [type.group, type.resource, namespace ?? after[0], after[1], rv, limit],
    );
    return res.rows;
  }

  /** Events matching every given filter, in seq order (or reversed). */
  async history(q: HistoryQuery): Promise<StoredEvent[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.group !== undefined) add('api_group = ?', q.group);
    if (q.resource !== undefined) add('resource = ?', q.resource);
    if (q.namespace !== undefined) add('namespace = ?', q.namespace);
    if (q.name !== undefined) add('name = ?', q.name);
    if (q.uid !== undefined) add('uid = ?', q.uid);
    if (q.actor !== undefined) add('actor = ?', q.actor);
    if (q.verb !== undefined) add('verb = ?', q.verb);
    if (q.since !== undefined) add('time >= ?', q.since);
    if (q.until !== undefined) add('time < ?', q.until);
    if (q.afterSeq !== undefined) add('seq > ?', q.afterSeq);
    if (q.untilSeq !== undefined) add('seq <= ?', q.untilSeq);
    params.push(q.limit ?? 1000);
    const res = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY events.seq ${q.descending ? 'DESC' : 'ASC'} LIMIT $${params.length}`,
      params,
    );
    return res.rows.map((r) => eventFromRow(r, this.codec));
  }

  /** Events with afterSeq < seq <= untilSeq, every resource, in order. */
  async readRange(afterSeq: number, untilSeq: number, limit = 1000): Promise<StoredEvent[]> {
    return this.history({ afterSeq, untilSeq, limit });
  }

  /** The last committed seq and the retention horizon. */
  async head(): Promise<{ seq: number; horizon: number }> {
    const res = await this.pool.query<{ seq: string; horizon: string }>(
      'SELECT seq::text AS seq, horizon::text AS horizon FROM log_head WHERE id = 1',
    );
    return { seq: Number(res.rows[0].seq), horizon: Number(res.rows[0].horizon) };
  }

  /** Throws ExpiredError if events after `resourceVersion` may have been compacted. */
  async assertRetained(resourceVersion: number): Promise<void> {
    const { horizon } = await this.head();
    if (resourceVersion < horizon) throw new ExpiredError(resourceVersion, horizon);
  }

  /** Waits for queued appends, then refuses new ones. */
  close(): Promise<void> {
    return this.groupCommit.close();
  }

  private prepare(op: AppendOp): PreparedOp {
    const key = objectKeyOf(op);
    if (!op.resourceType?.resource || !op.resourceType.kind || !op.resourceType.version) {
      throw new InvalidObjectError('the resource type needs a resource, a version and a kind');
    }
    if (!op.provenance?.actor?.user || !op.provenance.verb) {
      throw new InvalidObjectError('every change needs an actor and a verb');
    }
    if (!key.name) throw new InvalidObjectError('metadata.name: Required value: name is required');
    if (op.type === 'delete') {
      if (!op.object) return { op, key };
      return { op, key, object: op.object, json: toStorableJson(this.codec.encode(op.resourceType, op.object), this.maxObjectBytes) };
    }
    if (typeof op.object !== 'object' || op.object === null || typeof op.object.metadata !== 'object' || op.object.metadata === null) {
      throw new InvalidObjectError('the object needs metadata');
    }
    let object = op.object;
    if (op.type === 'create' && !object.metadata.uid) {
      object = { ...object, metadata: { ...object.metadata, uid: randomUUID() } };
    }
    const json = toStorableJson(this.codec.encode(op.resourceType, object), this.maxObjectBytes);
    return { op, key, object, json };
  }
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 1, ...t })).toString('base64url');
}

function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (t.v === 1 && Number.isSafeInteger(t.rv) && typeof t.ns === 'string' && typeof t.name === 'string') {
      return { rv: t.rv, ns: t.ns, name: t.name };
    }
  } catch {
    /* fall through */
  }
  throw new InvalidObjectError('continue key is not valid');
}
