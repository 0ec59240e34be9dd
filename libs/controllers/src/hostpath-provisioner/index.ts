export { HostPathProvisionerModule } from './hostpath-provisioner.module';
export { HOSTPATH_PROVISIONER_OPTIONS, HostPathDeleterReconciler, HostPathProvisionerReconciler } from './hostpath-provisioner.reconciler';
export type { HostPathProvisionerOptions } from './hostpath-provisioner.reconciler';
export { classRoot, provisionedVolume, provisionerRoot, volumeDirectory } from './provisioned-volume';
