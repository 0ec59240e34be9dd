export { NodeLifecycleModule } from './node-lifecycle.module';
export { NodeLifecycleReconciler, NODE_LEASE_NAMESPACE, NODE_LIFECYCLE_OPTIONS } from './node-lifecycle.reconciler';
export type { NodeLifecycleOptions } from './node-lifecycle.reconciler';
export { DEFAULT_TOLERATION_SECONDS, effectiveTolerations, evictionDecision, toleratesTaint } from './taint-eviction';
