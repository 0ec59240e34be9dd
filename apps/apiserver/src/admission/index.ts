export { AdmissionChain } from './admission';
export type { AdmissionAttributes, AdmissionPlugin, Operation } from './admission';
export { NamespaceLifecycle, IMMORTAL_NAMESPACES } from './namespace-lifecycle';
export { defaultAdmissionChain, disabledAdmissionPluginsFromEnv, ADMISSION_ORDER } from './plugins';
