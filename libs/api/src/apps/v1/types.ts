/**
 * apps/v1: Deployment, ReplicaSet, DaemonSet, StatefulSet, ControllerRevision.
 */
import type { IntOrString, Time } from '../../meta/v1/types';
import { LabelSelector, ObjectMeta } from '../../meta/v1/types';
import { PodTemplateSpec } from '../../core/v1/pod.types';
import { PersistentVolumeClaim } from '../../core/v1/cluster.types';
import { Int, Nested, NonNegative, OneOf } from '../../validation/rules';

export const DEPLOYMENT_STRATEGY_TYPES = ['Recreate', 'RollingUpdate'] as const;
export const DAEMONSET_STRATEGY_TYPES = ['OnDelete', 'RollingUpdate'] as const;
export const STATEFULSET_STRATEGY_TYPES = ['OnDelete', 'RollingUpdate'] as const;
export const POD_MANAGEMENT_POLICIES = ['OrderedReady', 'Parallel'] as const;
export const PVC_RETENTION_POLICIES = ['Delete', 'Retain'] as const;

/** Conditions of the apps workloads (Deployment's also carry lastUpdateTime). */
export interface WorkloadCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime?: Time;
  lastTransitionTime?: Time;
  reason?: string;
  message?: string;
}

// --- Deployment ----------------------------------------------------------------

export class RollingUpdateDeployment {
  maxUnavailable?: IntOrString;
  maxSurge?: IntOrString;
}

export class DeploymentStrategy {
  type?: (typeof DEPLOYMENT_STRATEGY_TYPES)[number];
  rollingUpdate?: RollingUpdateDeployment;
}

export class DeploymentSpec {
  @Int() @NonNegative() replicas?: number;
  @Nested(() => LabelSelector)
  selector?: LabelSelector;
  @Nested(() => PodTemplateSpec)
  template?: PodTemplateSpec;
  strategy?: DeploymentStrategy;
  @Int() @NonNegative() minReadySeconds?: number;
  @Int() @NonNegative() revisionHistoryLimit?: number;
  paused?: boolean;
  @Int() @NonNegative() progressDeadlineSeconds?: number;
}

export class DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  terminatingReplicas?: number;
  conditions?: WorkloadCondition[];
  collisionCount?: number;
}

export class Deployment {
  apiVersion?: 'apps/v1';
  kind?: 'Deployment';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  @Nested(() => DeploymentSpec)
  spec?: DeploymentSpec;
  status?: DeploymentStatus;
}

// --- ReplicaSet ----------------------------------------------------------------

export class ReplicaSetSpec {
  @Int() @NonNegative() replicas?: number;
  @Int() @NonNegative() minReadySeconds?: number;
  @Nested(() => LabelSelector)
  selector?: LabelSelector;
  @Nested(() => PodTemplateSpec)
  template?: PodTemplateSpec;
}

export class ReplicaSetStatus {
  replicas!: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  terminatingReplicas?: number;
  observedGeneration?: number;
  conditions?: WorkloadCondition[];
}

export class ReplicaSet {
  apiVersion?: 'apps/v1';
  kind?: 'ReplicaSet';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  @Nested(() => ReplicaSetSpec)
  spec?: ReplicaSetSpec;
  status?: ReplicaSetStatus;
}

// --- DaemonSet -----------------------------------------------------------------

export class RollingUpdateDaemonSet {
  maxUnavailable?: IntOrString;
  maxSurge?: IntOrString;
}

export class DaemonSetUpdateStrategy {
  type?: (typeof DAEMONSET_STRATEGY_TYPES)[number];
  rollingUpdate?: RollingUpdateDaemonSet;
}

export class DaemonSetSpec {
  @Nested(() => LabelSelector)
  selector?: LabelSelector;
  @Nested(() => PodTemplateSpec)
  template?: PodTemplateSpec;
  updateStrategy?: DaemonSetUpdateStrategy;
  @Int() @NonNegative() minReadySeconds?: number;
  @Int() @NonNegative() revisionHistoryLimit?: number;
}

export class DaemonSetStatus {
  currentNumberScheduled!: number;
  numberMisscheduled!: number;
  desiredNumberScheduled!: number;
  numberReady!: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  conditions?: WorkloadCondition[];
}

export class DaemonSet {
  apiVersion?: 'apps/v1';
  kind?: 'DaemonSet';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  @Nested(() => DaemonSetSpec)
  spec?: DaemonSetSpec;
  status?: DaemonSetStatus;
}

// --- StatefulSet ---------------------------------------------------------------

export class RollingUpdateStatefulSetStrategy {
  @Int() @NonNegative() partition?: number;
  maxUnavailable?: IntOrString;
}

export class StatefulSetUpdateStrategy {
  type?: (typeof STATEFULSET_STRATEGY_TYPES)[number];
  @Nested(() => RollingUpdateStatefulSetStrategy)
  rollingUpdate?: RollingUpdateStatefulSetStrategy;
}

export class StatefulSetPersistentVolumeClaimRetentionPolicy {
  @OneOf(PVC_RETENTION_POLICIES)
  whenDeleted?: 'Delete' | 'Retain';
  @OneOf(PVC_RETENTION_POLICIES)
  whenScaled?: 'Delete' | 'Retain';
}

export class StatefulSetOrdinals {
  @Int() @NonNegative() start?: number;
}

export class StatefulSetSpec {
  @Int() @NonNegative() replicas?: number;
  @Nested(() => LabelSelector)
  selector?: LabelSelector;
  @Nested(() => PodTemplateSpec)
  template?: PodTemplateSpec;
  @Nested(() => PersistentVolumeClaim)
  volumeClaimTemplates?: PersistentVolumeClaim[];
  serviceName?: string;
  podManagementPolicy?: (typeof POD_MANAGEMENT_POLICIES)[number];
  @Nested(() => StatefulSetUpdateStrategy)
  updateStrategy?: StatefulSetUpdateStrategy;
  @Int() @NonNegative() revisionHistoryLimit?: number;
  @Int() @NonNegative() minReadySeconds?: number;
  @Nested(() => StatefulSetPersistentVolumeClaimRetentionPolicy)
  persistentVolumeClaimRetentionPolicy?: StatefulSetPersistentVolumeClaimRetentionPolicy;
  @Nested(() => StatefulSetOrdinals)
  ordinals?: StatefulSetOrdinals;
}

export class StatefulSetStatus {
  observedGeneration?: number;
  replicas!: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  conditions?: WorkloadCondition[];
  availableReplicas?: number;
}

export class StatefulSet {
  apiVersion?: 'apps/v1';
  kind?: 'StatefulSet';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  @Nested(() => StatefulSetSpec)
  spec?: StatefulSetSpec;
  status?: StatefulSetStatus;
}

// --- ControllerRevision ----------------------------------------------------------

/** An immutable snapshot of a DaemonSet's or StatefulSet's template. */
export class ControllerRevision {
  apiVersion?: 'apps/v1';
  kind?: 'ControllerRevision';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  data?: unknown;
  @Int() @NonNegative() revision!: number;
}
