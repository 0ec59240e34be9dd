/**
 * The built-in resources, as kube-apiserver 1.32 lists them in discovery
 * (names, short names, verbs, categories and subresources copied from
 * `kubectl api-resources -o wide` and the APIResourceLists).
 */
import { ResourceDefinition, STANDARD_VERBS, SubresourceDefinition } from './types';

const GET_PATCH_UPDATE = ['get', 'patch', 'update'];
const NO_DELETECOLLECTION = STANDARD_VERBS.filter((v) => v !== 'deletecollection');

interface Options {
  plural?: string;
  shortNames?: string[];
  namespaced?: boolean;
  verbs?: string[];
  all?: boolean;
  categories?: string[];
  subresources?: SubresourceDefinition[];
  generation?: boolean;
  storage?: boolean;
}

function resource(group: string, version: string, kind: string, opts: Options = {}): ResourceDefinition {
  const singular = kind.toLowerCase();
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    resource: opts.plural ?? `${singular}s`,
    singular,
    shortNames: opts.shortNames ?? [],
    namespaced: opts.namespaced ?? true,
    verbs: opts.verbs ?? STANDARD_VERBS,
    categories: opts.all ? ['all', ...(opts.categories ?? [])] : (opts.categories ?? []),
    subresources: opts.subresources ?? [],
    tracksGeneration: opts.generation ?? false,
    storage: opts.storage ?? true,
  };
}

const status = (kind: string): SubresourceDefinition => ({ name: 'status', kind, verbs: GET_PATCH_UPDATE });

/** A `scale` subresource speaking autoscaling/v1 Scale. */
export const scaleSubresource = (paths = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' }): SubresourceDefinition => ({
  name: 'scale',
  kind: 'Scale',
  group: 'autoscaling',
  version: 'v1',
  verbs: GET_PATCH_UPDATE,
  scale: { ...paths, labelSelectorPath: '.status.selector' },
});
const proxy = (kind: string): SubresourceDefinition => ({ name: 'proxy', kind, verbs: ['create', 'delete', 'get', 'patch', 'update'] });

const core: ResourceDefinition[] = [
  resource('', 'v1', 'Binding', { verbs: ['create'] }),
  resource('', 'v1', 'ConfigMap', { shortNames: ['cm'] }),
  resource('', 'v1', 'Endpoints', { plural: 'endpoints', shortNames: ['ep'] }),
  resource('', 'v1', 'Event', { shortNames: ['ev'] }),
  resource('', 'v1', 'Namespace', {
    shortNames: ['ns'],
    namespaced: false,
    verbs: NO_DELETECOLLECTION,
    subresources: [{ name: 'finalize', kind: 'Namespace', verbs: ['update'] }, status('Namespace')],
  }),
  resource('', 'v1', 'Node', { shortNames: ['no'], namespaced: false, subresources: [proxy('NodeProxyOptions'), status('Node')] }),
  resource('', 'v1', 'PersistentVolumeClaim', { shortNames: ['pvc'], subresources: [status('PersistentVolumeClaim')] }),
  resource('', 'v1', 'PersistentVolume', { shortNames: ['pv'], namespaced: false, subresources: [status('PersistentVolume')] }),
  resource('', 'v1', 'Pod', {
    shortNames: ['po'],
    all: true,
    subresources: [
      { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
      { name: 'binding', kind: 'Binding', verbs: ['create'] },
      { name: 'ephemeralcontainers', kind: 'Pod', verbs: GET_PATCH_UPDATE },
      { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
      proxy('PodProxyOptions'),
      status('Pod'),
    ],
  }),
  resource('', 'v1', 'PodTemplate'),
  resource('', 'v1', 'ReplicationController', {
    shortNames: ['rc'],
    all: true,
    generation: true,
    subresources: [scaleSubresource(), status('ReplicationController')],
  }),
  resource('', 'v1', 'Secret'),
  resource('', 'v1', 'ServiceAccount', {
    shortNames: ['sa'],
    subresources: [{ name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] }],
  }),
  resource('', 'v1', 'Service', { shortNames: ['svc'], all: true, subresources: [proxy('ServiceProxyOptions'), status('Service')] }),
];

const apps: ResourceDefinition[] = [
  resource('apps', 'v1', 'ControllerRevision'),
  resource('apps', 'v1', 'DaemonSet', { shortNames: ['ds'], all: true, generation: true, subresources: [status('DaemonSet')] }),
  resource('apps', 'v1', 'Deployment', {
    shortNames: ['deploy'],
    all: true,
    generation: true,
    subresources: [scaleSubresource(), status('Deployment')],
  }),
  resource('apps', 'v1', 'ReplicaSet', { shortNames: ['rs'], all: true, generation: true, subresources: [scaleSubresource(), status('ReplicaSet')] }),
  resource('apps', 'v1', 'StatefulSet', {
    shortNames: ['sts'],
    all: true,
    generation: true,
    subresources: [scaleSubresource(), status('StatefulSet')],
  }),
];

const batch: ResourceDefinition[] = [
  resource('batch', 'v1', 'CronJob', { shortNames: ['cj'], all: true, generation: true, subresources: [status('CronJob')] }),
  resource('batch', 'v1', 'Job', { all: true, generation: true, subresources: [status('Job')] }),
  // Retired in 1.25; served here for the seed's manifests, converted to v1 for storage.
  resource('batch', 'v1beta1', 'CronJob', { shortNames: ['cj'], all: true, generation: true, subresources: [status('CronJob')], storage: false }),
];

const networking: ResourceDefinition[] = [
  resource('networking.k8s.io', 'v1', 'IngressClass', { plural: 'ingressclasses', namespaced: false, generation: true }),
  resource('networking.k8s.io', 'v1', 'Ingress', { plural: 'ingresses', shortNames: ['ing'], generation: true, subresources: [status('Ingress')] }),
  // Retired in 1.22; served here for the seed's manifests, converted to v1 for storage.
  resource('networking.k8s.io', 'v1beta1', 'Ingress', {
    plural: 'ingresses',
    shortNames: ['ing'],
    generation: true,
    subresources: [status('Ingress')],
    storage: false,
  }),
];

const others: ResourceDefinition[] = [
  resource('storage.k8s.io', 'v1', 'StorageClass', { plural: 'storageclasses', shortNames: ['sc'], namespaced: false }),
  resource('coordination.k8s.io', 'v1', 'Lease'),
  resource('discovery.k8s.io', 'v1', 'EndpointSlice', { generation: true }),
  resource('authentication.k8s.io', 'v1', 'SelfSubjectReview', { namespaced: false, verbs: ['create'] }),
  // Questions to the authorizer: create-only, answered in status, never stored.
  resource('authorization.k8s.io', 'v1', 'LocalSubjectAccessReview', { verbs: ['create'] }),
  resource('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', { namespaced: false, verbs: ['create'] }),
  resource('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview', { namespaced: false, verbs: ['create'] }),
  resource('authorization.k8s.io', 'v1', 'SubjectAccessReview', { namespaced: false, verbs: ['create'] }),
  resource('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', { namespaced: false }),
  resource('rbac.authorization.k8s.io', 'v1', 'ClusterRole', { namespaced: false }),
  resource('rbac.authorization.k8s.io', 'v1', 'RoleBinding'),
  resource('rbac.authorization.k8s.io', 'v1', 'Role'),
  resource('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', {
    shortNames: ['crd', 'crds'],
    namespaced: false,
    categories: ['api-extensions'],
    generation: true,
    subresources: [status('CustomResourceDefinition')],
  }),
];

/** Every built-in resource definition, in discovery order. */
export const BUILTIN_RESOURCES: readonly ResourceDefinition[] = [...core, ...apps, ...batch, ...networking, ...others];
