import { randomUUID } from 'crypto';
import * as os from 'os';
import { Subscription } from 'rxjs';
import { InformerFactory, InformerOptions } from '../cache';
import { ClientConfig, KubeClient } from '../client';
import { Controller, ControllerConfigError, ControllerOptions, reconcilerOptionsOf } from '../controller';
import { buildControllerSpec } from '../controller/controller-options';
import type { Reconciler } from '../controller/reconciler';
import { EventRecorder } from '../events';
import { LeaderElectionOptions, LeaderElector } from '../leader';
import { defaultLogger, SdkLogger } from '../logging';
import { SdkMetrics } from '../metrics';

export interface ManagerOptions extends ClientConfig {
  /** Use this client instead of building one from the ClientConfig fields. */
  client?: KubeClient;
  /** Who this replica is (leases, events). Default `<hostname>_<uuid>`, as controller-runtime. */
  identity?: string;
  /** Off by default; when set, controllers run only while this replica holds the lease. */
  leaderElection?: LeaderElectionOptions;
  /** Defaults for every informer (resync period, dead-watch deadline, ...). */
  informers?: Omit<InformerOptions, 'namespace' | 'labelSelector' | 'fieldSelector'>;
  /** Where metrics go; default a registry of the manager's own. */
  metrics?: SdkMetrics;
  logger?: SdkLogger;
}

export interface HealthReport {
  ok: boolean;
  /** Check name to failure ('' when passing). */
  checks: Record<string, string>;
}

/**
 * Runs controllers: one client, one informer per kind shared by all of
 * them, leader election, metrics and health (controller-runtime's Manager).
 *
 * Informers run on every replica (a warm cache makes fail-over quick);
 * controllers run only while this replica leads, if leader election is on.
 */
export class ControllerManager {
  readonly client: KubeClient;
  readonly informers: InformerFactory;
  readonly metrics: SdkMetrics;
  readonly identity: string;
  readonly elector?: LeaderElector;
  private readonly log: SdkLogger;
  private readonly controllers = new Map<string, Controller>();
  private leaderSub?: Subscription;
  private started = false;
  private leading = false;
  private transition: Promise<void> = Promise.resolve();

  constructor(options: ManagerOptions = {}) {
    this.client = options.client ?? new KubeClient(options);
    this.identity = options.identity ?? `${os.hostname()}_${randomUUID()}`;
    this.log = options.logger ?? defaultLogger('ControllerManager');
    this.metrics = options.metrics ?? new SdkMetrics();
    this.informers = new InformerFactory(this.client, options.informers);
    if (options.leaderElection) this.elector = new LeaderElector(this.client, { ...options.leaderElection, identity: this.identity });
  }

  /**
   * Adds a reconciler; its options come from `@Reconciler(...)` on its class
   * unless given here. Throws ControllerConfigError for a declaration that
   * cannot work. Added after start, it starts at once (if leading).
   */
  add(reconciler: Reconciler, options?: ControllerOptions): Controller {
    const subject = reconciler?.constructor?.name && reconciler.constructor !== Object ? reconciler.constructor.name : 'reconciler';
    const spec = buildControllerSpec(options ?? reconcilerOptionsOf(reconciler), reconciler, subject);
    if (this.controllers.has(spec.name)) {
      throw new ControllerConfigError(subject, [`a controller named ${JSON.stringify(spec.name)} exists already (set a distinct name)`]);
    }
    const controller = new Controller(spec, { client: this.client, informers: this.informers, metrics: this.metrics, identity: this.identity });
    this.controllers.set(spec.name, controller);
    // Informers start now, so caches are warm by the time the controller runs.
    spec.sources.forEach((s) => this.informers.informerFor(s.kind));
    if (this.started && this.leading) void controller.start();
    return controller;
  }

  /** Stops and removes a controller (its informers stay: other controllers may share them). */
  async remove(name: string): Promise<boolean> {
    const controller = this.controllers.get(name);
    if (!controller) return false;
    this.controllers.delete(name);
    await controller.stop();
    return true;
  }

  controller(name: string): Controller | undefined {
    return this.controllers.get(name);
  }

  /** An event recorder reporting as `component`. */
  recorderFor(component: string): EventRecorder {
    return new EventRecorder(this.client, { component, instance: this.identity });
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Starts informers, then controllers (at once, or whenever this replica leads). Resolves without waiting for leadership. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.informers.start();
    if (!this.elector) {
      this.setLeading(true);
    } else {
      const name = this.elector.config.leaseName;
      this.metrics.setLeader(name, false);
      this.leaderSub = this.elector.leading$.subscribe((leading) => {
        this.metrics.setLeader(name, leading);
        this.setLeading(leading);
      });
      this.elector.start();
    }
    await this.transition;
  }

  /** Stops controllers (waiting for reconciles in progress), then leader election (releasing the lease if configured), then informers. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.setLeading(false);
    await this.transition;
    this.leaderSub?.unsubscribe();
    await this.elector?.stop();
    await this.informers.stop();
  }

  /** Waits for every informer's first list; false if `timeoutMs` passes first. */
  waitForCacheSync(timeoutMs?: number): Promise<boolean> {
    return this.informers.waitForSync({ timeoutMs });
  }

  /** Liveness: the manager runs. */
  healthz(): HealthReport {
    return report({ manager: this.started ? '' : 'not started' });
  }

  /** Readiness: every informer has its first list. */
  readyz(): HealthReport {
    const checks: Record<string, string> = { manager: this.started ? '' : 'not started' };
    for (const i of this.informers.all()) {
      checks[`informer:${i.kind.group ? `${i.kind.plural}.${i.kind.group}` : i.kind.plural}`] = i.hasSynced ? '' : `not synced${i.status.lastError ? `: ${i.status.lastError}` : ''}`;
    }
    return report(checks);
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    // Serialized: a stop completes before the next start begins.
    this.transition = this.transition.then(async () => {
      if (leading && this.started) {
        // Not awaited: each controller starts its workers once its caches sync.
        for (const c of this.controllers.values()) void c.start();
      } else if (!leading) {
        await Promise.all([...this.controllers.values()].map((c) => c.stop()));
      }
    });
  }
}

function report(checks: Record<string, string>): HealthReport {
  return { ok: Object.values(checks).every((v) => v === ''), checks };
}
