/** The first batch of `slowStartBatch` (Kubernetes' SlowStartInitialBatchSize). */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

export interface SlowStartResult {
  /** Calls that succeeded. */
  successes: number;
  /** The first error of the batch that failed, if one did; later batches were not started. */
  error?: unknown;
}

/**
 * Calls `fn` `count` times in batches of 1, 2, 4, ... (Kubernetes'
 * slowStartBatch): the calls of a batch run concurrently; if all succeed the
 * next batch doubles, and if any fails, no further batch starts. A quota
 * or an admission rule that rejects every pod costs one request, not
 * `count` — and one event, not `count`.
 *
 * `fn` gets the call's index (0-based) and its batch's number.
 */
export async function slowStartBatch(
  count: number,
  fn: (index: number, batch: number) => Promise<unknown>,
  initialBatchSize = SLOW_START_INITIAL_BATCH_SIZE,
): Promise<SlowStartResult> {
  let remaining = count;
  let successes = 0;
  let index = 0;
  for (let size = Math.min(remaining, initialBatchSize), batch = 0; size > 0; size = Math.min(2 * size, remaining), batch++) {
    const results = await Promise.allSettled(Array.from({ length: size }, () => fn(index++, batch)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += size - failed.length;
    if (failed.length > 0) return { successes, error: failed[0].reason };
    remaining -= size;
  }
  return { successes };
}
