import { DataSource } from 'typeorm';
import { createDataSource, poolOf, runMigrations } from './data-source';
import { EventLog, EventLogOptions } from './event-log';
import { LogTail } from './log-tail';
import { ObjectCodec } from './object-codec';
import { Projection } from './projection';
import { WatchCache, WatchCacheOptions } from './watch-cache';

export interface EventStoreOptions {
  databaseUrl: string;
  poolSize?: number;
  codec?: ObjectCodec;
  maxObjectBytes?: number;
  /** Run pending migrations on open (default true). */
  migrate?: boolean;
  watchCache?: WatchCacheOptions;
  pollIntervalMs?: number;
  groupCommit?: EventLogOptions['groupCommit'];
}

/**
 * Everything one process needs of the log, wired together: the DataSource,
 * the EventLog (writes and reads), the one LogTail and the WatchCache on it.
 */
export class EventStore {
  private constructor(
    readonly dataSource: DataSource,
    readonly log: EventLog,
    readonly tail: LogTail,
    readonly watchCache: WatchCache,
    readonly projection: Projection,
  ) {}

  static async open(opts: EventStoreOptions): Promise<EventStore> {
    const ds = createDataSource({ databaseUrl: opts.databaseUrl, poolSize: opts.poolSize });
    await ds.initialize();
    try {
      if (opts.migrate !== false) await runMigrations(ds);
      const pool = poolOf(ds);
      let tail: LogTail | undefined;
      const log = new EventLog(pool, {
        codec: opts.codec,
        maxObjectBytes: opts.maxObjectBytes,
        groupCommit: opts.groupCommit,
        onCommitted: (events) => tail?.offer(events),
        onCommitting: (head) => tail?.expect(head),
      });
      tail = new LogTail(pool, {
        listen: { connectionString: opts.databaseUrl, application_name: 'logbook-tail' },
        codec: opts.codec,
        pollIntervalMs: opts.pollIntervalMs,
      });
      const watchCache = new WatchCache(tail, log, opts.watchCache);
      watchCache.start();
      await tail.start();
      return new EventStore(ds, log, tail, watchCache, new Projection(pool));
    } catch (err) {
      await ds.destroy().catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.log.close();
    this.watchCache.stop();
    await this.tail.stop();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
