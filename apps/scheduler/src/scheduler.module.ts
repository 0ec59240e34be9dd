import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ClientConfig, ControllerManager, LeaderElectionOptions, untilApiServerAnswers } from '@logbook/sdk';
import { PodScheduler, PodSchedulerOptions } from './pod-scheduler';

export interface SchedulerModuleOptions extends ClientConfig {
  /** Leader election on a Lease (default `kube-system/kube-scheduler`); `false` to run unconditionally. */
  leaderElection?: LeaderElectionOptions | false;
  /** Who this replica is (the Lease's holder). */
  identity?: string;
  scheduler?: PodSchedulerOptions;
}

export const SCHEDULER_OPTIONS = Symbol('SCHEDULER_OPTIONS');

/**
 * Runs the scheduler in a Nest application: a ControllerManager of its own
 * (so its lease is not the controller-manager's), started once the API
 * server answers — without holding up the application's start, since in
 * the all-in-one process that server is this very application — and
 * stopped (releasing the lease) when the application closes.
 */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap, OnModuleDestroy {
  readonly manager: ControllerManager;
  readonly scheduler: PodScheduler;
  private readonly log = new Logger('Scheduler');
  private readonly abort = new AbortController();
  private starting?: Promise<void>;

  constructor(@Inject(SCHEDULER_OPTIONS) options: SchedulerModuleOptions) {
    const { leaderElection, identity, scheduler, ...client } = options;
    this.manager = new ControllerManager({
      ...client,
      userAgent: client.userAgent ?? 'logbook-scheduler',
      identity,
      leaderElection: leaderElection === false ? undefined : { leaseName: 'kube-scheduler', ...leaderElection },
      logger: new Logger('SchedulerManager'),
    });
    this.scheduler = new PodScheduler({ ...scheduler }).addTo(this.manager);
  }

  onApplicationBootstrap(): void {
    this.starting = untilApiServerAnswers(this.manager.client, this.abort.signal).then(
      () => this.manager.start().then(() => this.log.log(`started as ${this.manager.identity} against ${this.manager.client.server}`)),
      () => undefined,
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.abort.abort();
    await this.starting;
    await this.manager.stop();
    this.scheduler.detach();
  }
}

/** The scheduler as a Nest module: `SchedulerModule.forRoot({ server })`. */
@Module({})
export class SchedulerModule {
  static forRoot(options: SchedulerModuleOptions = {}): DynamicModule {
    return {
      module: SchedulerModule,
      providers: [{ provide: SCHEDULER_OPTIONS, useValue: options }, SchedulerService],
      exports: [SchedulerService],
    };
  }
}
