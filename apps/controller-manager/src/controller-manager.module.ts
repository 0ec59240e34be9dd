import { DynamicModule, Module } from '@nestjs/common';
import { ControllersModule } from '@logbook/controllers';
import { ClientConfig, LogbookSdkModule } from '@logbook/sdk';

export interface ControllerManagerAppOptions extends ClientConfig {
  /** Leader election on the Lease kube-system/kube-controller-manager (default on); false to lead unconditionally. */
  leaderElect?: boolean;
  /** Who this replica is (the Lease's holder). */
  identity?: string;
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
          // Started beside its API server (docker-compose, the e2e tests): waits until it answers.
          autoStart: 'whenServerAnswers',
        }),
        ControllersModule,
      ],
    };
  }
}
