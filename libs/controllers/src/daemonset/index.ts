/**
 * The DaemonSet controller: one pod per fitting node, rolling updates with
 * ControllerRevisions (see daemonset-sync.ts, daemonset-plan.ts, node-fit.ts).
 */
export { DaemonSetModule } from './daemonset.module';
export { DaemonSetReconciler } from './daemonset.reconciler';
export { DaemonSetSync, DAEMONSET_CONTROLLER_OPTIONS } from './daemonset-sync';
export type { DaemonSetControllerOptions } from './daemonset-sync';
export { nodeShouldRunDaemonPod, daemonTolerations, affinityForNode } from './node-fit';
export type { NodeFit } from './node-fit';
