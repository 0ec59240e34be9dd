import { DynamicModule, Injectable, Logger, Module, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ControllersModule } from '@logbook/controllers';
import { ClientConfig, ControllerManager, kinds, LogbookSdkModule } from '@logbook/sdk';

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
    this.starting = (async () => {
      for (let delay = 50; !this.abort.signal.aborted; delay = Math.min(delay * 2, 1_000)) {
        try {
          await this.manager.client.withRequestTimeout(2_000).list(kinds.Namespace, { limit: 1 });
          if (this.abort.signal.aborted) return;
          await this.manager.start();
          this.log.log(`started as ${this.manager.identity} against ${this.manager.client.server}`);
          return;
        } catch {
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    })();
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
