import { DynamicModule, Injectable, Logger, Module, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ControllersModule } from '@logbook/controllers';
import { ClientConfig, ControllerManager, LogbookSdkModule, untilApiServerAnswers } from '@logbook/sdk';

export interface ControllerManagerAppOptions extends ClientConfig {
  /** Leader election on the Lease kube-system/kube-controller-manager (default on); false to lead unconditionally. */
  leaderElect?: boolean;
  /** Who this replica is (the Lease's holder). */
  identity?: string;
}

/**
 * Starts the manager once the API server answers, so that it does not
 * begin with failed lists and back-off when both start together.
 */
@Injectable()
export class ManagerStarter implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly abort = new AbortController();
  private readonly log = new Logger('ControllerManager');
  private starting?: Promise<void>;

  constructor(private readonly manager: ControllerManager) {}

  onApplicationBootstrap(): void {
    this.starting = untilApiServerAnswers(this.manager.client, this.abort.signal).then(
      async () => {
        if (this.abort.signal.aborted) return;
        await this.manager.start();
        this.log.log(`started as ${this.manager.identity} against ${this.manager.client.server}`);
      },
      () => undefined, // aborted: shutting down before the API server answered
    ).catch((err: unknown) => this.log.error(`start-up failed: ${(err as Error).message}`));
  }

  /**
   * Stops the manager this starter started: a shutdown that begins while the
   * start-up loop is between its probe and start() must not leave controllers
   * (and their leader election) running once the rest has stopped.
   */
  async onModuleDestroy(): Promise<void> {
    this.abort.abort();
    await this.starting;
    await this.manager.stop();
  }
}

/**
 * kube-controller-manager for Logbook: every built-in controller
 * (ControllersModule) on one SDK manager, leader-elected on the Lease
 * kube-system/kube-controller-manager, serving /metrics, /healthz and
 * /readyz. It reaches the API server only through the SDK's client.
 */
@Module({})
export class ControllerManagerModule {
  static forRoot(opts: ControllerManagerAppOptions = {}): DynamicModule {
    const { leaderElect, ...client } = opts;
    return {
      module: ControllerManagerModule,
      imports: [
        LogbookSdkModule.forRoot({
          ...client,
          userAgent: client.userAgent ?? 'logbook-controller-manager',
          leaderElection: leaderElect === false ? undefined : { leaseName: 'kube-controller-manager', leaseNamespace: 'kube-system' },
          autoStart: false,
        }),
        ControllersModule,
      ],
      providers: [ManagerStarter],
    };
  }
}
