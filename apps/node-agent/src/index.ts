/**
 * The node agent (the kubelet): registers Nodes, renews their Leases, and
 * runs the pods bound to them through a ContainerRuntime — `process` (each
 * container an OS process) or `simulated` (pods go through their lifecycle
 * on timers, no processes). Built on the SDK only.
 */
export { NodeAgent, simulatedNodeNames, MISSING_FEATURES_ANNOTATION } from './node-agent';
export type { NodeAgentOptions } from './node-agent';
export { Kubelet } from './kubelet/kubelet';
export type { KubeletOptions } from './kubelet/kubelet';
export { DEFAULT_CAPACITY, withNetworkDefaults } from './kubelet/node-config';
export type { NodeConfig } from './kubelet/node-config';
export { KUBELET_VERSION, nodeObject, nodeLabels } from './kubelet/node-object';
export { NodeLease, NODE_LEASE_NAMESPACE } from './kubelet/node-lease';
export { desiredPodStatus, podPhase, podConditions } from './kubelet/pod-status';
export type { ContainerLogRef, ContainerRuntime, ExecTarget, RuntimeContainerStatus, RuntimePodStatus } from './runtime/container-runtime';
export { createRuntime, configSourceOf } from './runtime/runtime-factory';
export { ProcessRuntime } from './runtime/process/process-runtime';
export type { ProcessRuntimeOptions, VolumeProvider, PodVolumeMounts } from './runtime/process/process-runtime';
export { ImageCatalog, parseImageReference } from './runtime/process/image-catalog';
export { KubeletServer } from './kubelet/kubelet-server';
export { canIsolatePods } from './runtime/process/command';
export type { RuntimeKind, RuntimeSettings } from './runtime/runtime-factory';
export { SimulatedRuntime, normalizeImage } from './runtime/simulated/simulated-runtime';
export type { SimulatedRuntimeOptions } from './runtime/simulated/simulated-runtime';
export { behaviourOf, DEFAULT_RULES, SIMULATE_ANNOTATION, SIMULATE_DURATION_ANNOTATION, parseDuration } from './runtime/simulated/simulation-rules';
export type { Behaviour, SimulationRule } from './runtime/simulated/simulation-rules';
export { PodIpAllocator } from './runtime/simulated/pod-ip-allocator';
export { NodeAgentModule, NodeAgentService, NODE_AGENT_OPTIONS } from './node-agent.module';
export { nodeAgentOptionsFromEnv, parseLabels, parseTaints } from './config';
export { VolumeManager, VolumeSetUpError, AtomicWriter, checkHostPathType, containerResourceValue, formatMap, podFieldValue } from './volumes';
export type { VolumeManagerOptions, ContainerMount, PodVolumes } from './volumes';
export { ServiceProxy, ClusterIPInterface, BackendPicker, proxyRules, backendsOf, DEFAULT_AFFINITY_TIMEOUT_SECONDS, serviceEnvironment } from './proxy';
export type { ServiceProxyOptions, ProxyRule, Backend, ProxyListener } from './proxy';
export { ClusterDns, ClusterDnsModule, ClusterDnsService, clusterDnsOptionsFromEnv, publishKubeDns, clusterDnsIPOf, DEFAULT_CLUSTER_DNS_IP, resolveInZone } from './dns';
export type { ClusterDnsOptions } from './dns';
export { IngressController, IngressModule, ingressOptionsFromEnv } from './ingress';
export type { IngressControllerOptions } from './ingress';
