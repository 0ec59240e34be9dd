/**
 * core/v1 volumes: the sources a pod can mount. The common ones are typed
 * field by field; cloud-provider sources are kept as open records (they are
 * stored and served unchanged, never stripped).
 */
import type { Quantity } from '../../meta/v1/types';
import { DNS1123Label, DNS1123Subdomain, FieldProblem, FieldRule, Int, Nested, OneOf, Required } from '../../validation/rules';
import { ObjectFieldSelector, ResourceFieldSelector, localDescendingPathProblems } from './container.types';

export const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'] as const;
export type HostPathType = (typeof HOST_PATH_TYPES)[number];

export const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';
export const DEFAULT_FILE_MODE = 0o644; // 420

const fileMode = (): PropertyDecorator =>
  FieldRule('fileMode', (v) => (typeof v === 'number' && (v < 0 || v > 0o777) ? [{ type: 'FieldValueInvalid', detail: FILE_MODE_ERROR }] : []));

/** validateLocalNonReservedPath: a descending relative path not starting with `..`. */
export function localNonReservedPathProblems(v: unknown): FieldProblem[] {
  const problems = localDescendingPathProblems(v);
  if (typeof v === 'string' && v.startsWith('..') && !problems.some((p) => p.detail === "must not contain '..'"))
    problems.push({ type: 'FieldValueInvalid', detail: "must not start with '..'" });
  return problems;
}

export class KeyToPath {
  @Required()
  key!: string;
  @Required()
  @FieldRule('localPath', localNonReservedPathProblems)
  path!: string;
  @Int()
  @fileMode()
  mode?: number;
}

export class HostPathVolumeSource {
  @Required()
  path!: string;
  @OneOf(HOST_PATH_TYPES)
  type?: HostPathType;
}

export class EmptyDirVolumeSource {
  @OneOf(['', 'Memory', 'HugePages'])
  medium?: string;
  sizeLimit?: Quantity;
}

export class GitRepoVolumeSource {
  @Required()
  repository!: string;
  revision?: string;
  @FieldRule('directory', localDescendingPathProblems)
  directory?: string;
}

export class SecretVolumeSource {
  @Required()
  @DNS1123Subdomain()
  secretName?: string;
  @Nested(() => KeyToPath)
  items?: KeyToPath[];
  @Int()
  @fileMode()
  defaultMode?: number;
  optional?: boolean;
}

export class ConfigMapVolumeSource {
  @Required()
  @DNS1123Subdomain()
  name?: string;
  @Nested(() => KeyToPath)
  items?: KeyToPath[];
  @Int()
  @fileMode()
  defaultMode?: number;
  optional?: boolean;
}

export class NFSVolumeSource {
  @Required()
  server!: string;
  @Required()
  @FieldRule('absolute', (v) => (typeof v === 'string' && v !== '' && !v.startsWith('/') ? [{ type: 'FieldValueInvalid', detail: 'must be an absolute path' }] : []))
  path!: string;
  readOnly?: boolean;
}

export class PersistentVolumeClaimVolumeSource {
  @Required()
  claimName!: string;
  readOnly?: boolean;
}

export class DownwardAPIVolumeFile {
  @Required()
  @FieldRule('localPath', localNonReservedPathProblems)
  path!: string;
  @Nested(() => ObjectFieldSelector)
  fieldRef?: ObjectFieldSelector;
  @Nested(() => ResourceFieldSelector)
  resourceFieldRef?: ResourceFieldSelector;
  @Int()
  @fileMode()
  mode?: number;
}

export class DownwardAPIVolumeSource {
  @Nested(() => DownwardAPIVolumeFile)
  items?: DownwardAPIVolumeFile[];
  @Int()
  @fileMode()
  defaultMode?: number;
}

export class ServiceAccountTokenProjection {
  audience?: string;
  @Int()
  @FieldRule('expiration', (v) =>
    typeof v === 'number' && v < 600
      ? [{ type: 'FieldValueInvalid', detail: 'may not specify a duration less than 10 minutes' }]
      : typeof v === 'number' && v > 2 ** 32
        ? [{ type: 'FieldValueInvalid', detail: 'may not specify a duration larger than 2^32 seconds' }]
        : [],
  )
  expirationSeconds?: number;
  @Required()
  path!: string;
}

export class VolumeProjection {
  secret?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  @Nested(() => DownwardAPIVolumeSource)
  downwardAPI?: DownwardAPIVolumeSource;
  configMap?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  @Nested(() => ServiceAccountTokenProjection)
  serviceAccountToken?: ServiceAccountTokenProjection;
  clusterTrustBundle?: Record<string, unknown>;
}

export class ProjectedVolumeSource {
  sources?: VolumeProjection[];
  @Int()
  @fileMode()
  defaultMode?: number;
}

export class CSIVolumeSource {
  @Required()
  driver!: string;
  readOnly?: boolean;
  fsType?: string;
  volumeAttributes?: Record<string, string>;
  nodePublishSecretRef?: { name?: string };
}

export class ImageVolumeSource {
  reference?: string;
  pullPolicy?: string;
}

/** The volume source fields of a pod Volume (exactly one may be set). */
export const VOLUME_SOURCE_FIELDS = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
] as const;

export class Volume {
  @Required()
  @DNS1123Label()
  name!: string;
  @Nested(() => HostPathVolumeSource)
  hostPath?: HostPathVolumeSource;
  @Nested(() => EmptyDirVolumeSource)
  emptyDir?: EmptyDirVolumeSource;
  @Nested(() => GitRepoVolumeSource)
  gitRepo?: GitRepoVolumeSource;
  @Nested(() => SecretVolumeSource)
  secret?: SecretVolumeSource;
  @Nested(() => NFSVolumeSource)
  nfs?: NFSVolumeSource;
  @Nested(() => PersistentVolumeClaimVolumeSource)
  persistentVolumeClaim?: PersistentVolumeClaimVolumeSource;
  @Nested(() => DownwardAPIVolumeSource)
  downwardAPI?: DownwardAPIVolumeSource;
  @Nested(() => ConfigMapVolumeSource)
  configMap?: ConfigMapVolumeSource;
  @Nested(() => ProjectedVolumeSource)
  projected?: ProjectedVolumeSource;
  @Nested(() => CSIVolumeSource)
  csi?: CSIVolumeSource;
  ephemeral?: { volumeClaimTemplate?: Record<string, unknown> };
  image?: ImageVolumeSource;
  gcePersistentDisk?: Record<string, unknown>;
  awsElasticBlockStore?: Record<string, unknown>;
  iscsi?: Record<string, unknown>;
  glusterfs?: Record<string, unknown>;
  rbd?: Record<string, unknown>;
  flexVolume?: Record<string, unknown>;
  cinder?: Record<string, unknown>;
  cephfs?: Record<string, unknown>;
  flocker?: Record<string, unknown>;
  fc?: Record<string, unknown>;
  azureFile?: Record<string, unknown>;
  vsphereVolume?: Record<string, unknown>;
  quobyte?: Record<string, unknown>;
  azureDisk?: Record<string, unknown>;
  photonPersistentDisk?: Record<string, unknown>;
  portworxVolume?: Record<string, unknown>;
  scaleIO?: Record<string, unknown>;
  storageos?: Record<string, unknown>;
}
