import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ControllerMetrics, MetricsProvider, ReconcileOutcome } from '../controller/controller-metrics';
import type { WorkQueue } from '../workqueue';

/** controller-runtime's reconcile time buckets. */
const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0,
  4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
/** client-go's workqueue buckets: ExponentialBuckets(10e-9, 10, 12). */
const QUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => 1e-8 * Math.pow(10, i));

/**
 * The SDK's Prometheus series, named as controller-runtime names them
 * (`controller_runtime_reconcile_total{controller,result}`,
 * `workqueue_depth{name,controller}`, ...), in their own Registry so that
 * several managers in one process (tests) do not collide. Pass
 * prom-client's global `register` to merge with the process's metrics.
 */
export class SdkMetrics implements MetricsProvider {
  private readonly reconcileTotal: Counter<'controller' | 'result'>;
  private readonly reconcileErrors: Counter<'controller'>;
  private readonly terminalErrors: Counter<'controller'>;
  private readonly reconcileTime: Histogram<'controller'>;
  private readonly maxConcurrent: Gauge<'controller'>;
  private readonly activeWorkers: Gauge<'controller'>;
  private readonly depth: Gauge<'name' | 'controller'>;
  private readonly adds: Counter<'name' | 'controller'>;
  private readonly queueDuration: Histogram<'name' | 'controller'>;
  private readonly workDuration: Histogram<'name' | 'controller'>;
  private readonly retries: Counter<'name' | 'controller'>;
  private readonly leaderStatus: Gauge<'name'>;
  private readonly queues = new Map<string, WorkQueue<string>>();

  constructor(readonly registry: Registry = new Registry()) {
    const registers = [registry];
    const queues = this.queues;
    this.reconcileTotal = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller', labelNames: ['controller', 'result'], registers });
    this.reconcileErrors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller', labelNames: ['controller'], registers });
    this.terminalErrors = new Counter({ name: 'controller_runtime_terminal_reconcile_errors_total', help: 'Total number of terminal reconciliation errors per controller', labelNames: ['controller'], registers });
    this.reconcileTime = new Histogram({ name: 'controller_runtime_reconcile_time_seconds', help: 'Length of time per reconciliation per controller', labelNames: ['controller'], buckets: RECONCILE_BUCKETS, registers });
    this.maxConcurrent = new Gauge({ name: 'controller_runtime_max_concurrent_reconciles', help: 'Maximum number of concurrent reconciles per controller', labelNames: ['controller'], registers });
    this.activeWorkers = new Gauge({ name: 'controller_runtime_active_workers', help: 'Number of currently used workers per controller', labelNames: ['controller'], registers });
    this.depth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name', 'controller'], registers });
    this.adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name', 'controller'], registers });
    this.queueDuration = new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested', labelNames: ['name', 'controller'], buckets: QUEUE_BUCKETS, registers });
    this.workDuration = new Histogram({ name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes', labelNames: ['name', 'controller'], buckets: QUEUE_BUCKETS, registers });
    this.retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name', 'controller'], registers });
    new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help: 'How many seconds of work has been done that is in progress and hasn\'t been observed by work_duration. Large values indicate stuck threads.',
      labelNames: ['name', 'controller'],
      registers,
      collect() {
        for (const [name, q] of queues) this.set({ name, controller: name }, q.unfinishedWork().totalSeconds);
      },
    });
    new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running.',
      labelNames: ['name', 'controller'],
      registers,
      collect() {
        for (const [name, q] of queues) this.set({ name, controller: name }, q.unfinishedWork().longestSeconds);
      },
    });
    this.leaderStatus = new Gauge({ name: 'leader_election_master_status', help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.', labelNames: ['name'], registers });
  }

  forController(controller: string): ControllerMetrics {
    const q = { name: controller, controller };
    const c = { controller };
    for (const result of ['success', 'error', 'requeue', 'requeue_after']) this.reconcileTotal.inc({ controller, result }, 0);
    this.reconcileErrors.inc(c, 0);
    this.terminalErrors.inc(c, 0);
    this.activeWorkers.set(c, 0);
    this.depth.set(q, 0);
    return {
      reconciled: (outcome: ReconcileOutcome, seconds: number) => {
        this.reconcileTotal.inc({ controller, result: outcome });
        this.reconcileTime.observe(c, seconds);
      },
      failed: () => this.reconcileErrors.inc(c),
      failedTerminally: () => {
        this.reconcileErrors.inc(c);
        this.terminalErrors.inc(c);
      },
      activeWorkers: (delta) => this.activeWorkers.inc(c, delta),
      maxConcurrentReconciles: (n) => this.maxConcurrent.set(c, n),
      queue: {
        added: () => this.adds.inc(q),
        depth: (n) => this.depth.set(q, n),
        queued: (ms) => this.queueDuration.observe(q, ms / 1000),
        worked: (ms) => this.workDuration.observe(q, ms / 1000),
        retried: () => this.retries.inc(q),
      },
      attachQueue: (queue) => {
        this.queues.set(controller, queue);
        return () => {
          if (this.queues.get(controller) === queue) this.queues.delete(controller);
        };
      },
    };
  }

  /** Reports whether this process leads the lease `name`. */
  setLeader(name: string, leading: boolean): void {
    this.leaderStatus.set({ name }, leading ? 1 : 0);
  }

  /** The exposition text and its content type, for a /metrics endpoint. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
