import { Module } from '@nestjs/common';
import { ClaimBinderReconciler } from './claim-binder.reconciler';
import { DefaultStorageClassReconciler } from './default-storage-class.reconciler';
import { VolumePhaseReconciler } from './volume-phase.reconciler';

/** The PersistentVolume controller: claim binding, volume phases and reclaim, a default StorageClass (provisioning: HostPathProvisionerModule). */
@Module({
  providers: [ClaimBinderReconciler, VolumePhaseReconciler, DefaultStorageClassReconciler],
  exports: [ClaimBinderReconciler, VolumePhaseReconciler, DefaultStorageClassReconciler],
})
export class PersistentVolumeModule {}
