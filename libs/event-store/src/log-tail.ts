import { Client, ClientConfig, Pool } from 'pg';
import { Observable, Subject } from 'rxjs';
import { ObjectCodec, identityCodec } from './object-codec';
import { EVENT_COLUMNS, EventRow, eventFromRow } from './rows';
import { StoredEvent } from './types';

export const LOG_CHANNEL = 'logbook_log';

export interface LogTailOptions {
  /** How often to read even without a notification (default 1000 ms). */
  pollIntervalMs?: number;
  /** Rows per read (default 1000). */
  batchSize?: number;
  codec?: ObjectCodec;
  /** Connection settings for the LISTEN connection. */
  listen: ClientConfig;
}

/**
 * The ordered tail of the log: every committed event exactly once, in seq
 * order, as a hot Observable. One per process.
 *
 * Because appends take their seqs under the `log_head` row lock and commit
 * while holding it, a reader that sees seq N has seen every seq below N; so
 * reading `seq > last` in order can never skip an event that commits later.
 * The tail is woken by LISTEN/NOTIFY from any process, by `offer` from this
 * process's own appends (which saves the read), and by a poll in case a
 * notification is lost with its connection.
 */
export class LogTail {
  private readonly subject = new Subject<StoredEvent>();
  /** Every event, in order, from when `start` returns. */
  readonly events$: Observable<StoredEvent> = this.subject.asObservable();
  private last = 0;
  /** Seqs up to this are this process's, committing: `offer` brings them (see `expect`). */
  private expected = 0;
  private reading = false;
  private again = false;
  private stopped = true;
  private listener?: Client;
  private timer?: NodeJS.Timeout;
  private readonly codec: ObjectCodec;

  constructor(
    private readonly pool: Pool,
    private readonly opts: LogTailOptions,
  ) {
    this.codec = opts.codec ?? identityCodec;
  }

  /** The seq of the last event emitted. */
  get lastSeq(): number {
    return this.last;
  }

  /** Starts following the log after `fromSeq` (default: its current head). */
  async start(fromSeq?: number): Promise<void> {
    this.stopped = false;
    if (fromSeq === undefined) {
      const res = await this.pool.query<{ seq: string }>('SELECT seq::text AS seq FROM log_head WHERE id = 1');
      fromSeq = Number(res.rows[0].seq);
    }
    this.last = fromSeq;
    await this.listen();
    this.timer = setInterval(() => this.wake(), this.opts.pollIntervalMs ?? 1000);
    this.timer.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const l = this.listener;
    this.listener = undefined;
    await l?.end().catch(() => undefined);
    this.subject.complete();
  }

  /** Events this process just committed: emitted at once if they are next in line. */
  offer(events: StoredEvent[]): void {
    if (this.stopped) return;
    for (const e of events) {
      if (e.seq <= this.last) continue;
      if (e.seq !== this.last + 1 || this.reading) {
        // Something committed before these has not been read yet (another
        // process's append); the reader fetches everything in order.
        this.wake();
        return;
      }
      this.emit(e);
    }
  }

  /**
   * This process holds the seqs up to `head` in a transaction that is about
   * to commit, and will `offer` them: a notification up to there needs no
   * read of the log. Seqs below ours that another process committed are
   * not lost by this: `offer` sees the gap and reads. `undefined`: that
   * transaction failed, so its seqs may go to another process's events.
   */
  expect(head: number | undefined): void {
    if (head === undefined) {
      this.expected = this.last;
      this.wake();
    } else if (head > this.expected) {
      this.expected = head;
    }
  }

  /** Reads everything after the last emitted seq. */
  wake(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    void this.readLoop();
  }

  private async readLoop(): Promise<void> {
    const batchSize = this.opts.batchSize ?? 1000;
    try {
      do {
        this.again = false;
        let rows: EventRow[];
        do {
          const res = await this.pool.query<EventRow>(
            `SELECT ${EVENT_COLUMNS} FROM events WHERE seq > $1 ORDER BY events.seq LIMIT $2`,
            [this.last, batchSize],
          );
          rows = res.rows;
          for (const row of rows) {
            const e = eventFromRow(row, this.codec);
            if (e.seq <= this.last) continue;
            if (e.seq !== this.last + 1) {
              // Only compaction removes events, and only below the horizon:
              // this tail fell below it. Jump, and say so to the watchers.
              this.subject.error(new Error(`log tail fell below the retention horizon at seq ${this.last}`));
              this.stopped = true;
              return;
            }
            this.emit(e);
          }
        } while (rows.length === batchSize && !this.stopped);
      } while (this.again && !this.stopped);
    } catch (err) {
      // A failed read is retried by the next wake-up (the poll at the latest).
      if (!this.stopped) setTimeout(() => this.wake(), 200).unref();
    } finally {
      this.reading = false;
    }
  }

  private emit(e: StoredEvent): void {
    this.last = e.seq;
    this.subject.next(e);
  }

  private async listen(): Promise<void> {
    const client = new Client(this.opts.listen);
    // The payload is the new head; this process's own commits have been
    // offered already or are about to be (`expect`), and need no read.
    client.on('notification', (n) => {
      if (n.payload && Number(n.payload) <= Math.max(this.last, this.expected)) return;
      this.wake();
    });
    client.on('error', () => {
      // The connection died: reconnect, and read in case a notification was lost.
      if (this.listener === client) {
        this.listener = undefined;
        if (!this.stopped) setTimeout(() => void this.listen().catch(() => undefined), 500).unref();
      }
    });
    await client.connect();
    await client.query(`LISTEN ${LOG_CHANNEL}`);
    if (this.stopped) {
      await client.end();
      return;
    }
    this.listener = client;
    this.wake();
  }
}
