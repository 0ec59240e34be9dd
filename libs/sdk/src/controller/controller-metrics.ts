import type { WorkQueue, WorkQueueMetrics } from '../workqueue';

export type ReconcileOutcome = 'success' | 'error' | 'requeue' | 'requeue_after';

/** What a controller reports; `metrics/` implements it with Prometheus series. */
export interface ControllerMetrics {
  reconciled(outcome: ReconcileOutcome, seconds: number): void;
  /** An error that will be retried. */
  failed(): void;
  /** A TerminalError (not retried). */
  failedTerminally(): void;
  activeWorkers(delta: number): void;
  maxConcurrentReconciles(n: number): void;
  /** The queue's own reports. */
  readonly queue: WorkQueueMetrics;
  /** Lets scrape-time gauges (unfinished work) read the live queue; returns a detach function. */
  attachQueue(queue: WorkQueue<string>): () => void;
}

export interface MetricsProvider {
  forController(name: string): ControllerMetrics;
}
