/**
 * core/v1 Pod, its spec and status, and pod templates.
 */
import { ObjectMeta, Time } from '../../meta/v1/types';
import {
  DNS1123Label,
  DNS1123Subdomain,
  FieldRule,
  Int,
  Labels,
  Nested,
  NonNegative,
  OneOf,
  QualifiedName,
  Required,
} from '../../validation/rules';
import { inclusiveRangeError } from '../../validation/names';
import { Container, EphemeralContainer, ResourceRequirements, SELinuxOptions, SeccompProfile } from './container.types';
import { Affinity, Toleration, TopologySpreadConstraint } from './scheduling.types';
import { Volume } from './volume.types';

export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'] as const;
export type RestartPolicy = (typeof RESTART_POLICIES)[number];
export const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'] as const;
export type DNSPolicy = (typeof DNS_POLICIES)[number];
export const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;
export type PodPhase = (typeof POD_PHASES)[number];
export const PREEMPTION_POLICIES = ['Never', 'PreemptLowerPriority'] as const;

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
const MAX_INT32 = 2147483647;

export class LocalObjectReference {
  name?: string;
}

/** A reference to any object (Event.involvedObject, Binding.target, ...). */
export class ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export class PodSecurityContext {
  seLinuxOptions?: SELinuxOptions;
  windowsOptions?: Record<string, unknown>;
  @Int() @NonNegative() runAsUser?: number;
  @Int() @NonNegative() runAsGroup?: number;
  runAsNonRoot?: boolean;
  supplementalGroups?: number[];
  supplementalGroupsPolicy?: 'Merge' | 'Strict';
  @Int() @NonNegative() fsGroup?: number;
  sysctls?: { name: string; value: string }[];
  @OneOf(['OnRootMismatch', 'Always'])
  fsGroupChangePolicy?: 'OnRootMismatch' | 'Always';
  @Nested(() => SeccompProfile)
  seccompProfile?: SeccompProfile;
  appArmorProfile?: { type: string; localhostProfile?: string };
  seLinuxChangePolicy?: string;
}

export class PodReadinessGate {
  @Required()
  @QualifiedName()
  conditionType!: string;
}

export class HostAlias {
  @Required()
  ip!: string;
  hostnames?: string[];
}

export class PodDNSConfig {
  nameservers?: string[];
  searches?: string[];
  options?: { name?: string; value?: string }[];
}

export class PodOS {
  @Required()
  @OneOf(['linux', 'windows'])
  name!: 'linux' | 'windows';
}

export class PodSchedulingGate {
  @Required()
  @QualifiedName()
  name!: string;
}

export class PodSpec {
  @Nested(() => Volume)
  volumes?: Volume[];
  @Nested(() => Container)
  initContainers?: Container[];
  @Required()
  @Nested(() => Container, { required: true })
  containers!: Container[];
  @Nested(() => EphemeralContainer)
  ephemeralContainers?: EphemeralContainer[];
  @OneOf(RESTART_POLICIES)
  restartPolicy?: RestartPolicy;
  @Int()
  terminationGracePeriodSeconds?: number;
  @Int()
  @FieldRule('activeDeadline', (v) =>
    typeof v === 'number' && (v < 1 || v > MAX_INT32) ? [{ type: 'FieldValueInvalid', detail: inclusiveRangeError(1, MAX_INT32) }] : [],
  )
  activeDeadlineSeconds?: number;
  @OneOf(DNS_POLICIES)
  dnsPolicy?: DNSPolicy;
  @Labels()
  nodeSelector?: Record<string, string>;
  @DNS1123Subdomain()
  serviceAccountName?: string;
  /** Deprecated alias of serviceAccountName. */
  serviceAccount?: string;
  automountServiceAccountToken?: boolean;
  @DNS1123Subdomain()
  nodeName?: string;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  shareProcessNamespace?: boolean;
  @Nested(() => PodSecurityContext)
  securityContext?: PodSecurityContext;
  imagePullSecrets?: LocalObjectReference[];
  @DNS1123Label()
  hostname?: string;
  @DNS1123Label()
  subdomain?: string;
  @Nested(() => Affinity)
  affinity?: Affinity;
  @DNS1123Subdomain()
  schedulerName?: string;
  @Nested(() => Toleration)
  tolerations?: Toleration[];
  @Nested(() => HostAlias)
  hostAliases?: HostAlias[];
  @DNS1123Subdomain()
  priorityClassName?: string;
  @Int()
  priority?: number;
  dnsConfig?: PodDNSConfig;
  @Nested(() => PodReadinessGate)
  readinessGates?: PodReadinessGate[];
  runtimeClassName?: string;
  enableServiceLinks?: boolean;
  @OneOf(PREEMPTION_POLICIES)
  preemptionPolicy?: (typeof PREEMPTION_POLICIES)[number];
  overhead?: Record<string, string>;
  @Nested(() => TopologySpreadConstraint)
  topologySpreadConstraints?: TopologySpreadConstraint[];
  setHostnameAsFQDN?: boolean;
  @Nested(() => PodOS)
  os?: PodOS;
  hostUsers?: boolean;
  @Nested(() => PodSchedulingGate)
  schedulingGates?: PodSchedulingGate[];
  resourceClaims?: { name: string; resourceClaimName?: string; resourceClaimTemplateName?: string }[];
  resources?: ResourceRequirements;
}

export class PodCondition {
  type!: 'PodScheduled' | 'PodReadyToStartContainers' | 'Initialized' | 'ContainersReady' | 'Ready' | 'DisruptionTarget' | string;
  status!: 'True' | 'False' | 'Unknown';
  lastProbeTime?: Time | null;
  lastTransitionTime?: Time | null;
  reason?: string;
  message?: string;
}

export interface ContainerStateWaiting {
  reason?: string;
  message?: string;
}

export interface ContainerStateRunning {
  startedAt?: Time;
}

export interface ContainerStateTerminated {
  exitCode: number;
  signal?: number;
  reason?: string;
  message?: string;
  startedAt?: Time | null;
  finishedAt?: Time | null;
  containerID?: string;
}

export interface ContainerState {
  waiting?: ContainerStateWaiting;
  running?: ContainerStateRunning;
  terminated?: ContainerStateTerminated;
}

export class ContainerStatus {
  name!: string;
  state?: ContainerState;
  lastState?: ContainerState;
  ready!: boolean;
  restartCount!: number;
  image!: string;
  imageID!: string;
  containerID?: string;
  started?: boolean;
  allocatedResources?: Record<string, string>;
  resources?: ResourceRequirements;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; recursiveReadOnly?: string }[];
  user?: Record<string, unknown>;
  stopSignal?: string;
}

export interface PodIP {
  ip: string;
}

export class PodStatus {
  observedGeneration?: number;
  phase?: PodPhase;
  conditions?: PodCondition[];
  message?: string;
  reason?: string;
  nominatedNodeName?: string;
  hostIP?: string;
  hostIPs?: PodIP[];
  podIP?: string;
  podIPs?: PodIP[];
  startTime?: Time;
  initContainerStatuses?: ContainerStatus[];
  containerStatuses?: ContainerStatus[];
  qosClass?: 'Guaranteed' | 'Burstable' | 'BestEffort';
  ephemeralContainerStatuses?: ContainerStatus[];
  resize?: string;
  resourceClaimStatuses?: { name: string; resourceClaimName?: string }[];
}

export class Pod {
  apiVersion?: 'v1';
  kind?: 'Pod';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  @Nested(() => PodSpec)
  spec?: PodSpec;
  status?: PodStatus;
}

export class PodTemplateSpec {
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  @Nested(() => PodSpec)
  spec?: PodSpec;
}

export class PodTemplate {
  apiVersion?: 'v1';
  kind?: 'PodTemplate';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  @Nested(() => PodTemplateSpec)
  template?: PodTemplateSpec;
}
