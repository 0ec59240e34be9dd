export { PersistentVolumeModule } from './persistentvolume.module';
export { ClaimBinderReconciler, storageClasses } from './claim-binder.reconciler';
export { VolumePhaseReconciler } from './volume-phase.reconciler';
export { DefaultStorageClassReconciler } from './default-storage-class.reconciler';
export { PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER, PvcProtectionReconciler, PvProtectionReconciler } from './protection.reconciler';
export {
  DEFAULT_CLASS_ANNOTATION,
  ANN_SELECTED_NODE,
  DEFAULT_HOSTPATH_ROOT,
  HOSTPATH_PROVISIONER,
  defaultClass,
  findBestMatch,
  requestedClass,
  standardStorageClass,
} from './volume-matching';
