export { ClusterRoleAggregationModule } from './clusterrole-aggregation.module';
export { ClusterRoleAggregationReconciler, aggregateRules, clusterRoles } from './clusterrole-aggregation.reconciler';
