import type { Pool, PoolClient } from 'pg';

/**
 * How much of the log to keep. Both limits may be set: the stricter wins.
 * Neither set keeps everything (the default).
 */
export interface RetentionPolicy {
  /** Compact events older than this many milliseconds. */
  maxAgeMs?: number;
  /** Keep at most this many of the newest events (besides the kept state of each live object). */
  maxEvents?: number;
}

/** One compaction, as recorded in `compactions`. */
export interface CompactionSummary {
  id: number;
  compactedAt: Date;
  previousHorizon: number;
  horizon: number;
  /** When the event at the horizon happened (the oldest point still served). */
  horizonTime: Date | null;
  deletedEvents: number;
  /** Events at or below the horizon that stay: the state of every object live at the horizon. */
  keptEvents: number;
  /** Seq and time range of the deleted events (null if none were deleted). */
  firstSeq: number | null;
  lastSeq: number | null;
  firstTime: Date | null;
  lastTime: Date | null;
  /** Deleted events by kind and by actor. */
  byKind: Record<string, number>;
  byActor: Record<string, number>;
  policy: RetentionPolicy;
}

export interface RetentionOptions {
  /** The clock for `maxAgeMs` (tests move it). */
  now?: () => Date;
}

/** Session advisory lock: one compaction at a time across every process on the database. */
const COMPACTION_LOCK = 7355609;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses `30d`, `12h`, `1h30m`, `90s`, `500ms`, `2w` into milliseconds. */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (!s) throw new Error('empty duration');
  let total = 0;
  let rest = s;
  const re = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/;
  while (rest.length) {
    const m = re.exec(rest);
    if (!m) throw new Error(`invalid duration "${text}": use a number and a unit (ms, s, m, h, d, w), e.g. 30d or 1h30m`);
    total += Number(m[1]) * UNITS[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}

/**
 * The policy LOGBOOK_RETENTION_MAX_AGE (a duration such as `30d`) and
 * LOGBOOK_RETENTION_MAX_EVENTS (a count) describe; undefined when neither is
 * set (keep everything). Bad values throw: a typo must not silently keep or
 * drop history.
 */
export function retentionPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): RetentionPolicy | undefined {
  const policy: RetentionPolicy = {};
  const age = env.LOGBOOK_RETENTION_MAX_AGE?.trim();
  const events = env.LOGBOOK_RETENTION_MAX_EVENTS?.trim();
  if (age) {
    const ms = parseDuration(age);
    if (!(ms > 0)) throw new Error(`LOGBOOK_RETENTION_MAX_AGE must be positive, not "${age}"`);
    policy.maxAgeMs = ms;
  }
  if (events) {
    const n = Number(events.replace(/_/g, ''));
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`LOGBOOK_RETENTION_MAX_EVENTS must be a whole number of at least 1, not "${events}"`);
    policy.maxEvents = n;
  }
  return policy.maxAgeMs !== undefined || policy.maxEvents !== undefined ? policy : undefined;
}

interface CompactionRow {
  id: string;
  compacted_at: Date;
  previous_horizon: string;
  horizon: string;
  horizon_time: Date | null;
  deleted_events: string;
  kept_events: string;
  first_seq: string | null;
  last_seq: string | null;
  first_time: Date | null;
  last_time: Date | null;
  by_kind: Record<string, number>;
  by_actor: Record<string, number>;
  policy: RetentionPolicy;
}

const num = (s: string | null): number | null => (s === null ? null : Number(s));

function summaryFromRow(r: CompactionRow): CompactionSummary {
  return {
    id: Number(r.id),
    compactedAt: r.compacted_at,
    previousHorizon: Number(r.previous_horizon),
    horizon: Number(r.horizon),
    horizonTime: r.horizon_time,
    deletedEvents: Number(r.deleted_events),
    keptEvents: Number(r.kept_events),
    firstSeq: num(r.first_seq),
    lastSeq: num(r.last_seq),
    firstTime: r.first_time,
    lastTime: r.last_time,
    byKind: r.by_kind,
    byActor: r.by_actor,
    policy: r.policy,
  };
}

/**
 * Retention of the event log. `compact()` raises `log_head.horizon` to what
 * the policy allows and deletes the events at or below it, except the state
 * every object had at the horizon: for each object its latest event at or
 * below the horizon, unless that is a DELETED. What stays is therefore
 * exactly what `Projection.rebuild()` and a list or get as of any
 * resourceVersion at or above the horizon read; watches, history and lists
 * from below it get 410 Expired. Each compaction leaves a summary row.
 */
export class Retention {
  private readonly now: () => Date;

  constructor(
    private readonly pool: Pool,
    readonly policy: RetentionPolicy,
    opts: RetentionOptions = {},
  ) {
    this.now = opts.now ?? (() => new Date());
  }

  /** The horizon the policy asks for now (never lower than the current one). */
  async targetHorizon(client: Pool | PoolClient = this.pool): Promise<{ head: number; horizon: number; target: number }> {
    const head = await client.query<{ seq: string; horizon: string }>('SELECT seq::text AS seq, horizon::text AS horizon FROM log_head WHERE id = 1');
    const seq = Number(head.rows[0].seq);
    const horizon = Number(head.rows[0].horizon);
    let target = horizon;
    if (this.policy.maxEvents !== undefined) target = Math.max(target, seq - this.policy.maxEvents);
    if (this.policy.maxAgeMs !== undefined) {
      const cutoff = new Date(this.now().getTime() - this.policy.maxAgeMs);
      const old = await client.query<{ seq: string }>(
        'SELECT seq::text AS seq FROM events WHERE time < $1 AND seq > $2 ORDER BY events.seq DESC LIMIT 1',
        [cutoff, horizon],
      );
      if (old.rows[0]) target = Math.max(target, Number(old.rows[0].seq));
    }
    return { head: seq, horizon, target: Math.min(target, seq) };
  }

  /**
   * Compacts up to the policy's horizon. Resolves with the summary, or null
   * when there was nothing to do or another process is compacting.
   */
  async compact(): Promise<CompactionSummary | null> {
    const client = await this.pool.connect();
    try {
      const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [COMPACTION_LOCK]);
      if (!locked.rows[0].ok) return null;
      try {
        return await this.compactLocked(client);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [COMPACTION_LOCK]);
      }
    } finally {
      client.release();
    }
  }

  private async compactLocked(client: PoolClient): Promise<CompactionSummary | null> {
    const { horizon: previous, target } = await this.targetHorizon(client);
    if (target <= previous) return null;
    const at = await client.query<{ time: Date }>('SELECT time FROM events WHERE seq = $1', [target]);
    const horizonTime = at.rows[0]?.time ?? null;
    // Raise the horizon first, in its own short transaction: it holds the
    // log_head row lock that every append takes, so it must not wait for the
    // deletion. From here on nothing below the horizon is served, and the
    // append-only trigger lets the deletion through.
    await client.query('UPDATE log_head SET horizon = $1 WHERE id = 1 AND horizon < $1', [target]);
    await client.query('BEGIN');
    try {
      const res = await client.query<CompactionRow>(
        `WITH doomed AS (
           DELETE FROM events e
            WHERE e.seq <= $1
              AND (e.type = 'DELETED' OR EXISTS (
                    SELECT 1 FROM events l
                     WHERE l.api_group = e.api_group AND l.resource = e.resource AND l.namespace = e.namespace
                       AND l.name = e.name AND l.seq > e.seq AND l.seq <= $1))
           RETURNING e.seq, e.time, e.kind, e.actor
         ), k AS (SELECT kind, count(*) AS n FROM doomed GROUP BY kind),
            a AS (SELECT actor, count(*) AS n FROM doomed GROUP BY actor)
         INSERT INTO compactions (previous_horizon, horizon, horizon_time, deleted_events, kept_events, first_seq, last_seq,
                                  first_time, last_time, by_kind, by_actor, policy)
         SELECT $2, $1, $3, (SELECT count(*) FROM doomed), 0, (SELECT min(seq) FROM doomed), (SELECT max(seq) FROM doomed),
                (SELECT min(time) FROM doomed), (SELECT max(time) FROM doomed),
                COALESCE((SELECT jsonb_object_agg(kind, n) FROM k), '{}'::jsonb),
                COALESCE((SELECT jsonb_object_agg(actor, n) FROM a), '{}'::jsonb), $4::jsonb
         RETURNING id`,
        [target, previous, horizonTime, JSON.stringify(this.policy)],
      );
      const id = res.rows[0].id;
      const row = await client.query<CompactionRow>(
        `UPDATE compactions SET kept_events = (SELECT count(*) FROM events WHERE seq <= $1)
          WHERE id = $2
          RETURNING id::text, compacted_at, previous_horizon::text, horizon::text, horizon_time, deleted_events::text,
                    kept_events::text, first_seq::text, last_seq::text, first_time, last_time, by_kind, by_actor, policy`,
        [target, id],
      );
      await client.query('COMMIT');
      return summaryFromRow(row.rows[0]);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** Past compactions, newest first. */
  async summaries(limit = 100): Promise<CompactionSummary[]> {
    return listCompactions(this.pool, limit);
  }
}

/** Past compactions, newest first. */
export async function listCompactions(pool: Pool, limit = 100): Promise<CompactionSummary[]> {
  const res = await pool.query<CompactionRow>(
    `SELECT id::text, compacted_at, previous_horizon::text, horizon::text, horizon_time, deleted_events::text,
            kept_events::text, first_seq::text, last_seq::text, first_time, last_time, by_kind, by_actor, policy
       FROM compactions ORDER BY compactions.id DESC LIMIT $1`,
    [limit],
  );
  return res.rows.map(summaryFromRow);
}

export interface RetentionRunnerOptions {
  /** Between compactions (default 10 minutes). */
  intervalMs?: number;
  /** Where results and failures go (default: nowhere). */
  log?: (message: string) => void;
}

/**
 * Runs `compact()` periodically in the background (one run at a time; the
 * advisory lock also keeps replicas from compacting at once).
 */
export class RetentionRunner {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    readonly retention: Retention,
    private readonly opts: RetentionRunnerOptions = {},
  ) {}

  /** A runner for the policy in the environment, or undefined if it keeps everything. */
  static fromEnv(pool: Pool, env: NodeJS.ProcessEnv = process.env, log?: (message: string) => void): RetentionRunner | undefined {
    const policy = retentionPolicyFromEnv(env);
    if (!policy) return undefined;
    const interval = env.LOGBOOK_RETENTION_INTERVAL?.trim();
    return new RetentionRunner(new Retention(pool, policy), { intervalMs: interval ? parseDuration(interval) : undefined, log });
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), this.opts.intervalMs ?? 600_000);
    this.timer.unref();
    void this.runOnce();
  }

  /** One compaction now, unless one is running; never throws (failures are logged). */
  runOnce(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.retention
      .compact()
      .then((s) => {
        if (s) this.opts.log?.(`compacted ${s.deletedEvents} events up to seq ${s.horizon} (kept ${s.keptEvents} for the state at the horizon)`);
      })
      .catch((err: unknown) => this.opts.log?.(`compaction failed: ${(err as Error).message ?? err}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
