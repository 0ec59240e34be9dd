/**
 * Every API request this process's clients sent, by method, response code
 * and field manager (client-go's `rest_client_requests_total{code,method}`,
 * which is process-wide too). Conflicts (409) show how often a writer
 * acted on a stale view; benchmarks read them here, and SdkMetrics
 * exports them.
 *
 * `code` is the HTTP status, or `<error>` when no response came back.
 */
export interface RequestCount {
  method: string;
  code: string;
  /** The `fieldManager` the request named (writes), or ''. */
  fieldManager: string;
  count: number;
}

class RequestCounts {
  private readonly counts = new Map<string, RequestCount>();

  record(method: string, code: number | '<error>', fieldManager = ''): void {
    const key = `${method} ${code} ${fieldManager}`;
    const c = this.counts.get(key);
    if (c) c.count++;
    else this.counts.set(key, { method, code: String(code), fieldManager, count: 1 });
  }

  /** A copy of the counts so far. */
  snapshot(): RequestCount[] {
    return [...this.counts.values()].map((c) => ({ ...c }));
  }

  /** What happened between two snapshots (`before` may be empty). */
  static since(before: readonly RequestCount[], after: readonly RequestCount[]): RequestCount[] {
    const key = (c: RequestCount) => `${c.method} ${c.code} ${c.fieldManager}`;
    const old = new Map(before.map((c) => [key(c), c.count]));
    return after.map((c) => ({ ...c, count: c.count - (old.get(key(c)) ?? 0) })).filter((c) => c.count > 0);
  }
}

/** The process's tally; HttpTransport records into it. */
export const requestCounts = new RequestCounts();

/** Counts in `after` not yet in `before`. */
export const requestCountsSince = RequestCounts.since;
