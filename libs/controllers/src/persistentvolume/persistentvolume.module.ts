import { Module } from '@nestjs/common';
import { ClaimBinderReconciler } from './claim-binder.reconciler';
import { DefaultStorageClassReconciler } from './default-storage-class.reconciler';
import { VolumePhaseReconciler } from './volume-phase.reconciler';
import { PvcProtectionReconciler, PvProtectionReconciler } from './protection.reconciler';

/** The PersistentVolume controller: claim binding, volume phases and reclaim, a default StorageClass, in-use protection (provisioning: HostPathProvisionerModule). */
@Module({
  providers: [ClaimBinderReconciler, VolumePhaseReconciler, DefaultStorageClassReconciler, PvcProtectionReconciler, PvProtectionReconciler],
  exports: [ClaimBinderReconciler, VolumePhaseReconciler, DefaultStorageClassReconciler, PvcProtectionReconciler, PvProtectionReconciler],
})
export class PersistentVolumeModule {}
