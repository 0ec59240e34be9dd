import type {
  ConfigMap,
  CronJob,
  CustomResourceDefinition,
  DaemonSet,
  Deployment,
  Endpoints,
  Event,
  Ingress,
  Job,
  Lease,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  ReplicaSet,
  ReplicationController,
  Secret,
  Service,
  ServiceAccount,
  StatefulSet,
} from '@logbook/api';
import { kindOf } from './resource-kind';

/**
 * Typed descriptors of the built-in kinds controllers use most, read from
 * `@logbook/api`'s scheme. Any other built-in: `kindOf(apiVersion, kind)`.
 */
export const kinds = Object.freeze({
  Pod: kindOf<Pod>('v1', 'Pod'),
  Service: kindOf<Service>('v1', 'Service'),
  Endpoints: kindOf<Endpoints>('v1', 'Endpoints'),
  ConfigMap: kindOf<ConfigMap>('v1', 'ConfigMap'),
  Secret: kindOf<Secret>('v1', 'Secret'),
  ServiceAccount: kindOf<ServiceAccount>('v1', 'ServiceAccount'),
  Namespace: kindOf<Namespace>('v1', 'Namespace'),
  Node: kindOf<Node>('v1', 'Node'),
  Event: kindOf<Event>('v1', 'Event'),
  PersistentVolume: kindOf<PersistentVolume>('v1', 'PersistentVolume'),
  PersistentVolumeClaim: kindOf<PersistentVolumeClaim>('v1', 'PersistentVolumeClaim'),
  ReplicationController: kindOf<ReplicationController>('v1', 'ReplicationController'),
  Deployment: kindOf<Deployment>('apps/v1', 'Deployment'),
  ReplicaSet: kindOf<ReplicaSet>('apps/v1', 'ReplicaSet'),
  StatefulSet: kindOf<StatefulSet>('apps/v1', 'StatefulSet'),
  DaemonSet: kindOf<DaemonSet>('apps/v1', 'DaemonSet'),
  Job: kindOf<Job>('batch/v1', 'Job'),
  CronJob: kindOf<CronJob>('batch/v1', 'CronJob'),
  Ingress: kindOf<Ingress>('networking.k8s.io/v1', 'Ingress'),
  Lease: kindOf<Lease>('coordination.k8s.io/v1', 'Lease'),
  CustomResourceDefinition: kindOf<CustomResourceDefinition>('apiextensions.k8s.io/v1', 'CustomResourceDefinition'),
});
