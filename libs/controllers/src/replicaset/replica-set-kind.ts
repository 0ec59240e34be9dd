import type { PodTemplateSpec, ReplicaSet, ReplicaSetStatus, ReplicationController } from '@logbook/api';
import { LabelSelector, labelSelectorFromSpec } from '@logbook/machinery';
import { kinds, KubeObject, ResourceKind } from '@logbook/sdk';

/** What a ReplicaSet and a ReplicationController have in common: status has the same shape. */
export type ReplicaSetLikeStatus = ReplicaSetStatus;

/**
 * How the shared ReplicaSet logic reads one kind of replica set (Kubernetes
 * converts ReplicationControllers to ReplicaSets for the same purpose). A
 * ReplicationController differs only in its selector: a plain map.
 */
export interface ReplicaSetKind<T extends KubeObject> {
  readonly kind: ResourceKind<T>;
  /** The controller's name: its field manager and its events' source component. */
  readonly controllerName: string;
  /** Throws (LabelSelectorError) for a selector that cannot work. */
  selector(obj: T): LabelSelector;
  replicas(obj: T): number;
  minReadySeconds(obj: T): number;
  template(obj: T): PodTemplateSpec | undefined;
  status(obj: T): ReplicaSetLikeStatus | undefined;
}

export const replicaSetKind: ReplicaSetKind<ReplicaSet> = {
  kind: kinds.ReplicaSet,
  controllerName: 'replicaset-controller',
  selector: (rs) => labelSelectorFromSpec(rs.spec?.selector),
  replicas: (rs) => rs.spec?.replicas ?? 1,
  minReadySeconds: (rs) => rs.spec?.minReadySeconds ?? 0,
  template: (rs) => rs.spec?.template,
  status: (rs) => rs.status,
};

export const replicationControllerKind: ReplicaSetKind<ReplicationController> = {
  kind: kinds.ReplicationController,
  controllerName: 'replication-controller',
  // An RC without a selector selects by its template's labels (as its defaulting does).
  selector: (rc) => {
    const set = rc.spec?.selector && Object.keys(rc.spec.selector).length ? rc.spec.selector : rc.spec?.template?.metadata?.labels;
    return set && Object.keys(set).length ? LabelSelector.fromSet(set) : LabelSelector.nothing();
  },
  replicas: (rc) => rc.spec?.replicas ?? 1,
  minReadySeconds: (rc) => rc.spec?.minReadySeconds ?? 0,
  template: (rc) => rc.spec?.template,
  status: (rc) => rc.status as ReplicaSetLikeStatus | undefined,
};
