export { ServiceProxy } from './service-proxy';
export type { ServiceProxyOptions } from './service-proxy';
export { ClusterIPInterface } from './cluster-ip-interface';
export { BackendPicker } from './backend-picker';
export { proxyRules, backendsOf, DEFAULT_AFFINITY_TIMEOUT_SECONDS } from './proxy-rules';
export type { ProxyRule, Backend, ProxyListener } from './proxy-rules';
export { serviceEnvironment } from './service-env';
