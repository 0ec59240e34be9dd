import { Module } from '@nestjs/common';
import { ReplicaSetReconciler } from './replica-set.reconciler';
import { ReplicationControllerReconciler } from './replication-controller.reconciler';

/** The ReplicaSet and ReplicationController controllers (needs `LogbookSdkModule.forRoot` in the application). */
@Module({ providers: [ReplicaSetReconciler, ReplicationControllerReconciler] })
export class ReplicaSetModule {}
