import type { HistoryQueries, KubeObject, StoredEvent } from '@logbook/event-store';
import { HistoryEvent, Previous, toHistoryEvent } from './history-event';

/**
 * Turns log events into HistoryEvents, reading the previous version of each
 * changed object (by `prevSeq`) from the same batch when it is there and
 * from the log otherwise, in one query per batch.
 */
export class HistoryRenderer {
  constructor(
    private readonly queries: HistoryQueries,
    /** A cheaper source of previous versions (the watch cache's ring), if any. */
    private readonly recent?: (e: StoredEvent) => KubeObject | undefined,
  ) {}

  async previousVersions(events: StoredEvent[]): Promise<Map<number, Previous>> {
    const known = new Map<number, KubeObject>(events.map((e) => [e.seq, e.object]));
    const out = new Map<number, Previous>();
    const missing: number[] = [];
    for (const e of events) {
      if (e.type === 'ADDED' || e.prevSeq === null) continue;
      const object = known.get(e.prevSeq) ?? this.recent?.(e);
      if (object) out.set(e.seq, { object });
      else missing.push(e.prevSeq);
    }
    const fetched = await this.queries.objectsAt(missing);
    for (const e of events) {
      if (e.type === 'ADDED' || e.prevSeq === null || out.has(e.seq)) continue;
      const object = fetched.get(e.prevSeq);
      out.set(e.seq, object ? { object } : { compacted: true });
    }
    return out;
  }

  async render(events: StoredEvent[], opts: { withObject?: boolean } = {}): Promise<HistoryEvent[]> {
    const previous = await this.previousVersions(events);
    return events.map((e) => toHistoryEvent(e, previous.get(e.seq), opts));
  }
}
