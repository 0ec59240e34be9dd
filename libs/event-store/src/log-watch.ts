import { Observable } from 'rxjs';
import { ExpiredError, WatchTooSlowError } from './errors';
import { HistoryQueries } from './history-queries';
import { LogTail } from './log-tail';
import { StoredEvent } from './types';

export interface LogWatchOptions {
  /** Deliver events with seq greater than this. */
  fromSeq: number;
  /** Which events to deliver (every resource is considered). */
  filter?: (e: StoredEvent) => boolean;
  /** Rows per read while catching up from the log (default 1,000). */
  batch?: number;
  /** How far behind the consumer is; past `maxBacklog` the watch ends with WatchTooSlowError. */
  backlog?: () => number;
  maxBacklog?: number;
}

/**
 * Every event of every resource after `fromSeq`, exactly once and in seq
 * order: what the WatchCache does for one resource, for the whole log (the
 * cluster-wide history watch). It subscribes to the tail first and buffers,
 * reads the log up to the seq the tail had reached when it subscribed, then
 * drains the buffer and follows the tail. Seqs are dense, so nothing falls
 * between the two. Below the retention horizon it fails with ExpiredError.
 */
export function watchLog(tail: LogTail, queries: HistoryQueries, opts: LogWatchOptions): Observable<StoredEvent> {
  return new Observable<StoredEvent>((subscriber) => {
    let position = opts.fromSeq;
    let live = false;
    let cancelled = false;
    const buffer: StoredEvent[] = [];
    const deliver = (e: StoredEvent) => {
      if (e.seq <= position || subscriber.closed) return;
      position = e.seq;
      if (opts.filter && !opts.filter(e)) return;
      subscriber.next(e);
      if (opts.backlog && opts.maxBacklog !== undefined) {
        const behind = opts.backlog();
        if (behind > opts.maxBacklog) subscriber.error(new WatchTooSlowError(behind));
      }
    };
    const sub = tail.events$.subscribe({
      next: (e) => (live ? deliver(e) : buffer.push(e)),
      error: (err) => subscriber.error(err instanceof Error && !(err instanceof ExpiredError) ? new ExpiredError(position, position) : err),
      complete: () => subscriber.complete(),
    });
    // Everything after this seq arrives through the subscription.
    const joinedAt = tail.lastSeq;
    const catchUp = async () => {
      const bounds = await queries.bounds();
      if (position < bounds.horizon) throw new ExpiredError(position, bounds.horizon);
      const batch = opts.batch ?? 1000;
      while (position < joinedAt && !cancelled && !subscriber.closed) {
        const page = await queries.page({ fromSeq: position + 1, toSeq: joinedAt }, { limit: batch });
        for (const e of page.events) deliver(e);
        if (!page.continue) position = Math.max(position, joinedAt);
      }
      for (const e of buffer.splice(0)) deliver(e);
      live = true;
    };
    catchUp().catch((err) => subscriber.error(err));
    return () => {
      cancelled = true;
      sub.unsubscribe();
    };
  });
}
