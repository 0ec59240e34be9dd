import { DynamicModule, Module } from '@nestjs/common';
import { HOSTPATH_PROVISIONER_OPTIONS, HostPathDeleterReconciler, HostPathProvisionerOptions, HostPathProvisionerReconciler } from './hostpath-provisioner.reconciler';

/**
 * The hostPath dynamic provisioner (provisioning and deleting directory
 * volumes). As is: root from `LOGBOOK_HOSTPATH_PROVISIONER_ROOT` or
 * `/tmp/hostpath-provisioner`; `HostPathProvisionerModule.withOptions({ root })` for another.
 */
@Module({ providers: [HostPathProvisionerReconciler, HostPathDeleterReconciler], exports: [HostPathProvisionerReconciler, HostPathDeleterReconciler] })
export class HostPathProvisionerModule {
  static withOptions(options: HostPathProvisionerOptions): DynamicModule {
    return {
      module: HostPathProvisionerModule,
      providers: [{ provide: HOSTPATH_PROVISIONER_OPTIONS, useValue: options }, HostPathProvisionerReconciler, HostPathDeleterReconciler],
      exports: [HostPathProvisionerReconciler, HostPathDeleterReconciler],
    };
  }
}
