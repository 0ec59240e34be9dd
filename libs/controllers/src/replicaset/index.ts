export { ReplicaSetModule } from './replica-set.module';
export { ReplicaSetReconciler } from './replica-set.reconciler';
export { ReplicationControllerReconciler } from './replication-controller.reconciler';
export { ReplicaSetSync } from './replica-set-sync';
export { replicaSetKind, replicationControllerKind } from './replica-set-kind';
export type { ReplicaSetKind, ReplicaSetLikeStatus } from './replica-set-kind';
export { calculateStatus, REPLICA_FAILURE } from './replica-set-status';
export { BURST_REPLICAS } from './manage-replicas';
