/**
 * The delay before a Job replaces failed pods (kube's backoff_utils.go):
 * after n failures since the last success, new pods wait
 * `base × 2^(n-1)` (capped) from the last failure. Kube's base is 10 s and
 * its cap 6 min; both are options of the controller, so tests need not wait.
 */
import type { Pod } from '@logbook/api';
import { podFinishedTime } from './job-tracking';

export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 6 * 60_000;

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  /** When the latest of those failures happened (ms). */
  lastFailureTime?: number;
}

export const NO_FAILURES: BackoffRecord = Object.freeze({ failuresAfterLastSuccess: 0 });

/**
 * The record after this sync's newly finished pods (kube's
 * newBackoffRecord): failures add up; a success resets the count to the
 * failures that came after it.
 */
export function nextBackoffRecord(previous: BackoffRecord, newSucceeded: readonly Pod[], newFailed: readonly Pod[]): BackoffRecord {
  const failedTimes = newFailed.map(podFinishedTime).sort((a, b) => a - b);
  if (newSucceeded.length === 0) {
    if (failedTimes.length === 0) return previous;
    return { failuresAfterLastSuccess: previous.failuresAfterLastSuccess + failedTimes.length, lastFailureTime: failedTimes[failedTimes.length - 1] };
  }
  const lastSuccess = Math.max(...newSucceeded.map(podFinishedTime));
  const after = failedTimes.filter((t) => t > lastSuccess);
  return after.length ? { failuresAfterLastSuccess: after.length, lastFailureTime: after[after.length - 1] } : { failuresAfterLastSuccess: 0 };
}

/** How long new pods must still wait (0: create now). */
export function remainingBackoff(record: BackoffRecord, now: number, baseMs = DEFAULT_POD_FAILURE_BACKOFF_MS, maxMs = MAX_POD_FAILURE_BACKOFF_MS): number {
  if (record.failuresAfterLastSuccess === 0 || record.lastFailureTime === undefined) return 0;
  const backoff = Math.min(maxMs, baseMs * 2 ** (record.failuresAfterLastSuccess - 1));
  return Math.max(0, backoff - Math.max(0, now - record.lastFailureTime));
}
