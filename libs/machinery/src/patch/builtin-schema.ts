import {
  applyKeyedList,
  atomicList,
  atomicMap,
  keyedList,
  scalarSet,
  SchemaNode,
  SchemaTypes,
  struct,
  TypeSchema,
} from './schema';

/**
 * The merge semantics of the built-in kinds, read from the `patchStrategy`,
 * `patchMergeKey`, `+listType`, `+listMapKey`, `+mapType` and `+structType`
 * markers of k8s.io/api (core/v1, apps/v1, batch/v1) and
 * k8s.io/apimachinery (meta/v1). Only fields whose behaviour differs from the
 * schema-less default (maps merge, lists are atomic) are listed.
 *
 * Types are shared, so the pod template rules apply wherever a
 * PodTemplateSpec appears: Deployment, ReplicaSet, ReplicationController,
 * DaemonSet, StatefulSet, Job and CronJob (`spec.jobTemplate.spec.template`).
 */

const conditionsByType = (listType: 'map' | 'atomic' = 'map') => keyedList('type', undefined, { listType });
const tcp = { protocol: 'TCP' };

const types: Record<string, TypeSchema> = {
  ObjectMeta: {
    fields: {
      ownerReferences: keyedList('uid'),
      finalizers: scalarSet(),
      managedFields: atomicList(),
    },
  },
  // metav1.LabelSelector is +structType=atomic.
  LabelSelector: { atomic: true, fields: {} },

  // core/v1 -------------------------------------------------------------------
  PodTemplateSpec: { fields: { metadata: struct('ObjectMeta'), spec: struct('PodSpec') } },
  PodSpec: {
    fields: {
      volumes: keyedList('name', 'Volume', { retainKeys: true }),
      initContainers: keyedList('name', 'Container'),
      containers: keyedList('name', 'Container'),
      ephemeralContainers: keyedList('name', 'Container'),
      imagePullSecrets: keyedList('name'),
      hostAliases: keyedList('ip', 'HostAlias'),
      topologySpreadConstraints: keyedList('topologyKey', 'TopologySpreadConstraint', {
        listMapKeys: ['topologyKey', 'whenUnsatisfiable'],
      }),
      schedulingGates: keyedList('name'),
      resourceClaims: keyedList('name', undefined, { retainKeys: true }),
      tolerations: atomicList(),
      readinessGates: atomicList(),
      nodeSelector: atomicMap(),
      affinity: struct('Affinity'),
      dnsConfig: struct('PodDNSConfig'),
    },
  },
  Container: {
    fields: {
      ports: keyedList('containerPort', undefined, { listMapKeys: ['containerPort', 'protocol'], keyDefaults: tcp }),
      env: keyedList('name'),
      volumeMounts: keyedList('mountPath'),
      volumeDevices: keyedList('devicePath'),
      envFrom: atomicList(),
      command: atomicList(),
      args: atomicList(),
      resizePolicy: atomicList(),
      resources: struct('ResourceRequirements'),
    },
  },
  ResourceRequirements: { fields: { claims: applyKeyedList(['name']) } },
  HostAlias: { fields: { hostnames: atomicList() } },
  TopologySpreadConstraint: { fields: { labelSelector: struct('LabelSelector'), matchLabelKeys: atomicList() } },
  Volume: { fields: { projected: struct('ProjectedVolumeSource') } },
  ProjectedVolumeSource: { fields: { sources: atomicList() } },
  Affinity: {
    fields: { podAffinity: struct('PodAffinity'), podAntiAffinity: struct('PodAffinity') },
  },
  PodAffinity: {
    fields: {
      requiredDuringSchedulingIgnoredDuringExecution: atomicList(),
      preferredDuringSchedulingIgnoredDuringExecution: atomicList(),
    },
  },
  PodDNSConfig: { fields: { nameservers: atomicList(), searches: atomicList(), options: atomicList() } },
  PodStatus: {
    fields: {
      conditions: conditionsByType(),
      podIPs: keyedList('ip'),
      hostIPs: keyedList('ip', undefined, { listType: 'atomic' }),
      initContainerStatuses: atomicList(),
      containerStatuses: atomicList(),
      ephemeralContainerStatuses: atomicList(),
      resourceClaimStatuses: keyedList('name', undefined, { retainKeys: true }),
    },
  },
  Pod: { fields: { metadata: struct('ObjectMeta'), spec: struct('PodSpec'), status: struct('PodStatus') } },
  PodTemplate: { fields: { metadata: struct('ObjectMeta'), template: struct('PodTemplateSpec') } },
  ReplicationController: {
    fields: {
      metadata: struct('ObjectMeta'),
      spec: struct('ReplicationControllerSpec'),
      status: struct('ConditionsStatus'),
    },
  },
  // +mapType=atomic selector (a plain map, not a LabelSelector).
  ReplicationControllerSpec: { fields: { selector: atomicMap(), template: struct('PodTemplateSpec') } },
  ConditionsStatus: { fields: { conditions: conditionsByType() } },
  Service: { fields: { metadata: struct('ObjectMeta'), spec: struct('ServiceSpec'), status: struct('ServiceStatus') } },
  ServiceSpec: {
    fields: {
      ports: keyedList('port', undefined, { listMapKeys: ['port', 'protocol'], keyDefaults: tcp }),
      selector: atomicMap(),
      externalIPs: atomicList(),
      clusterIPs: atomicList(),
      ipFamilies: atomicList(),
      loadBalancerSourceRanges: atomicList(),
    },
  },
  ServiceStatus: { fields: { conditions: conditionsByType(), loadBalancer: struct('LoadBalancerStatus') } },
  LoadBalancerStatus: { fields: { ingress: atomicList() } },
  Endpoints: { fields: { metadata: struct('ObjectMeta'), subsets: atomicList() } },
  ServiceAccount: {
    fields: { metadata: struct('ObjectMeta'), secrets: keyedList('name'), imagePullSecrets: atomicList() },
  },
  Node: { fields: { metadata: struct('ObjectMeta'), spec: struct('NodeSpec'), status: struct('NodeStatus') } },
  NodeSpec: { fields: { podCIDRs: scalarSet(), taints: atomicList() } },
  NodeStatus: {
    fields: { conditions: conditionsByType(), addresses: keyedList('type'), images: atomicList(), volumesInUse: atomicList(), volumesAttached: atomicList() },
  },
  Namespace: { fields: { metadata: struct('ObjectMeta'), spec: struct('NamespaceSpec'), status: struct('ConditionsStatus') } },
  NamespaceSpec: { fields: { finalizers: atomicList() } },
  PersistentVolumeClaim: {
    fields: { metadata: struct('ObjectMeta'), spec: struct('PersistentVolumeClaimSpec'), status: struct('ConditionsStatus') },
  },
  PersistentVolumeClaimSpec: { fields: { accessModes: atomicList(), selector: struct('LabelSelector') } },
  PersistentVolume: { fields: { metadata: struct('ObjectMeta'), spec: struct('PersistentVolumeSpec') } },
  PersistentVolumeSpec: { fields: { accessModes: atomicList(), mountOptions: atomicList() } },

  // apps/v1 -------------------------------------------------------------------
  Deployment: { fields: { metadata: struct('ObjectMeta'), spec: struct('DeploymentSpec'), status: struct('ConditionsStatus') } },
  DeploymentSpec: {
    fields: {
      selector: struct('LabelSelector'),
      template: struct('PodTemplateSpec'),
      strategy: struct('DeploymentStrategy', { retainKeys: true }),
    },
  },
  DeploymentStrategy: { fields: {} },
  ReplicaSet: { fields: { metadata: struct('ObjectMeta'), spec: struct('SelectorAndTemplate'), status: struct('ConditionsStatus') } },
  DaemonSet: { fields: { metadata: struct('ObjectMeta'), spec: struct('SelectorAndTemplate'), status: struct('ConditionsStatus') } },
  SelectorAndTemplate: { fields: { selector: struct('LabelSelector'), template: struct('PodTemplateSpec') } },
  StatefulSet: { fields: { metadata: struct('ObjectMeta'), spec: struct('StatefulSetSpec'), status: struct('ConditionsStatus') } },
  StatefulSetSpec: {
    fields: {
      selector: struct('LabelSelector'),
      template: struct('PodTemplateSpec'),
      volumeClaimTemplates: atomicList('PersistentVolumeClaim'),
    },
  },

  // batch/v1 ------------------------------------------------------------------
  Job: { fields: { metadata: struct('ObjectMeta'), spec: struct('JobSpec'), status: struct('JobStatus') } },
  JobSpec: { fields: { selector: struct('LabelSelector'), template: struct('PodTemplateSpec') } },
  // Merged by type for strategic merge patch, but atomic for apply.
  JobStatus: { fields: { conditions: conditionsByType('atomic') } },
  CronJob: { fields: { metadata: struct('ObjectMeta'), spec: struct('CronJobSpec'), status: struct('CronJobStatus') } },
  CronJobSpec: { fields: { jobTemplate: struct('JobTemplateSpec') } },
  JobTemplateSpec: { fields: { metadata: struct('ObjectMeta'), spec: struct('JobSpec') } },
  CronJobStatus: { fields: { active: atomicList() } },

  // Any other object: only its metadata is known.
  Object: { fields: { metadata: struct('ObjectMeta') } },
};

export const BUILTIN_TYPES: SchemaTypes = types;

/** The root type of each built-in kind, by `group/Kind` (core group: `Kind`). */
const KINDS: Record<string, string> = {
  Pod: 'Pod',
  PodTemplate: 'PodTemplate',
  ReplicationController: 'ReplicationController',
  Service: 'Service',
  Endpoints: 'Endpoints',
  ServiceAccount: 'ServiceAccount',
  Node: 'Node',
  Namespace: 'Namespace',
  PersistentVolume: 'PersistentVolume',
  PersistentVolumeClaim: 'PersistentVolumeClaim',
  ConfigMap: 'Object',
  Secret: 'Object',
  Event: 'Object',
  LimitRange: 'Object',
  ResourceQuota: 'Object',
  'apps/Deployment': 'Deployment',
  'apps/ReplicaSet': 'ReplicaSet',
  'apps/DaemonSet': 'DaemonSet',
  'apps/StatefulSet': 'StatefulSet',
  'apps/ControllerRevision': 'Object',
  'batch/Job': 'Job',
  'batch/CronJob': 'CronJob',
  'networking.k8s.io/Ingress': 'Object',
  'networking.k8s.io/IngressClass': 'Object',
  'networking.k8s.io/NetworkPolicy': 'Object',
  'discovery.k8s.io/EndpointSlice': 'Object',
  'storage.k8s.io/StorageClass': 'Object',
  'coordination.k8s.io/Lease': 'Object',
  'events.k8s.io/Event': 'Object',
  'rbac.authorization.k8s.io/Role': 'Object',
  'rbac.authorization.k8s.io/ClusterRole': 'Object',
  'rbac.authorization.k8s.io/RoleBinding': 'Object',
  'rbac.authorization.k8s.io/ClusterRoleBinding': 'Object',
  'apiextensions.k8s.io/CustomResourceDefinition': 'Object',
};

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * The schema of a built-in kind (`builtinSchemaFor('apps/v1', 'Deployment')`),
 * or `undefined` for kinds Kubernetes does not build in, such as custom
 * resources. Strategic merge patch is defined only for built-in kinds.
 */
export function builtinSchemaFor(apiVersion: string, kind: string): SchemaNode | undefined {
  const group = groupOf(apiVersion);
  const type = KINDS[group ? `${group}/${kind}` : kind];
  return type === undefined ? undefined : new SchemaNode(BUILTIN_TYPES, type);
}

/**
 * The schema server-side apply uses for a kind: the built-in one, or for
 * other kinds (custom resources) just the rules of `metadata`; everything
 * else is schema-less (maps granular, lists atomic), as for a CRD without
 * list-type markers.
 */
export function applySchemaFor(apiVersion: string, kind: string): SchemaNode {
  return builtinSchemaFor(apiVersion, kind) ?? new SchemaNode(BUILTIN_TYPES, 'Object');
}

/** One row of the merge table: which list at which path merges how. */
export interface MergeRule {
  /** Dotted path from the object root, e.g. `spec.template.spec.containers`. */
  path: string;
  patchStrategy: 'merge' | 'replace';
  patchMergeKey?: string;
  listType: string;
  listMapKeys?: readonly string[];
}

/**
 * The list rules of a kind, flattened by path (for documentation, `explain`
 * and tests): e.g. for Deployments, `spec.template.spec.containers` merges
 * by `name`.
 */
export function listMergeRules(node: SchemaNode, prefix = '', seen: ReadonlySet<string> = new Set()): MergeRule[] {
  const t = node.typeSchema;
  if (!t || (node.type && seen.has(node.type))) return [];
  const inside = new Set(seen).add(node.type!);
  const rules: MergeRule[] = [];
  for (const [name, f] of Object.entries(t.fields)) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (f.list) {
      rules.push({
        path,
        patchStrategy: f.list.patchStrategy,
        patchMergeKey: f.list.patchMergeKey,
        listType: f.list.listType,
        listMapKeys: f.list.listMapKeys,
      });
    }
    if (f.type) rules.push(...listMergeRules(node.child(name), path, inside));
  }
  return rules;
}
