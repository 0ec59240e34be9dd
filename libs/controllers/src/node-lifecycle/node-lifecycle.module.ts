import { DynamicModule, Module } from '@nestjs/common';
import { NODE_LIFECYCLE_OPTIONS, NodeLifecycleOptions, NodeLifecycleReconciler } from './node-lifecycle.reconciler';

/**
 * The node lifecycle controller. Import the module as is for Kubernetes'
 * defaults (40 s grace period, 300 s default tolerations), or
 * `NodeLifecycleModule.withOptions({...})` for other timings.
 */
@Module({ providers: [NodeLifecycleReconciler], exports: [NodeLifecycleReconciler] })
export class NodeLifecycleModule {
  static withOptions(options: NodeLifecycleOptions): DynamicModule {
    return {
      module: NodeLifecycleModule,
      providers: [{ provide: NODE_LIFECYCLE_OPTIONS, useValue: options }, NodeLifecycleReconciler],
      exports: [NodeLifecycleReconciler],
    };
  }
}
