import { DynamicModule, Global, Module, ModuleMetadata, Provider, Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { InformerFactory } from '../cache';
import { KubeClient } from '../client';
import { ControllerConfigError, reconcilerOptionsOf } from '../controller';
import type { Reconciler } from '../controller/reconciler';
import { ControllerManager } from '../manager';
import { SdkMetrics } from '../metrics';
import { LogbookSdkModuleAsyncOptions, LogbookSdkModuleOptions, SDK_MODULE_OPTIONS } from './module-options';
import { SdkEndpointsController } from './sdk-endpoints.controller';
import { ReconcilerExplorer } from './reconciler-explorer';
import { SdkLifecycle } from './sdk-lifecycle';

const sharedProviders: Provider[] = [
  { provide: ControllerManager, inject: [SDK_MODULE_OPTIONS], useFactory: (o: LogbookSdkModuleOptions) => new ControllerManager(o) },
  { provide: KubeClient, inject: [ControllerManager], useFactory: (m: ControllerManager) => m.client },
  { provide: InformerFactory, inject: [ControllerManager], useFactory: (m: ControllerManager) => m.informers },
  { provide: SdkMetrics, inject: [ControllerManager], useFactory: (m: ControllerManager) => m.metrics },
  ReconcilerExplorer,
  SdkLifecycle,
];
const sharedExports = [ControllerManager, KubeClient, InformerFactory, SdkMetrics];

/** The application-wide part: one manager (client, informers, leader election, metrics). */
@Global()
@Module({})
class LogbookSdkCoreModule {
  static forRoot(options: LogbookSdkModuleOptions): DynamicModule {
    return {
      module: LogbookSdkCoreModule,
      imports: [DiscoveryModule],
      providers: [{ provide: SDK_MODULE_OPTIONS, useValue: options }, ...sharedProviders],
      controllers: [SdkEndpointsController],
      exports: sharedExports,
    };
  }

  static forRootAsync(options: LogbookSdkModuleAsyncOptions): DynamicModule {
    return {
      module: LogbookSdkCoreModule,
      imports: [DiscoveryModule, ...(options.imports ?? [])],
      providers: [{ provide: SDK_MODULE_OPTIONS, inject: options.inject ?? [], useFactory: options.useFactory }, ...sharedProviders],
      controllers: options.endpoints === false ? [] : [SdkEndpointsController],
      exports: sharedExports,
    };
  }
}

/**
 * The operator SDK as a Nest module.
 *
 * ```ts
 * @Module({
 *   imports: [
 *     LogbookSdkModule.forRoot({ server: 'http://127.0.0.1:8080', leaderElection: { leaseName: 'website-operator' } }),
 *     LogbookSdkModule.forFeature([WebsiteReconciler]),
 *   ],
 * })
 * export class WebsiteOperatorModule {}
 * ```
 *
 * `forRoot` provides `ControllerManager`, `KubeClient`, `InformerFactory`
 * and `SdkMetrics` to the whole application, serves `/metrics`, `/healthz`
 * and `/readyz` (unless `endpoints: false`: another module of the same app
 * may serve those paths already), and starts the manager on bootstrap.
 *
 * Every provider whose class is decorated with `@Reconciler(...)` — in any
 * module — is added to the manager. List reconcilers in your own module's
 * `providers` (they inject what that module sees), or use `forFeature`.
 */
@Module({})
export class LogbookSdkModule {
  static forRoot(options: LogbookSdkModuleOptions & { endpoints?: boolean } = {}): DynamicModule {
    const core = LogbookSdkCoreModule.forRoot(options);
    if (options.endpoints === false) core.controllers = [];
    return { module: LogbookSdkModule, imports: [core], exports: [core] };
  }

  static forRootAsync(options: LogbookSdkModuleAsyncOptions): DynamicModule {
    const core = LogbookSdkCoreModule.forRootAsync(options);
    return { module: LogbookSdkModule, imports: [core], exports: [core] };
  }

  /**
   * A module holding these reconcilers (each decorated with `@Reconciler`),
   * importing `opts.imports` for their dependencies. Equivalent to listing
   * them in a module's `providers`, plus a check that `forRoot` is there.
   */
  static forFeature(reconcilers: Array<Type<Reconciler>>, opts: Pick<ModuleMetadata, 'imports'> = {}): DynamicModule {
    const problems = reconcilers.flatMap((r, i) =>
      typeof r !== 'function'
        ? [`forFeature([...])[${i}] is not a class`]
        : reconcilerOptionsOf(r)
          ? []
          : [`${r.name} has no @Reconciler({ for: ... }) decorator`],
    );
    if (problems.length) throw new ControllerConfigError('LogbookSdkModule.forFeature', problems);
    const rootCheck: Provider = {
      provide: Symbol('logbook.sdk.forRoot-check'),
      inject: [{ token: ControllerManager, optional: true }],
      useFactory: (manager: ControllerManager | undefined) => {
        if (!manager) {
          throw new Error('LogbookSdkModule.forFeature needs LogbookSdkModule.forRoot(...) (or forRootAsync) imported in the application');
        }
        return true;
      },
    };
    return { module: LogbookSdkModule, imports: opts.imports ?? [], providers: [...reconcilers, rootCheck], exports: reconcilers };
  }
}
