/**
 * The validation table: for each built-in group/kind, the class whose
 * decorators hold its per-field rules, the rule for its name, and its
 * cross-field rules on create/update. Version-agnostic: objects arrive here
 * in their storage version.
 */
import { Deployment, ReplicaSet, DaemonSet, StatefulSet, ControllerRevision } from '../apps/v1/types';
import {
  validateControllerRevision,
  validateControllerRevisionUpdate,
  validateDaemonSetSpec,
  validateDeploymentSpec,
  validateReplicaSetSpec,
  validateSelectorUpdate,
  validateStatefulSetSpec,
  validateStatefulSetUpdate,
} from '../apps/v1/validation';
import { Scale } from '../autoscaling/v1/types';
import { CronJob, Job } from '../batch/v1/types';
import { validateCronJobName, validateCronJobSpec, validateJobSelector, validateJobSpec, validateJobSpecUpdate } from '../batch/v1/validation';
import { Lease } from '../coordination/v1/types';
import { Namespace, Node, PersistentVolume, PersistentVolumeClaim } from '../core/v1/cluster.types';
import { Binding, ConfigMap, Event, ReplicationController, Secret, ServiceAccount } from '../core/v1/objects.types';
import { Pod, PodTemplate } from '../core/v1/pod.types';
import { Endpoints, Service } from '../core/v1/service.types';
import {
  validateBinding,
  validateConfigMap,
  validateEvent,
  validateImmutableDataUpdate,
  validateNamespaceSpec,
  validateNodeSpec,
  validatePersistentVolumeClaimSpec,
  validatePersistentVolumeClaimUpdate,
  validatePersistentVolumeSpec,
  validatePersistentVolumeUpdate,
  validateReplicationControllerSpec,
  validateSecret,
} from '../core/v1/validation/objects.validation';
import { validatePodOnly, validatePodSpec, validatePodSpecUpdate } from '../core/v1/validation/pod.validation';
import { validateEndpointsSubsets, validateServiceSpec, validateServiceSpecUpdate } from '../core/v1/validation/service.validation';
import { EndpointSlice } from '../discovery/v1/types';
import { Ingress, IngressClass } from '../networking/v1/types';
import { validateIngressClassSpec, validateIngressSpec } from '../networking/v1/validation';
import { StorageClass } from '../storage/v1/types';
import { CustomResourceDefinition } from '../apiextensions/v1/types';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from '../rbac/v1/types';
import { validateBindingUpdate, validateClusterRole, validateClusterRoleBinding, validateRole, validateRoleBinding } from '../rbac/v1/validation';
import { FieldError, immutable } from './field-error';
import { NameValidator, nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain, nameIsPathSegment } from './names';
import {
  validateCustomResourceDefinition,
  validateCustomResourceDefinitionUpdate,
  validateEndpointSlice,
  validateEndpointSliceUpdate,
  validateStorageClass,
  validateStorageClassUpdate,
} from './other-groups.validation';

type Obj = Record<string, any>;

export interface KindValidation {
  /** The class carrying the per-field decorators. */
  cls: new () => object;
  /** How metadata.name is checked. */
  name: NameValidator;
  /** Cross-field rules, on create and on update. */
  rules?: (obj: Obj) => FieldError[];
  /** Rules only on create. */
  createOnly?: (obj: Obj) => FieldError[];
  /** Rules comparing an update with the object it replaces. */
  update?: (obj: Obj, old: Obj) => FieldError[];
  /** Not a stored resource (Scale): metadata is checked leniently. */
  subresource?: boolean;
}

const podTemplate = (o: Obj) => validatePodSpec(o.template?.spec, 'template.spec');

export const KIND_VALIDATIONS: Record<string, KindValidation> = {
  '/Pod': {
    cls: Pod,
    name: nameIsDNSSubdomain,
    rules: (o) => validatePodSpec(o.spec, 'spec'),
    createOnly: validatePodOnly,
    update: (o, old) => validatePodSpecUpdate(o.spec ?? {}, old.spec ?? {}),
  },
  '/PodTemplate': { cls: PodTemplate, name: nameIsDNSSubdomain, rules: podTemplate },
  '/Service': {
    cls: Service,
    name: nameIsDNS1035Label,
    rules: (o) => validateServiceSpec(o.spec),
    update: (o, old) => validateServiceSpecUpdate(o.spec ?? {}, old.spec ?? {}),
  },
  '/Endpoints': { cls: Endpoints, name: nameIsDNSSubdomain, rules: (o) => validateEndpointsSubsets(o.subsets) },
  '/Namespace': { cls: Namespace, name: nameIsDNSLabel, rules: validateNamespaceSpec },
  '/Node': { cls: Node, name: nameIsDNSSubdomain, rules: validateNodeSpec },
  '/ConfigMap': {
    cls: ConfigMap,
    name: nameIsDNSSubdomain,
    rules: validateConfigMap,
    update: (o, old) => validateImmutableDataUpdate(o, old, ['data', 'binaryData']),
  },
  '/Secret': { cls: Secret, name: nameIsDNSSubdomain, rules: validateSecret, update: (o, old) => validateImmutableDataUpdate(o, old, ['data']) },
  '/ServiceAccount': { cls: ServiceAccount, name: nameIsDNSSubdomain },
  '/PersistentVolume': {
    cls: PersistentVolume,
    name: nameIsDNSSubdomain,
    rules: (o) => validatePersistentVolumeSpec(o.spec),
    update: validatePersistentVolumeUpdate,
  },
  '/PersistentVolumeClaim': {
    cls: PersistentVolumeClaim,
    name: nameIsDNSSubdomain,
    rules: (o) => validatePersistentVolumeClaimSpec(o.spec),
    update: validatePersistentVolumeClaimUpdate,
  },
  '/ReplicationController': { cls: ReplicationController, name: nameIsDNSSubdomain, rules: (o) => validateReplicationControllerSpec(o.spec) },
  '/Event': { cls: Event, name: nameIsPathSegment, rules: validateEvent },
  '/Binding': { cls: Binding, name: nameIsPathSegment, rules: validateBinding },
  'apps/Deployment': {
    cls: Deployment,
    name: nameIsDNSSubdomain,
    rules: (o) => validateDeploymentSpec(o.spec),
    update: (o, old) => validateSelectorUpdate(o.spec, old.spec),
  },
  'apps/ReplicaSet': {
    cls: ReplicaSet,
    name: nameIsDNSSubdomain,
    rules: (o) => validateReplicaSetSpec(o.spec),
    update: (o, old) => validateSelectorUpdate(o.spec, old.spec),
  },
  'apps/DaemonSet': {
    cls: DaemonSet,
    name: nameIsDNSSubdomain,
    rules: (o) => validateDaemonSetSpec(o.spec),
    update: (o, old) => validateSelectorUpdate(o.spec, old.spec),
  },
  'apps/StatefulSet': {
    cls: StatefulSet,
    name: nameIsDNSSubdomain,
    rules: (o) => validateStatefulSetSpec(o.spec),
    update: (o, old) => validateStatefulSetUpdate(o.spec, old.spec),
  },
  'apps/ControllerRevision': {
    cls: ControllerRevision,
    name: nameIsDNSSubdomain,
    rules: validateControllerRevision,
    update: validateControllerRevisionUpdate,
  },
  'batch/Job': {
    cls: Job,
    name: nameIsDNSSubdomain,
    rules: (o) => [...validateJobSpec(o.spec, 'spec'), ...validateJobSelector(o.spec)],
    update: (o, old) => validateJobSpecUpdate(o.spec, old.spec),
  },
  'batch/CronJob': {
    cls: CronJob,
    name: nameIsDNSSubdomain,
    rules: (o) => validateCronJobSpec(o.spec),
    createOnly: (o) => validateCronJobName(o.metadata?.name),
  },
  'networking.k8s.io/Ingress': { cls: Ingress, name: nameIsDNSSubdomain, rules: (o) => validateIngressSpec(o.spec) },
  'networking.k8s.io/IngressClass': {
    cls: IngressClass,
    name: nameIsDNSSubdomain,
    rules: (o) => validateIngressClassSpec(o.spec),
    update: (o, old) => (o.spec?.controller === old.spec?.controller ? [] : [immutable('spec.controller', o.spec?.controller ?? '')]),
  },
  'storage.k8s.io/StorageClass': { cls: StorageClass, name: nameIsDNSSubdomain, rules: validateStorageClass, update: validateStorageClassUpdate },
  'coordination.k8s.io/Lease': { cls: Lease, name: nameIsDNSSubdomain },
  'discovery.k8s.io/EndpointSlice': {
    cls: EndpointSlice,
    name: nameIsDNSSubdomain,
    rules: validateEndpointSlice,
    update: validateEndpointSliceUpdate,
  },
  'apiextensions.k8s.io/CustomResourceDefinition': {
    cls: CustomResourceDefinition,
    name: nameIsDNSSubdomain,
    rules: validateCustomResourceDefinition,
    update: validateCustomResourceDefinitionUpdate,
  },
  'rbac.authorization.k8s.io/Role': { cls: Role, name: nameIsPathSegment, rules: validateRole },
  'rbac.authorization.k8s.io/ClusterRole': { cls: ClusterRole, name: nameIsPathSegment, rules: validateClusterRole },
  'rbac.authorization.k8s.io/RoleBinding': { cls: RoleBinding, name: nameIsPathSegment, rules: validateRoleBinding, update: validateBindingUpdate },
  'rbac.authorization.k8s.io/ClusterRoleBinding': {
    cls: ClusterRoleBinding,
    name: nameIsPathSegment,
    rules: validateClusterRoleBinding,
    update: validateBindingUpdate,
  },
  'autoscaling/Scale': { cls: Scale, name: nameIsDNSSubdomain, subresource: true },
};
