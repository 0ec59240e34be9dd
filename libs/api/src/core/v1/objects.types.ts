/**
 * core/v1 ConfigMap, Secret, ServiceAccount, ReplicationController, Event,
 * Binding.
 */
import type { MicroTime, Time } from '../../meta/v1/types';
import { ObjectMeta } from '../../meta/v1/types';
import { Int, Labels, Nested, NonNegative } from '../../validation/rules';
import { LocalObjectReference, ObjectReference, PodTemplateSpec } from './pod.types';

export const SECRET_TYPES = {
  opaque: 'Opaque',
  serviceAccountToken: 'kubernetes.io/service-account-token',
  dockercfg: 'kubernetes.io/dockercfg',
  dockerConfigJson: 'kubernetes.io/dockerconfigjson',
  basicAuth: 'kubernetes.io/basic-auth',
  sshAuth: 'kubernetes.io/ssh-auth',
  tls: 'kubernetes.io/tls',
  bootstrapToken: 'bootstrap.kubernetes.io/token',
} as const;

/** 1 MiB: the limit on a Secret's or ConfigMap's data. */
export const MAX_SECRET_SIZE = 1024 * 1024;

export class ConfigMap {
  apiVersion?: 'v1';
  kind?: 'ConfigMap';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  immutable?: boolean;
  data?: Record<string, string>;
  /** base64-encoded values. */
  binaryData?: Record<string, string>;
}

export class Secret {
  apiVersion?: 'v1';
  kind?: 'Secret';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  immutable?: boolean;
  /** base64-encoded values. */
  data?: Record<string, string>;
  /** Write-only convenience: merged into `data` on write and never stored. */
  stringData?: Record<string, string>;
  type?: string;
}

export class ServiceAccount {
  apiVersion?: 'v1';
  kind?: 'ServiceAccount';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  secrets?: ObjectReference[];
  imagePullSecrets?: LocalObjectReference[];
  automountServiceAccountToken?: boolean;
}

export class ReplicationControllerSpec {
  @Int()
  @NonNegative()
  replicas?: number;
  @Int()
  @NonNegative()
  minReadySeconds?: number;
  @Labels()
  selector?: Record<string, string>;
  @Nested(() => PodTemplateSpec)
  template?: PodTemplateSpec;
}

export interface ReplicationControllerCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: Time;
  reason?: string;
  message?: string;
}

export class ReplicationControllerStatus {
  replicas!: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicationControllerCondition[];
}

export class ReplicationController {
  apiVersion?: 'v1';
  kind?: 'ReplicationController';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  @Nested(() => ReplicationControllerSpec)
  spec?: ReplicationControllerSpec;
  status?: ReplicationControllerStatus;
}

export interface EventSource {
  component?: string;
  host?: string;
}

export interface EventSeries {
  count?: number;
  lastObservedTime?: MicroTime;
}

/** core/v1 Event, as `kubectl get events` and `describe` read it. */
export class Event {
  apiVersion?: 'v1';
  kind?: 'Event';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  involvedObject!: ObjectReference;
  reason?: string;
  message?: string;
  source?: EventSource;
  firstTimestamp?: Time | null;
  lastTimestamp?: Time | null;
  count?: number;
  type?: 'Normal' | 'Warning' | string;
  eventTime?: MicroTime | null;
  series?: EventSeries;
  action?: string;
  related?: ObjectReference;
  reportingComponent?: string;
  reportingInstance?: string;
}

/** pods/binding: ties a pod to a node. */
export class Binding {
  apiVersion?: 'v1';
  kind?: 'Binding';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  target!: ObjectReference;
}
