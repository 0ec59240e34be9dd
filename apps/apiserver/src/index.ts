export { ApiServerModule } from './apiserver.module';
export { versionInfo, KUBERNETES_MINOR } from './version';
export { serve } from './serve';
export type { ServeOptions } from './serve';
export { eventStoreOptions, encryptionKeyFile } from './event-store-options';
export { clusterPki, issueClientCert, loadOrCreatePki, pkiDir } from './auth/pki';
export type { ClusterPki, IssuedCert } from './auth/pki';
export { kubeconfigYaml, writeClientKubeconfig } from './auth/pki-kubeconfig';
