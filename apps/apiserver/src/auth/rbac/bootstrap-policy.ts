/**
 * The bootstrap RBAC policy kube-apiserver reconciles at start
 * (plugin/pkg/auth/authorizer/rbac/bootstrappolicy): the user-facing roles
 * cluster-admin, admin, edit and view (the last three aggregated from the
 * system:aggregate-to-* roles, so CRD authors can extend them by label),
 * discovery and self-review roles for everyone, and least-privilege roles
 * for Logbook's own components:
 *
 * - system:kube-scheduler, bound to the user system:kube-scheduler;
 * - system:node, bound to the group system:nodes (kube binds no one and
 *   lets its Node authorizer grant each kubelet its own node's objects;
 *   Logbook binds it, and its Node authorizer (auth/node/) and the
 *   NodeRestriction admission plugin narrow what it grants to the node's
 *   own Secrets, ConfigMaps, claims, tokens, Node, Lease and pods);
 * - system:kube-controller-manager, bound to the user
 *   system:kube-controller-manager. Logbook's controller manager runs all
 *   its controllers under that one identity (kube's
 *   --use-service-account-credentials=false), so the role is the union of
 *   what the built-in controllers need: kube's system:controller:* roles
 *   for the controllers Logbook has. The garbage collector and the
 *   namespace controller must read and delete anything, so that union
 *   holds get/list/watch/update/patch/delete on every resource — but not
 *   create on arbitrary kinds, not escalate/bind/impersonate, not the
 *   non-resource URLs beyond discovery.
 */
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Subject } from '@logbook/api';

export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';
export const BOOTSTRAPPING_LABEL = 'kubernetes.io/bootstrapping';
export const AGGREGATE_TO = (role: 'admin' | 'edit' | 'view') => `rbac.authorization.k8s.io/aggregate-to-${role}`;

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const READ_WRITE = [...READ, ...WRITE];

/** A resource rule (group '' is core). */
const rule = (verbs: string[], groups: string[], resources: string[], resourceNames?: string[]): PolicyRule =>
  resourceNames ? { verbs, apiGroups: groups, resources, resourceNames } : { verbs, apiGroups: groups, resources };
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

const meta = (name: string, labels: Record<string, string> = {}) => ({
  name,
  labels: { [BOOTSTRAPPING_LABEL]: 'rbac-defaults', ...labels },
  annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
});

function clusterRole(name: string, rules: PolicyRule[], labels?: Record<string, string>): ClusterRole {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(name, labels), rules };
}

function aggregated(name: string, to: 'admin' | 'edit' | 'view', labels?: Record<string, string>): ClusterRole {
  return {
    ...clusterRole(name, [], labels),
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [AGGREGATE_TO(to)]: 'true' } }] },
  };
}

const user = (name: string): Subject => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name });
const group = (name: string): Subject => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name });

function binding(name: string, role: string, subjects: Subject[]): ClusterRoleBinding {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: meta(name),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects,
  };
}

/** What `view` aggregates: reads of everything but Secrets (and RBAC, and the pod subresources that run code). */
const aggregateToView: PolicyRule[] = [
  rule(READ, [''], ['pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps']),
  rule(READ, [''], ['limitranges', 'resourcequotas', 'bindings', 'events', 'pods/status', 'resourcequotas/status', 'namespaces/status', 'replicationcontrollers/status', 'pods/log']),
  rule(READ, [''], ['namespaces']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(READ, ['apps'], ['controllerrevisions', 'statefulsets', 'statefulsets/status', 'statefulsets/scale', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/status', 'deployments/scale', 'replicasets', 'replicasets/status', 'replicasets/scale']),
  rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  rule(READ, ['batch'], ['jobs', 'cronjobs', 'cronjobs/status', 'jobs/status']),
  rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  rule(READ, ['networking.k8s.io'], ['networkpolicies', 'ingresses', 'ingresses/status']),
];

/** What `edit` adds: writes of workloads and config, reading Secrets, running code in pods. */
const aggregateToEdit: PolicyRule[] = [
  rule(READ, [''], ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy']),
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule(WRITE, [''], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
  rule(['create'], [''], ['pods/eviction']),
  rule(WRITE, [''], ['replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/proxy', 'persistentvolumeclaims', 'configmaps', 'secrets', 'events']),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(WRITE, ['apps'], ['statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'replicasets', 'replicasets/scale']),
  rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
  rule(WRITE, ['batch'], ['jobs', 'cronjobs']),
  rule(WRITE, ['policy'], ['poddisruptionbudgets']),
  rule(WRITE, ['networking.k8s.io'], ['networkpolicies', 'ingresses']),
  rule(READ_WRITE, ['coordination.k8s.io'], ['leases']),
];

/** What `admin` adds: managing access inside the namespace. */
const aggregateToAdmin: PolicyRule[] = [
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  rule(READ_WRITE, ['rbac.authorization.k8s.io'], ['roles', 'rolebindings']),
];

/**
 * Logbook's own API group: whoever may view a namespace may read its
 * history (Secret values stay redacted unless they may get the Secret);
 * the audit export (every user's requests, denials included) is for admins.
 */
const logbookToView: PolicyRule[] = [rule(READ, ['logbook.io'], ['history', 'explain', 'timeline', 'diff'])];
const logbookToAdmin: PolicyRule[] = [rule(READ, ['logbook.io'], ['audit', 'compactions'])];

const EVENTS = [rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events'])];

const schedulerRules: PolicyRule[] = [
  ...EVENTS,
  rule(['create'], ['coordination.k8s.io'], ['leases']),
  rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
  rule(READ, [''], ['nodes', 'namespaces', 'replicationcontrollers', 'services', 'persistentvolumeclaims', 'persistentvolumes']),
  rule([...READ, 'delete'], [''], ['pods']),
  rule(['create'], [''], ['bindings', 'pods/binding']),
  rule(['patch', 'update'], [''], ['pods/status']),
  rule(READ, ['apps'], ['replicasets', 'statefulsets']),
  rule(READ, ['policy'], ['poddisruptionbudgets']),
  rule(READ, ['storage.k8s.io'], ['storageclasses', 'csinodes', 'csidrivers', 'csistoragecapacities']),
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
];

/**
 * kube's NodeRules, plus list/watch where Logbook's node agent uses
 * informers (claims, volumes, service accounts, endpoint slices for its
 * proxy); kube's Node authorizer would narrow these to the node's own.
 */
const nodeRules: PolicyRule[] = [
  ...EVENTS,
  rule([...READ, 'create', 'delete'], [''], ['pods']),
  rule(['patch', 'update'], [''], ['pods/status']),
  rule(['create'], [''], ['pods/eviction']),
  rule([...READ, 'create', 'update', 'patch', 'delete'], [''], ['nodes']),
  rule(['patch', 'update'], [''], ['nodes/status']),
  rule(READ, [''], ['services', 'endpoints', 'configmaps', 'secrets', 'namespaces', 'serviceaccounts', 'persistentvolumeclaims', 'persistentvolumes']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(['update', 'patch'], [''], ['persistentvolumeclaims/status']),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule([...READ, 'create', 'update', 'patch', 'delete'], ['coordination.k8s.io'], ['leases']),
  rule(READ, ['storage.k8s.io'], ['storageclasses', 'csidrivers', 'volumeattachments']),
  rule(READ, ['node.k8s.io'], ['runtimeclasses']),
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews', 'localsubjectaccessreviews']),
];

/**
 * The built-in controllers' needs, as kube's system:controller:* roles
 * (deployment, replicaset, replication, statefulset, daemon-set, job,
 * cronjob, namespace, generic-garbage-collector, node, persistent-volume-
 * binder, endpoint, endpointslice, service-account) plus leader election.
 */
const controllerManagerRules: PolicyRule[] = [
  ...EVENTS,
  // Leader election (kube-system/kube-controller-manager).
  rule(['create'], ['coordination.k8s.io'], ['leases']),
  rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-controller-manager']),
  // generic-garbage-collector and namespace-controller: read and delete anything.
  rule(['get', 'list', 'watch', 'update', 'patch', 'delete', 'deletecollection'], ['*'], ['*']),
  // What the workload controllers create.
  rule(['create'], [''], ['pods', 'persistentvolumeclaims', 'persistentvolumes', 'endpoints', 'serviceaccounts', 'secrets', 'configmaps', 'replicationcontrollers', 'services']),
  rule(['create'], ['apps'], ['replicasets', 'controllerrevisions']),
  rule(['create'], ['batch'], ['jobs']),
  rule(['create'], ['discovery.k8s.io'], ['endpointslices']),
  // The default StorageClass (`standard`) of the storage controllers.
  rule(['create'], ['storage.k8s.io'], ['storageclasses']),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(['create'], ['policy'], ['pods/eviction']),
  rule(['create'], [''], ['pods/eviction']),
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
  // The aggregation controller writes the rules of aggregated ClusterRoles:
  // escalate lets it grant what it does not itself hold.
  rule(['escalate', 'get', 'list', 'watch', 'update', 'patch'], ['rbac.authorization.k8s.io'], ['clusterroles']),
];

export const DISCOVERY_URLS = ['/api', '/api/*', '/apis', '/apis/*', '/openapi', '/openapi/*', '/version', '/version/'];
export const PUBLIC_INFO_URLS = ['/healthz', '/livez', '/readyz', '/version', '/version/'];

/** Every bootstrap ClusterRole. */
export function bootstrapClusterRoles(): ClusterRole[] {
  return [
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
    aggregated('admin', 'admin'),
    aggregated('edit', 'edit', { [AGGREGATE_TO('admin')]: 'true' }),
    aggregated('view', 'view', { [AGGREGATE_TO('edit')]: 'true' }),
    clusterRole('system:aggregate-to-admin', aggregateToAdmin, { [AGGREGATE_TO('admin')]: 'true' }),
    clusterRole('system:aggregate-to-edit', aggregateToEdit, { [AGGREGATE_TO('edit')]: 'true' }),
    clusterRole('system:aggregate-to-view', aggregateToView, { [AGGREGATE_TO('view')]: 'true' }),
    clusterRole('system:logbook:aggregate-to-view', logbookToView, { [AGGREGATE_TO('view')]: 'true' }),
    clusterRole('system:logbook:aggregate-to-admin', logbookToAdmin, { [AGGREGATE_TO('admin')]: 'true' }),
    clusterRole('system:discovery', [urls(['get'], DISCOVERY_URLS)]),
    clusterRole('system:basic-user', [
      rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ]),
    clusterRole('system:public-info-viewer', [urls(['get'], PUBLIC_INFO_URLS)]),
    clusterRole('system:kube-scheduler', schedulerRules),
    clusterRole('system:node', nodeRules),
    clusterRole('system:kube-controller-manager', controllerManagerRules),
  ];
}

/** Every bootstrap ClusterRoleBinding. */
export function bootstrapClusterRoleBindings(): ClusterRoleBinding[] {
  return [
    binding('cluster-admin', 'cluster-admin', [group('system:masters')]),
    binding('system:discovery', 'system:discovery', [group('system:authenticated')]),
    binding('system:basic-user', 'system:basic-user', [group('system:authenticated')]),
    binding('system:public-info-viewer', 'system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
    binding('system:kube-scheduler', 'system:kube-scheduler', [user('system:kube-scheduler')]),
    binding('system:node', 'system:node', [group('system:nodes')]),
    binding('system:kube-controller-manager', 'system:kube-controller-manager', [user('system:kube-controller-manager')]),
  ];
}
