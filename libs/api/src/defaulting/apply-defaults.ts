/**
 * `applyDefaults(obj)`: the defaulting pass kube-apiserver runs on every
 * object it decodes, dispatched by apiVersion/kind. Objects of a served,
 * non-storage version (batch/v1beta1 CronJob, networking.k8s.io/v1beta1
 * Ingress) are defaulted in their storage version and converted back.
 * Kinds without built-in defaults (custom resources) are left unchanged.
 */
import { defaultDaemonSet, defaultDeployment, defaultReplicaSet, defaultStatefulSet } from '../apps/v1/defaults';
import { defaultCronJob, defaultJob } from '../batch/v1/defaults';
import {
  defaultEndpoints,
  defaultNamespace,
  defaultNode,
  defaultPersistentVolume,
  defaultPersistentVolumeClaim,
  defaultPod,
  defaultPodTemplate,
  defaultReplicationController,
  defaultSecret,
  defaultService,
} from '../core/v1/defaults';
import { defaultRoleBinding } from '../rbac/v1/defaults';
import { defaultScheme } from '../scheme/default-scheme';
import type { Scheme } from '../scheme/scheme';
import { formatApiVersion } from '../scheme/types';
import { defaultCustomResourceDefinition, defaultEndpointSlice, defaultIngressV1beta1, defaultStorageClass } from './other-groups';

type Obj = Record<string, any>;

const DEFAULTERS: Record<string, (obj: Obj) => void> = {
  'v1/Pod': defaultPod,
  'v1/PodTemplate': defaultPodTemplate,
  'v1/ReplicationController': defaultReplicationController,
  'v1/Service': defaultService,
  'v1/Endpoints': defaultEndpoints,
  'v1/Namespace': defaultNamespace,
  'v1/Node': defaultNode,
  'v1/Secret': defaultSecret,
  'v1/PersistentVolume': defaultPersistentVolume,
  'v1/PersistentVolumeClaim': defaultPersistentVolumeClaim,
  'apps/v1/Deployment': defaultDeployment,
  'apps/v1/ReplicaSet': defaultReplicaSet,
  'apps/v1/DaemonSet': defaultDaemonSet,
  'apps/v1/StatefulSet': defaultStatefulSet,
  'batch/v1/Job': defaultJob,
  'batch/v1/CronJob': defaultCronJob,
  'networking.k8s.io/v1beta1/Ingress': defaultIngressV1beta1,
  'storage.k8s.io/v1/StorageClass': defaultStorageClass,
  'discovery.k8s.io/v1/EndpointSlice': defaultEndpointSlice,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': defaultCustomResourceDefinition,
  'rbac.authorization.k8s.io/v1/RoleBinding': defaultRoleBinding,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': defaultRoleBinding,
};

/** Whether built-in defaulting exists for this apiVersion/kind. */
export function hasDefaults(apiVersion: string, kind: string): boolean {
  return `${apiVersion}/${kind}` in DEFAULTERS;
}

/** Applies Kubernetes' defaults to `obj` in place and returns it. */
export function applyDefaults<T extends object>(obj: T, scheme: Scheme = defaultScheme): T {
  const o = obj as Obj;
  const defaulter = DEFAULTERS[`${o.apiVersion}/${o.kind}`];
  if (defaulter) {
    defaulter(o);
    return obj;
  }
  const def = scheme.forObject(o);
  if (!def || def.storage || def.custom) return obj;
  const storage = scheme.storageVersionOf(def.group, def.resource);
  if (!storage || !hasDefaults(formatApiVersion(storage), def.kind)) return obj;
  const defaulted = applyDefaults(scheme.convert(o, storage.version), scheme);
  const back = scheme.convert(defaulted, def.version);
  for (const k of Object.keys(o)) delete o[k];
  Object.assign(o, back);
  return obj;
}
