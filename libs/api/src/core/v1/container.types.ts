/**
 * core/v1 containers: ports, environment, resources, mounts, probes,
 * lifecycle hooks and the container security context.
 */
import type { IntOrString, Quantity } from '../../meta/v1/types';
import {
  ConfigMapKey,
  DNS1123Label,
  DNS1123Subdomain,
  EnvVarName,
  FieldProblem,
  FieldRule,
  IanaSvcName,
  Int,
  Nested,
  NonNegative,
  OneOf,
  PortNumber,
  Required,
  Str,
  StrList,
} from '../../validation/rules';
import { isValidPortName, isValidPortNum } from '../../validation/names';

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];
export const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'] as const;
export type TerminationMessagePolicy = (typeof TERMINATION_MESSAGE_POLICIES)[number];
export const URI_SCHEMES = ['HTTP', 'HTTPS'] as const;
export const MOUNT_PROPAGATIONS = ['Bidirectional', 'HostToContainer', 'None'] as const;
export const CONTAINER_RESTART_POLICIES = ['Always'] as const;

export const TERMINATION_MESSAGE_PATH_DEFAULT = '/dev/termination-log';

/** ValidatePortNumOrName: a port number, or an IANA_SVC_NAME. */
export function portNumOrNameProblems(v: unknown): FieldProblem[] {
  if (typeof v === 'number') return isValidPortNum(v).map((detail) => ({ type: 'FieldValueInvalid', detail }));
  if (typeof v === 'string') {
    if (v === '') return [{ type: 'FieldValueRequired' }];
    return isValidPortName(v).map((detail) => ({ type: 'FieldValueInvalid', detail }));
  }
  if (v === undefined || v === null) return [{ type: 'FieldValueRequired' }];
  return [{ type: 'FieldValueTypeInvalid', detail: 'must be an integer or a string' }];
}

export class ContainerPort {
  @IanaSvcName()
  name?: string;
  @Int()
  @FieldRule('hostPort', (v) => (typeof v === 'number' && v !== 0 ? isValidPortNum(v).map((detail) => ({ type: 'FieldValueInvalid' as const, detail })) : []))
  hostPort?: number;
  @Int()
  @PortNumber({ required: true })
  containerPort!: number;
  @OneOf(PROTOCOLS)
  protocol?: Protocol;
  hostIP?: string;
}

/** Validated as a whole by validateObjectFieldSelector (the allowed paths depend on where it is used). */
export class ObjectFieldSelector {
  apiVersion?: string;
  fieldPath!: string;
}

/** Validated as a whole by validateResourceFieldSelector. */
export class ResourceFieldSelector {
  containerName?: string;
  resource!: string;
  divisor?: Quantity;
}

export class ConfigMapKeySelector {
  @Required()
  @DNS1123Subdomain()
  name?: string;
  @Required()
  @ConfigMapKey()
  key!: string;
  optional?: boolean;
}

export class SecretKeySelector {
  @Required()
  @DNS1123Subdomain()
  name?: string;
  @Required()
  @ConfigMapKey()
  key!: string;
  optional?: boolean;
}

export class EnvVarSource {
  @Nested(() => ObjectFieldSelector)
  fieldRef?: ObjectFieldSelector;
  @Nested(() => ResourceFieldSelector)
  resourceFieldRef?: ResourceFieldSelector;
  @Nested(() => ConfigMapKeySelector)
  configMapKeyRef?: ConfigMapKeySelector;
  @Nested(() => SecretKeySelector)
  secretKeyRef?: SecretKeySelector;
}

export class EnvVar {
  @Required()
  @EnvVarName()
  name!: string;
  @Str()
  value?: string;
  @Nested(() => EnvVarSource)
  valueFrom?: EnvVarSource;
}

export class ConfigMapEnvSource {
  @Required()
  @DNS1123Subdomain()
  name?: string;
  optional?: boolean;
}

export class SecretEnvSource {
  @Required()
  @DNS1123Subdomain()
  name?: string;
  optional?: boolean;
}

export class EnvFromSource {
  @EnvVarName()
  prefix?: string;
  @Nested(() => ConfigMapEnvSource)
  configMapRef?: ConfigMapEnvSource;
  @Nested(() => SecretEnvSource)
  secretRef?: SecretEnvSource;
}

export class ResourceClaim {
  name!: string;
  request?: string;
}

export class ResourceRequirements {
  limits?: Record<string, Quantity>;
  requests?: Record<string, Quantity>;
  claims?: ResourceClaim[];
}

export class ContainerResizePolicy {
  resourceName!: string;
  restartPolicy!: 'NotRequired' | 'RestartContainer';
}

export class VolumeMount {
  @Required()
  name!: string;
  readOnly?: boolean;
  recursiveReadOnly?: 'Disabled' | 'IfPossible' | 'Enabled';
  @Required()
  mountPath!: string;
  @FieldRule('subPath', (v) => localDescendingPathProblems(v))
  subPath?: string;
  @OneOf(MOUNT_PROPAGATIONS)
  mountPropagation?: string;
  subPathExpr?: string;
}

export class VolumeDevice {
  @Required()
  name!: string;
  @Required()
  devicePath!: string;
}

/** validateLocalDescendingPath: relative, and no `..` element. */
export function localDescendingPathProblems(v: unknown): FieldProblem[] {
  if (typeof v !== 'string' || v === '') return [];
  const problems: FieldProblem[] = [];
  if (v.startsWith('/')) problems.push({ type: 'FieldValueInvalid', detail: 'must be a relative path' });
  if (v.split('/').includes('..')) problems.push({ type: 'FieldValueInvalid', detail: "must not contain '..'" });
  return problems;
}

export class ExecAction {
  command?: string[];
}

export class HTTPHeader {
  @Required()
  name!: string;
  value!: string;
}

export class HTTPGetAction {
  path?: string;
  @FieldRule('port', portNumOrNameProblems)
  port!: IntOrString;
  host?: string;
  @OneOf(URI_SCHEMES)
  scheme?: 'HTTP' | 'HTTPS';
  @Nested(() => HTTPHeader)
  httpHeaders?: HTTPHeader[];
}

export class TCPSocketAction {
  @FieldRule('port', portNumOrNameProblems)
  port!: IntOrString;
  host?: string;
}

export class GRPCAction {
  @Int()
  @PortNumber({ required: true })
  port!: number;
  service?: string;
}

export class SleepAction {
  @Int()
  @NonNegative()
  seconds!: number;
}

/** The handler fields shared by probes and lifecycle hooks. */
export class ProbeHandler {
  @Nested(() => ExecAction)
  exec?: ExecAction;
  @Nested(() => HTTPGetAction)
  httpGet?: HTTPGetAction;
  @Nested(() => TCPSocketAction)
  tcpSocket?: TCPSocketAction;
  @Nested(() => GRPCAction)
  grpc?: GRPCAction;
}

export class Probe extends ProbeHandler {
  @Int() @NonNegative() initialDelaySeconds?: number;
  @Int() @NonNegative() timeoutSeconds?: number;
  @Int() @NonNegative() periodSeconds?: number;
  @Int() @NonNegative() successThreshold?: number;
  @Int() @NonNegative() failureThreshold?: number;
  @Int() terminationGracePeriodSeconds?: number;
}

export class LifecycleHandler {
  @Nested(() => ExecAction)
  exec?: ExecAction;
  @Nested(() => HTTPGetAction)
  httpGet?: HTTPGetAction;
  @Nested(() => TCPSocketAction)
  tcpSocket?: TCPSocketAction;
  @Nested(() => SleepAction)
  sleep?: SleepAction;
}

export class Lifecycle {
  @Nested(() => LifecycleHandler)
  postStart?: LifecycleHandler;
  @Nested(() => LifecycleHandler)
  preStop?: LifecycleHandler;
  stopSignal?: string;
}

export class Capabilities {
  add?: string[];
  drop?: string[];
}

export class SELinuxOptions {
  user?: string;
  role?: string;
  type?: string;
  level?: string;
}

export class SeccompProfile {
  @OneOf(['Localhost', 'RuntimeDefault', 'Unconfined'])
  type!: 'Localhost' | 'RuntimeDefault' | 'Unconfined';
  localhostProfile?: string;
}

export class SecurityContext {
  capabilities?: Capabilities;
  privileged?: boolean;
  seLinuxOptions?: SELinuxOptions;
  windowsOptions?: Record<string, unknown>;
  @Int() @NonNegative() runAsUser?: number;
  @Int() @NonNegative() runAsGroup?: number;
  runAsNonRoot?: boolean;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  @OneOf(['Default', 'Unmasked'])
  procMount?: 'Default' | 'Unmasked';
  @Nested(() => SeccompProfile)
  seccompProfile?: SeccompProfile;
  appArmorProfile?: { type: string; localhostProfile?: string };
}

export class Container {
  @Required()
  @DNS1123Label()
  name!: string;
  @Required()
  image?: string;
  @StrList()
  command?: string[];
  @StrList()
  args?: string[];
  workingDir?: string;
  @Nested(() => ContainerPort)
  ports?: ContainerPort[];
  @Nested(() => EnvFromSource)
  envFrom?: EnvFromSource[];
  @Nested(() => EnvVar)
  env?: EnvVar[];
  resources?: ResourceRequirements;
  resizePolicy?: ContainerResizePolicy[];
  /** Only on init containers: `Always` makes it a sidecar. */
  @OneOf(CONTAINER_RESTART_POLICIES)
  restartPolicy?: 'Always';
  @Nested(() => VolumeMount)
  volumeMounts?: VolumeMount[];
  @Nested(() => VolumeDevice)
  volumeDevices?: VolumeDevice[];
  @Nested(() => Probe)
  livenessProbe?: Probe;
  @Nested(() => Probe)
  readinessProbe?: Probe;
  @Nested(() => Probe)
  startupProbe?: Probe;
  @Nested(() => Lifecycle)
  lifecycle?: Lifecycle;
  terminationMessagePath?: string;
  @OneOf(TERMINATION_MESSAGE_POLICIES)
  terminationMessagePolicy?: TerminationMessagePolicy;
  @OneOf(PULL_POLICIES)
  imagePullPolicy?: PullPolicy;
  @Nested(() => SecurityContext)
  securityContext?: SecurityContext;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
}

/** An ephemeral debugging container (kubectl debug). */
export class EphemeralContainer extends Container {
  targetContainerName?: string;
}
