export { NodeLifecycleModule } from './node-lifecycle.module';
export { NodeLifecycleReconciler, NODE_LEASE_NAMESPACE, NODE_LIFECYCLE_OPTIONS } from './node-lifecycle.reconciler';
export type { NodeLifecycleOptions } from './node-lifecycle.reconciler';
export {
  TAINT_DISK_PRESSURE,
  TAINT_MEMORY_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
  TAINT_NOT_READY,
  TAINT_PID_PRESSURE,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
} from './taints';
export { DEFAULT_TOLERATION_SECONDS, effectiveTolerations, evictionDecision, toleratesTaint } from './taint-eviction';
