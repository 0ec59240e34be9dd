/**
 * What k8s.io/api says in Go struct tags and `+` markers that libs/api's
 * classes do not carry: list semantics (`+listType`, `+listMapKey`,
 * `patchStrategy`, `patchMergeKey`), atomic structs and maps, and the
 * integer widths (TypeScript only has `number`). Keys are
 * `<Kubernetes type name>.<field>`; values are copied from k8s.io/api and
 * k8s.io/apimachinery v1.32. These markers belong on the classes
 * themselves one day (see README.md); until then this is their one home
 * in the apiserver.
 */

export interface ListMarker {
  listType: 'atomic' | 'map' | 'set';
  listMapKeys?: string[];
  patchStrategy?: string;
  patchMergeKey?: string;
}

const keyed = (key: string, extra: Partial<ListMarker> = {}): ListMarker => ({
  listType: 'map',
  listMapKeys: [key],
  patchStrategy: 'merge',
  patchMergeKey: key,
  ...extra,
});
const atomic: ListMarker = { listType: 'atomic' };
const conditions = keyed('type');

export const LIST_MARKERS: Readonly<Record<string, ListMarker>> = {
  // meta/v1
  'ObjectMeta.ownerReferences': keyed('uid'),
  'ObjectMeta.finalizers': { listType: 'set', patchStrategy: 'merge' },
  'ObjectMeta.managedFields': atomic,
  'LabelSelector.matchExpressions': atomic,
  'LabelSelectorRequirement.values': atomic,
  // core/v1 pods and containers
  'PodSpec.volumes': keyed('name', { patchStrategy: 'merge,retainKeys' }),
  'PodSpec.initContainers': keyed('name'),
  'PodSpec.containers': keyed('name'),
  'PodSpec.ephemeralContainers': keyed('name'),
  'PodSpec.imagePullSecrets': keyed('name'),
  'PodSpec.hostAliases': keyed('ip'),
  'PodSpec.topologySpreadConstraints': keyed('topologyKey', { listMapKeys: ['topologyKey', 'whenUnsatisfiable'] }),
  'PodSpec.schedulingGates': keyed('name'),
  'PodSpec.resourceClaims': keyed('name', { patchStrategy: 'merge,retainKeys' }),
  'PodSpec.tolerations': atomic,
  'PodSpec.readinessGates': atomic,
  'Container.ports': keyed('containerPort', { listMapKeys: ['containerPort', 'protocol'] }),
  'Container.env': keyed('name'),
  'Container.volumeMounts': keyed('mountPath'),
  'Container.volumeDevices': keyed('devicePath'),
  'Container.envFrom': atomic,
  'Container.command': atomic,
  'Container.args': atomic,
  'Container.resizePolicy': atomic,
  'EphemeralContainer.ports': keyed('containerPort', { listMapKeys: ['containerPort', 'protocol'] }),
  'EphemeralContainer.env': keyed('name'),
  'EphemeralContainer.volumeMounts': keyed('mountPath'),
  'EphemeralContainer.volumeDevices': keyed('devicePath'),
  'ResourceRequirements.claims': { listType: 'map', listMapKeys: ['name'] },
  'PodSecurityContext.supplementalGroups': atomic,
  'PodSecurityContext.sysctls': atomic,
  'ProjectedVolumeSource.sources': atomic,
  'PodStatus.conditions': conditions,
  'PodStatus.podIPs': keyed('ip'),
  'PodStatus.containerStatuses': atomic,
  'PodStatus.initContainerStatuses': atomic,
  'HostAlias.hostnames': atomic,
  'NodeSelector.nodeSelectorTerms': atomic,
  'NodeSelectorTerm.matchExpressions': atomic,
  'NodeSelectorTerm.matchFields': atomic,
  // core/v1 others
  'ServiceSpec.ports': keyed('port', { listMapKeys: ['port', 'protocol'] }),
  'ServiceSpec.externalIPs': atomic,
  'ServiceSpec.clusterIPs': atomic,
  'ServiceSpec.ipFamilies': atomic,
  'ServiceSpec.loadBalancerSourceRanges': atomic,
  'ServiceStatus.conditions': conditions,
  'LoadBalancerStatus.ingress': atomic,
  'EndpointSubset.addresses': atomic,
  'EndpointSubset.notReadyAddresses': atomic,
  'EndpointSubset.ports': atomic,
  'Endpoints.subsets': atomic,
  'ServiceAccount.secrets': keyed('name'),
  'ServiceAccount.imagePullSecrets': atomic,
  'NodeSpec.taints': atomic,
  'NodeSpec.podCIDRs': { listType: 'set', patchStrategy: 'merge' },
  'NodeStatus.conditions': conditions,
  'NodeStatus.addresses': keyed('type'),
  'NamespaceStatus.conditions': conditions,
  'PersistentVolumeClaimStatus.conditions': conditions,
  'ReplicationControllerStatus.conditions': conditions,
  // apps/v1, batch/v1
  'DeploymentStatus.conditions': conditions,
  'ReplicaSetStatus.conditions': conditions,
  'DaemonSetStatus.conditions': conditions,
  'StatefulSetStatus.conditions': conditions,
  'StatefulSetSpec.volumeClaimTemplates': atomic,
  'JobStatus.conditions': { listType: 'atomic', patchStrategy: 'merge', patchMergeKey: 'type' },
  'CronJobStatus.active': atomic,
  // discovery/v1, networking/v1
  'EndpointSlice.endpoints': atomic,
  'EndpointSlice.ports': atomic,
  'IngressSpec.tls': atomic,
  'IngressSpec.rules': atomic,
  'HTTPIngressRuleValue.paths': atomic,
};

/** Structs Kubernetes marks `+structType=atomic` / `+mapType=atomic` (replaced whole by apply). */
export const ATOMIC_STRUCTS: ReadonlySet<string> = new Set([
  'LabelSelector',
  'LocalObjectReference',
  'ObjectReference',
  'TypedLocalObjectReference',
  'ObjectFieldSelector',
  'ResourceFieldSelector',
  'ConfigMapKeySelector',
  'SecretKeySelector',
  'NodeSelector',
  'NodeSelectorTerm',
  'TopologySelectorTerm',
]);

/** Maps Kubernetes marks `+mapType=atomic`. */
export const ATOMIC_MAPS: ReadonlySet<string> = new Set(['PodSpec.nodeSelector']);

/** Integer fields that are int64 in Go; every other integer is int32. */
export const INT64_FIELDS: ReadonlySet<string> = new Set([
  'ObjectMeta.generation',
  'ObjectMeta.deletionGracePeriodSeconds',
  'ListMeta.remainingItemCount',
  'DeleteOptions.gracePeriodSeconds',
  'PodSpec.activeDeadlineSeconds',
  'PodSpec.terminationGracePeriodSeconds',
  'Probe.terminationGracePeriodSeconds',
  'PodSecurityContext.runAsUser',
  'PodSecurityContext.runAsGroup',
  'PodSecurityContext.fsGroup',
  'PodSecurityContext.supplementalGroups',
  'SecurityContext.runAsUser',
  'SecurityContext.runAsGroup',
  'Toleration.tolerationSeconds',
  'ServiceAccountTokenProjection.expirationSeconds',
  'TokenRequestSpec.expirationSeconds',
  'JobSpec.activeDeadlineSeconds',
  'CronJobSpec.startingDeadlineSeconds',
  'SleepAction.seconds',
  'ControllerRevision.revision',
  'Event.count',
]);

/** `observedGeneration` is int64 wherever it appears. */
export const isInt64 = (typeName: string, field: string): boolean =>
  INT64_FIELDS.has(`${typeName}.${field}`) || field === 'observedGeneration';

/** The standard texts kube-openapi puts on every top-level kind's own fields. */
export const TYPE_META_DESCRIPTIONS: Readonly<Record<string, string>> = {
  apiVersion:
    'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
  kind: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
  metadata: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
  listMetadata: 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
};

/** Descriptions of the meta/v1 value types (from apimachinery's doc comments). */
export const VALUE_TYPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  IntOrString:
    'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
  Quantity:
    "Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors. The serialization format is: <quantity> ::= <signedNumber><suffix> (e.g. 100m, 1Gi, 1.5, 2e3).",
  Time: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.',
  MicroTime: 'MicroTime is version of Time with microsecond level precision.',
};

const SPEC_AND_STATUS = 'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status';

/** kube's wording for a kind's `spec` and `status` where the class has no doc comment. */
export const specDescription = (kind: string): string => `Specification of the desired behavior of the ${kind}. More info: ${SPEC_AND_STATUS}`;
export const statusDescription = (kind: string): string =>
  `Most recently observed status of the ${kind}. This data may not be up to date. Populated by the system. Read-only. More info: ${SPEC_AND_STATUS}`;
