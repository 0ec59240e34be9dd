import { Module } from '@nestjs/common';
import { ClusterRoleAggregationReconciler } from './clusterrole-aggregation.reconciler';

/** The ClusterRole aggregation controller (needs `LogbookSdkModule.forRoot` in the application). */
@Module({ providers: [ClusterRoleAggregationReconciler] })
export class ClusterRoleAggregationModule {}
