import { Client, ClientConfig, Pool, QueryResult } from 'pg';
import { AlreadyExistsError, ConflictError, InvalidObjectError, NotFoundError, StoreError } from './errors';
import { lockKeyOf } from './lock-key';
import { ObjectCodec } from './object-codec';
import {
  AppendOp,
  EventType,
  KubeObject,
  ObjectKey,
  Preconditions,
  Provenance,
  ResourceType,
  StoredEvent,
  keyString,
  objectKeyOf,
} from './types';

/** An append op, validated and serialised by the caller before queueing. */
export interface PreparedOp {
  op: AppendOp;
  key: ObjectKey;
  /** The object as the caller gave it (create/update) with uid settled. */
  object?: KubeObject;
  /** Its encoded JSON text (create/update; delete when an object is given). */
  json?: string;
}

interface Unit {
  ops: PreparedOp[];
  resolve(events: StoredEvent[]): void;
  reject(err: unknown): void;
}

/** What the batch knows of one object while planning. */
interface CurrentState {
  exists: boolean;
  uid: string;
  /** Committed resourceVersion, or null when set by an earlier op of the batch. */
  rv: number | null;
  /** 1-based position in the batch of the event that set the state. */
  ord: number | null;
  /** Plain object, loaded only when a delete needs its last state. */
  object?: KubeObject;
  /** Stored (encoded) object JSON, for the same purpose. */
  json?: string;
}

/** A row of the state read (beginAndReadState). */
interface StateRow {
  api_group: string;
  resource: string;
  namespace: string;
  name: string;
  uid: string;
  rv: string;
  object: KubeObject | null;
}

interface Planned {
  ord: number;
  type: EventType;
  rt: ResourceType;
  key: ObjectKey;
  uid: string;
  json: string;
  object: KubeObject;
  prevSeq: number | null;
  prevOrd: number | null;
  provenance: Provenance;
  projection: 'U' | 'D' | null;
}

export interface GroupCommitOptions {
  /**
   * Concurrent writing transactions (default 1). Their commits serialise on
   * log_head anyway; a second one only overlaps its first round trip with
   * the other's commit, and splits the waiting appends into smaller
   * transactions, each with its own fixed cost in Postgres.
   */
  writers?: number;
  /** Most ops in one transaction. */
  maxBatchOps?: number;
  /** Most bytes of object JSON in one transaction. */
  maxBatchBytes?: number;
  codec: ObjectCodec;
  /** Called after each COMMIT with the events it made durable, in seq order. */
  onCommitted?: (events: StoredEvent[]) => void;
  /**
   * Called when a transaction holds the seqs up to `head` and is about to
   * COMMIT, and with `undefined` when such a transaction then failed.
   * The tail uses it to know that this process will offer those events, and
   * skips reading them back when their notification arrives first.
   */
  onCommitting?: (head: number | undefined) => void;
}

/**
 * Group commit for the event log. Appends from the whole process queue here
 * and are written by a few writer loops, each taking everything queued (up
 * to a bound) into one transaction:
 *
 *   BEGIN                                                  ┐
 *   lock the objects' advisory keys, ascending              │ one round trip
 *   read their current uid / resourceVersion               ┘
 *   -- check preconditions in memory; a failing unit is left out, the rest go on
 *   one statement: take seqs from log_head (its row lock is held to COMMIT),  ┐ one round trip
 *     insert the events, upsert/delete the projection rows, pg_notify        │ (pipelined)
 *   COMMIT                                                                    ┘
 *
 * The write and its COMMIT are pipelined: both are sent before either
 * answer is read, and Postgres runs them back to back, so the log_head row lock is held for the
 * statement and the commit only, never for a turn of this process's event
 * loop (which, in a busy API server, is milliseconds). If the write fails,
 * the transaction is aborted and Postgres answers the COMMIT with ROLLBACK.
 * Each writer loop keeps its own connection, opened in pipeline mode with
 * the pool's settings.
 *
 * A caller's promise settles only after COMMIT, so an acknowledged append
 * survives a crash. Units are atomic: all their ops land or none do.
 */
export class GroupCommit {
  private readonly queue: Unit[] = [];
  private readonly writers: number;
  private readonly maxBatchOps: number;
  private readonly maxBatchBytes: number;
  private active = 0;
  private closed = false;
  private idle: Array<() => void> = [];
  /** Pipelined connections of the writer loops not running now. */
  private readonly spare: Client[] = [];

  constructor(
    private readonly pool: Pool,
    private readonly opts: GroupCommitOptions,
  ) {
    this.writers = opts.writers ?? 1;
    this.maxBatchOps = opts.maxBatchOps ?? 512;
    this.maxBatchBytes = opts.maxBatchBytes ?? 16 * 1024 * 1024;
  }

  submit(ops: PreparedOp[]): Promise<StoredEvent[]> {
    if (this.closed) return Promise.reject(new Error('event log is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ ops, resolve, reject });
      if (this.active < this.writers) {
        // Start on the next macrotask, not now: appends submitted in the same
        // turn (typically the callers a commit has just released) then share
        // one transaction instead of each taking a commit slot of its own.
        this.active++;
        setImmediate(() => void this.writerLoop());
      }
    });
  }

  /** Stops taking appends, waits for those queued to settle, and closes the writers' connections. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.active > 0) await new Promise<void>((r) => this.idle.push(r));
    await Promise.all(this.spare.splice(0).map((c) => c.end().catch(() => undefined)));
  }

  private async writerLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        await this.runBatch(batch);
      }
    } finally {
      this.active--;
      if (this.active === 0) this.idle.splice(0).forEach((r) => r());
    }
  }

  private takeBatch(): Unit[] {
    const batch: Unit[] = [];
    let ops = 0;
    let bytes = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      const size = next.ops.reduce((n, p) => n + (p.json?.length ?? 0), 0);
      if (batch.length > 0 && (ops + next.ops.length > this.maxBatchOps || bytes + size > this.maxBatchBytes)) break;
      batch.push(this.queue.shift()!);
      ops += next.ops.length;
      bytes += size;
    }
    return batch;
  }

  /** A writer connection: a spare one, or a new one in pipeline mode with the pool's settings. */
  private async connect(): Promise<Client> {
    const spare = this.spare.pop();
    if (spare) return spare;
    const { options } = this.pool as unknown as { options: ClientConfig };
    const client = new Client({ ...options, application_name: `${options.application_name ?? 'logbook'}-writer`, pipeline: true } as ClientConfig);
    // A spare connection that dies (a Postgres restart) leaves the spares at
    // once, so that no append is sent on it; the 'error' listener also keeps
    // the event from ending the process.
    const drop = () => {
      const i = this.spare.indexOf(client);
      if (i >= 0) this.spare.splice(i, 1);
    };
    client.on('error', drop);
    client.on('end', drop);
    await client.connect();
    return client;
  }

  private release(client: Client, broken?: Error): void {
    if (broken || this.closed) void client.end().catch(() => undefined);
    else this.spare.push(client);
  }

  private async runBatch(batch: Unit[]): Promise<void> {
    let client: Client;
    try {
      client = await this.connect();
    } catch (err) {
      batch.forEach((u) => u.reject(err));
      return;
    }
    let broken: Error | undefined;
    let committing = false;
    try {
      const outcome = await this.writeBatch(client, batch, () => (committing = true));
      for (const [unit, result] of outcome) {
        if (result instanceof Array) unit.resolve(result);
        else unit.reject(result);
      }
      const all = [...outcome.values()].filter((r): r is StoredEvent[] => Array.isArray(r)).flat();
      if (all.length > 0) {
        all.sort((a, b) => a.seq - b.seq);
        this.opts.onCommitted?.(all);
      }
    } catch (err) {
      if (committing) this.opts.onCommitting?.(undefined);
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      if (batch.length > 1 && !broken) {
        // Something in the batch made Postgres refuse it; find out which by
        // writing each unit alone, so one bad unit does not fail the rest.
        this.release(client);
        for (const unit of batch) await this.runBatch([unit]);
        return;
      }
      batch.forEach((u) => u.reject(asStoreError(err)));
    }
    this.release(client, broken);
  }

  /** One transaction; returns each unit's events or its error. */
  private async writeBatch(client: Client, batch: Unit[], committing: () => void): Promise<Map<Unit, StoredEvent[] | StoreError>> {
    const keys = new Map<string, ObjectKey>();
    const needObject = new Set<string>();
    for (const unit of batch) {
      for (const p of unit.ops) {
        const ks = keyString(p.key);
        keys.set(ks, p.key);
        if (p.op.type === 'delete' && !p.json) needObject.add(ks);
      }
    }
    const keyList = [...keys.entries()];
    const lockKeys = [...new Set(keyList.map(([, k]) => lockKeyOf(k)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

    const state = await this.beginAndReadState(client, lockKeys, keyList, needObject);

    const outcome = new Map<Unit, StoredEvent[] | StoreError>();
    const planned: Planned[] = [];
    const unitEvents = new Map<Unit, Planned[]>();
    for (const unit of batch) {
      const scratch = new Map<string, CurrentState>();
      const mine: Planned[] = [];
      try {
        for (const p of unit.ops) {
          const ks = keyString(p.key);
          const cur = scratch.get(ks) ?? state.get(ks)!;
          const { next, event } = this.plan(p, cur, planned.length + mine.length + 1);
          scratch.set(ks, next);
          mine.push(event);
        }
      } catch (err) {
        if (!(err instanceof StoreError)) throw err;
        outcome.set(unit, err);
        continue;
      }
      for (const [ks, s] of scratch) state.set(ks, s);
      planned.push(...mine);
      unitEvents.set(unit, mine);
    }

    if (planned.length === 0) {
      await client.query('ROLLBACK');
      return outcome;
    }
    // Only the last event per object decides its projection row.
    const last = new Map<string, Planned>();
    for (const e of planned) last.set(keyString(e.key), e);
    for (const e of last.values()) e.projection = e.type === 'DELETED' ? 'D' : 'U';

    // Pipelined: both are on the wire before either answer is read.
    const written = this.writeEvents(client, planned);
    const commit = client.query('COMMIT');
    let base: number;
    let time: Date;
    try {
      ({ base, time } = await written);
    } catch (err) {
      // The transaction is aborted; Postgres answers the COMMIT with ROLLBACK.
      await commit.catch(() => undefined);
      throw err;
    }
    committing();
    this.opts.onCommitting?.(base + planned.length);
    const done = await commit;
    if (done.command !== 'COMMIT') throw new Error(`the append transaction ended in ${done.command}, not COMMIT`);

    for (const [unit, events] of unitEvents) {
      outcome.set(
        unit,
        events.map((e) => toStoredEvent(e, base, time)),
      );
    }
    return outcome;
  }

  /**
   * BEGIN, the advisory locks and the read of the objects' current state, in
   * one round trip: one simple-protocol query string of three statements.
   * Postgres runs them in order, and under READ COMMITTED each statement
   * takes its own snapshot, so the read sees every transaction that released
   * these locks before it, exactly as when the statements went one by one.
   * Values are inlined as literals (the lock keys are integers; the names go
   * through the driver's escapeLiteral).
   */
  private async beginAndReadState(
    client: Client,
    lockKeys: bigint[],
    keyList: Array<[string, ObjectKey]>,
    needObject: Set<string>,
  ): Promise<Map<string, CurrentState>> {
    const texts = (f: (k: ObjectKey) => string) => `ARRAY[${keyList.map(([, k]) => client.escapeLiteral(f(k))).join(',')}]::text[]`;
    const needs = `ARRAY[${keyList.map(([ks]) => (needObject.has(ks) ? 'true' : 'false')).join(',')}]::bool[]`;
    const results = (await client.query(
      `BEGIN;
       SELECT pg_advisory_xact_lock(k) FROM unnest(ARRAY[${lockKeys.join(',')}]::int8[]) AS k ORDER BY k;
       SELECT r.api_group, r.resource, r.namespace, r.name, r.uid, r.resource_version::text AS rv,
              CASE WHEN k.need THEN r.object END AS object
         FROM unnest(${texts((k) => k.group)}, ${texts((k) => k.resource)}, ${texts((k) => k.namespace)}, ${texts((k) => k.name)}, ${needs})
              AS k(g, res, ns, n, need)
         JOIN resources r ON r.api_group = k.g AND r.resource = k.res AND r.namespace = k.ns AND r.name = k.n`,
    )) as unknown as Array<QueryResult<StateRow>>;
    const state = new Map<string, CurrentState>();
    for (const [ks] of keyList) state.set(ks, { exists: false, uid: '', rv: null, ord: null });
    for (const row of results[2].rows) {
      const ks = keyString({ group: row.api_group, resource: row.resource, namespace: row.namespace, name: row.name });
      const s: CurrentState = { exists: true, uid: row.uid, rv: Number(row.rv), ord: null };
      if (row.object) {
        s.json = JSON.stringify(row.object);
        s.object = this.opts.codec.decode({ group: row.api_group, resource: row.resource }, row.object);
      }
      state.set(ks, s);
    }
    return state;
  }

  /** Checks one op against the current state; throws a StoreError if it cannot apply. */
  private plan(p: PreparedOp, cur: CurrentState, ord: number): { next: CurrentState; event: Planned } {
    const { op, key } = p;
    const prev = { prevSeq: cur.ord === null ? cur.rv : null, prevOrd: cur.ord };
    const common = { ord, rt: op.resourceType, key, provenance: op.provenance, projection: null };
    if (op.type === 'create') {
      if (cur.exists) throw new AlreadyExistsError(key);
      const uid = p.object!.metadata.uid!;
      const event: Planned = { ...common, type: 'ADDED', uid, json: p.json!, object: p.object!, prevSeq: null, prevOrd: null };
      return { next: { exists: true, uid, rv: null, ord, object: p.object, json: p.json }, event };
    }
    if (!cur.exists) throw new NotFoundError(key);
    checkPreconditions(key, cur, op.preconditions);
    if (op.type === 'update') {
      const uid = p.object!.metadata.uid;
      if (uid !== undefined && uid !== cur.uid) {
        throw new ConflictError(key, `Precondition failed: UID in precondition: ${cur.uid}, UID in object meta: ${uid}`);
      }
      const event: Planned = { ...common, type: 'MODIFIED', uid: cur.uid, json: p.json!, object: p.object!, ...prev };
      return { next: { exists: true, uid: cur.uid, rv: null, ord, object: p.object, json: p.json }, event };
    }
    const object = p.object ?? cur.object!;
    const json = p.json ?? cur.json!;
    const event: Planned = { ...common, type: 'DELETED', uid: cur.uid, json, object, ...prev };
    return { next: { exists: false, uid: '', rv: null, ord }, event };
  }

  private async writeEvents(client: Client, planned: Planned[]): Promise<{ base: number; time: Date }> {
    const col = <T>(f: (e: Planned) => T) => planned.map(f);
    const res = await client.query<{ base: string; time: Date }>({
      // Named, so Postgres plans it once per connection.
      name: 'logbook_append_v1',
      text: `WITH head AS (
         UPDATE log_head SET seq = seq + $1 WHERE id = 1 RETURNING seq - $1 AS base
       ), i AS MATERIALIZED (
         SELECT head.base + u.ord AS seq,
                COALESCE(head.base + u.prev_ord, u.prev_seq) AS prev_seq,
                u.type, u.g, u.v, u.res, u.kind, u.ns, u.name, u.uid,
                jsonb_set(u.obj::jsonb, '{metadata,resourceVersion}', to_jsonb((head.base + u.ord)::text)) AS object,
                u.actor, u.actor_uid, u.actor_groups::text[] AS actor_groups, u.verb, u.sub, u.fm, u.ua, u.rid, u.cause, u.proj
           FROM head, unnest($2::int[], $3::int8[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[],
                             $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
                             $15::text[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[],
                             $21::text[], $22::int8[], $23::text[])
                AS u(ord, prev_seq, prev_ord, type, g, v, res, kind, ns, name, uid, obj, actor, actor_uid,
                     actor_groups, verb, sub, fm, ua, rid, cause, proj)
       ), ev AS (
         INSERT INTO events (seq, prev_seq, type, api_group, api_version, resource, kind, namespace, name, uid,
                             object, actor, actor_uid, actor_groups, verb, subresource, field_manager, user_agent,
                             request_id, cause_seq)
         SELECT seq, prev_seq, type, g, v, res, kind, ns, name, uid, object, actor, actor_uid, actor_groups, verb,
                sub, fm, ua, rid, cause
           FROM i ORDER BY seq
       ), up AS (
         INSERT INTO resources AS r (api_group, resource, namespace, name, api_version, kind, uid, resource_version, object)
         SELECT g, res, ns, name, v, kind, uid, seq, object FROM i WHERE proj = 'U'
         ON CONFLICT (api_group, resource, namespace, name) DO UPDATE
           SET api_version = EXCLUDED.api_version, kind = EXCLUDED.kind, uid = EXCLUDED.uid,
               resource_version = EXCLUDED.resource_version, object = EXCLUDED.object
       ), del AS (
         DELETE FROM resources r USING i
          WHERE i.proj = 'D' AND r.api_group = i.g AND r.resource = i.res AND r.namespace = i.ns AND r.name = i.name
       )
       SELECT head.base::text AS base, now() AS time, pg_notify('logbook_log', (head.base + $1)::text)
         FROM head`,
      values: [
        planned.length,
        col((e) => e.ord),
        col((e) => e.prevSeq),
        col((e) => e.prevOrd),
        col((e) => e.type),
        col((e) => e.rt.group),
        col((e) => e.rt.version),
        col((e) => e.rt.resource),
        col((e) => e.rt.kind),
        col((e) => e.key.namespace),
        col((e) => e.key.name),
        col((e) => e.uid),
        col((e) => e.json),
        col((e) => e.provenance.actor.user),
        col((e) => e.provenance.actor.uid ?? null),
        col((e) => pgTextArray(e.provenance.actor.groups ?? [])),
        col((e) => e.provenance.verb),
        col((e) => e.provenance.subresource ?? null),
        col((e) => e.provenance.fieldManager ?? null),
        col((e) => e.provenance.userAgent ?? null),
        col((e) => e.provenance.requestId ?? null),
        col((e) => e.provenance.causeSeq ?? null),
        col((e) => e.projection),
      ],
    });
    return { base: Number(res.rows[0].base), time: res.rows[0].time };
  }
}

function checkPreconditions(key: ObjectKey, cur: CurrentState, pre?: Preconditions): void {
  if (!pre) return;
  if (pre.uid !== undefined && pre.uid !== cur.uid) {
    throw new ConflictError(key, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.uid}`);
  }
  if (pre.resourceVersion !== undefined && (cur.rv === null || String(cur.rv) !== pre.resourceVersion)) {
    throw new ConflictError(key, 'the object has been modified; please apply your changes to the latest version and try again');
  }
}

function toStoredEvent(e: Planned, base: number, time: Date): StoredEvent {
  const seq = base + e.ord;
  const object: KubeObject = { ...e.object, metadata: { ...e.object.metadata, resourceVersion: String(seq) } };
  return {
    seq,
    prevSeq: e.prevOrd !== null ? base + e.prevOrd : e.prevSeq,
    time,
    type: e.type,
    group: e.rt.group,
    version: e.rt.version,
    resource: e.rt.resource,
    kind: e.rt.kind,
    namespace: e.key.namespace,
    name: e.key.name,
    uid: e.uid,
    object,
    provenance: e.provenance,
  };
}

/** A Postgres array literal, for an array column inside an array parameter. */
function pgTextArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

/** Postgres refusing a value becomes an Invalid store error; the rest pass through. */
function asStoreError(err: unknown): unknown {
  const code = (err as { code?: string }).code;
  if (code && /^22/.test(code)) return new InvalidObjectError(`the object cannot be stored: ${(err as Error).message}`);
  return err;
}

export { objectKeyOf };
