import { Module } from '@nestjs/common';
import { ClaimBinderReconciler } from './claim-binder.reconciler';
import { DefaultStorageClassReconciler } from './default-storage-class.reconciler';
import { VolumePhaseReconciler } from './volume-phase.reconciler';

/** A minimal PersistentVolume controller: claim binding, hostPath provisioning, volume phases and reclaim, a default StorageClass. */
@Module({
  providers: [ClaimBinderReconciler, VolumePhaseReconciler, DefaultStorageClassReconciler],
  exports: [ClaimBinderReconciler, VolumePhaseReconciler, DefaultStorageClassReconciler],
})
export class PersistentVolumeModule {}
