/**
 * The Job controller: pods run to completion (see job-sync.ts, and
 * job-tracking.ts for how each finished pod is counted exactly once).
 */
export { JobModule } from './job.module';
export { JobReconciler } from './job.reconciler';
export { JobSync, JOB_CONTROLLER_OPTIONS, JOB_CONTROLLER_NAME } from './job-sync';
export type { JobControllerOptions } from './job-sync';
export { JOB_TRACKING_FINALIZER } from './job-tracking';
