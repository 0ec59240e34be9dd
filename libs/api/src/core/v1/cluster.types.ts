/**
 * core/v1 cluster-scoped and storage objects: Namespace, Node,
 * PersistentVolume, PersistentVolumeClaim.
 */
import type { Condition, Quantity, Time } from '../../meta/v1/types';
import { LabelSelector, ObjectMeta } from '../../meta/v1/types';
import { DNS1123Subdomain, FieldRule, Nested, OneOf, QualifiedName, Required } from '../../validation/rules';
import { ObjectReference } from './pod.types';
import { NodeSelector, TAINT_EFFECTS } from './scheduling.types';
import { CSIVolumeSource, HostPathVolumeSource, NFSVolumeSource } from './volume.types';

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];
export const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'] as const;
export const VOLUME_MODES = ['Block', 'Filesystem'] as const;
export const STANDARD_FINALIZERS = ['kubernetes', 'orphan', 'foregroundDeletion'] as const;

// --- Namespace ---------------------------------------------------------------

export class NamespaceSpec {
  finalizers?: string[];
}

export class NamespaceStatus {
  phase?: 'Active' | 'Terminating';
  conditions?: { type: string; status: string; lastTransitionTime?: Time; reason?: string; message?: string }[];
}

export class Namespace {
  apiVersion?: 'v1';
  kind?: 'Namespace';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  spec?: NamespaceSpec;
  status?: NamespaceStatus;
}

// --- Node --------------------------------------------------------------------

export class Taint {
  @Required()
  @QualifiedName()
  key!: string;
  value?: string;
  @Required()
  @OneOf(TAINT_EFFECTS)
  effect!: (typeof TAINT_EFFECTS)[number];
  timeAdded?: Time;
}

export class NodeSpec {
  podCIDR?: string;
  podCIDRs?: string[];
  providerID?: string;
  unschedulable?: boolean;
  @Nested(() => Taint)
  taints?: Taint[];
  configSource?: Record<string, unknown>;
  externalID?: string;
}

export interface NodeCondition {
  type: 'Ready' | 'MemoryPressure' | 'DiskPressure' | 'PIDPressure' | 'NetworkUnavailable' | string;
  status: 'True' | 'False' | 'Unknown';
  lastHeartbeatTime?: Time;
  lastTransitionTime?: Time;
  reason?: string;
  message?: string;
}

export interface NodeAddress {
  type: 'Hostname' | 'InternalIP' | 'ExternalIP' | 'InternalDNS' | 'ExternalDNS';
  address: string;
}

export interface NodeSystemInfo {
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  containerRuntimeVersion: string;
  kubeletVersion: string;
  kubeProxyVersion: string;
  operatingSystem: string;
  architecture: string;
}

export class NodeStatus {
  capacity?: Record<string, Quantity>;
  allocatable?: Record<string, Quantity>;
  phase?: string;
  conditions?: NodeCondition[];
  addresses?: NodeAddress[];
  daemonEndpoints?: { kubeletEndpoint?: { Port: number } };
  nodeInfo?: NodeSystemInfo;
  images?: { names?: string[]; sizeBytes?: number }[];
  volumesInUse?: string[];
  volumesAttached?: { name: string; devicePath: string }[];
  config?: Record<string, unknown>;
  runtimeHandlers?: { name?: string; features?: Record<string, unknown> }[];
  features?: Record<string, unknown>;
}

export class Node {
  apiVersion?: 'v1';
  kind?: 'Node';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  @Nested(() => NodeSpec)
  spec?: NodeSpec;
  status?: NodeStatus;
}

// --- PersistentVolume / PersistentVolumeClaim ----------------------------------

const accessModesRule = (): PropertyDecorator =>
  FieldRule('accessModes', (v) =>
    Array.isArray(v)
      ? v.flatMap((m: unknown) => (ACCESS_MODES.includes(m as AccessMode) ? [] : [{ type: 'FieldValueNotSupported' as const, value: m, supported: ACCESS_MODES }]))
      : [],
  );

export class VolumeNodeAffinity {
  @Nested(() => NodeSelector)
  required?: NodeSelector;
}

export class LocalVolumeSource {
  @Required()
  path!: string;
  fsType?: string;
}

/** Source fields of a PersistentVolume (exactly one may be set). */
export const PERSISTENT_VOLUME_SOURCE_FIELDS = [
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'hostPath',
  'glusterfs',
  'nfs',
  'rbd',
  'iscsi',
  'cinder',
  'cephfs',
  'fc',
  'flocker',
  'flexVolume',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'local',
  'storageos',
  'csi',
] as const;

export class PersistentVolumeSpec {
  capacity?: Record<string, Quantity>;
  @accessModesRule()
  accessModes?: AccessMode[];
  claimRef?: ObjectReference;
  @OneOf(RECLAIM_POLICIES)
  persistentVolumeReclaimPolicy?: (typeof RECLAIM_POLICIES)[number];
  @DNS1123Subdomain()
  storageClassName?: string;
  mountOptions?: string[];
  @OneOf(VOLUME_MODES)
  volumeMode?: 'Block' | 'Filesystem';
  @Nested(() => VolumeNodeAffinity)
  nodeAffinity?: VolumeNodeAffinity;
  volumeAttributesClassName?: string;
  @Nested(() => HostPathVolumeSource)
  hostPath?: HostPathVolumeSource;
  @Nested(() => NFSVolumeSource)
  nfs?: NFSVolumeSource;
  @Nested(() => LocalVolumeSource)
  local?: LocalVolumeSource;
  @Nested(() => CSIVolumeSource)
  csi?: CSIVolumeSource;
  gcePersistentDisk?: Record<string, unknown>;
  awsElasticBlockStore?: Record<string, unknown>;
  glusterfs?: Record<string, unknown>;
  rbd?: Record<string, unknown>;
  iscsi?: Record<string, unknown>;
  cinder?: Record<string, unknown>;
  cephfs?: Record<string, unknown>;
  fc?: Record<string, unknown>;
  flocker?: Record<string, unknown>;
  flexVolume?: Record<string, unknown>;
  azureFile?: Record<string, unknown>;
  vsphereVolume?: Record<string, unknown>;
  quobyte?: Record<string, unknown>;
  azureDisk?: Record<string, unknown>;
  photonPersistentDisk?: Record<string, unknown>;
  portworxVolume?: Record<string, unknown>;
  scaleIO?: Record<string, unknown>;
  storageos?: Record<string, unknown>;
}

export class PersistentVolumeStatus {
  phase?: 'Pending' | 'Available' | 'Bound' | 'Released' | 'Failed';
  message?: string;
  reason?: string;
  lastPhaseTransitionTime?: Time;
}

export class PersistentVolume {
  apiVersion?: 'v1';
  kind?: 'PersistentVolume';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  @Nested(() => PersistentVolumeSpec)
  spec?: PersistentVolumeSpec;
  status?: PersistentVolumeStatus;
}

export class TypedObjectReference {
  apiGroup?: string;
  kind!: string;
  name!: string;
  namespace?: string;
}

export class VolumeResourceRequirements {
  limits?: Record<string, Quantity>;
  requests?: Record<string, Quantity>;
}

export class PersistentVolumeClaimSpec {
  @accessModesRule()
  accessModes?: AccessMode[];
  @Nested(() => LabelSelector)
  selector?: LabelSelector;
  resources?: VolumeResourceRequirements;
  volumeName?: string;
  @DNS1123Subdomain()
  storageClassName?: string;
  @OneOf(VOLUME_MODES)
  volumeMode?: 'Block' | 'Filesystem';
  dataSource?: TypedObjectReference;
  dataSourceRef?: TypedObjectReference;
  volumeAttributesClassName?: string;
}

export class PersistentVolumeClaimStatus {
  phase?: 'Pending' | 'Bound' | 'Lost';
  accessModes?: AccessMode[];
  capacity?: Record<string, Quantity>;
  conditions?: Condition[];
  allocatedResources?: Record<string, Quantity>;
  allocatedResourceStatuses?: Record<string, string>;
  currentVolumeAttributesClassName?: string;
  modifyVolumeStatus?: Record<string, unknown>;
}

export class PersistentVolumeClaim {
  apiVersion?: 'v1';
  kind?: 'PersistentVolumeClaim';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  @Nested(() => PersistentVolumeClaimSpec)
  spec?: PersistentVolumeClaimSpec;
  status?: PersistentVolumeClaimStatus;
}
