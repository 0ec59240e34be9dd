/**
 * The Deployment controller: ReplicaSets named by pod-template hash,
 * RollingUpdate and Recreate, revisions and rollbacks, pause, progress
 * deadlines. See README.md.
 */
export { DeploymentControllerModule } from './deployment.module';
export { DeploymentReconciler, deploymentOfPod, deploymentsForOrphanReplicaSet } from './deployment.reconciler';
export { computePodTemplateHash } from './pod-template-hash';
export {
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  CHANGE_CAUSE_ANNOTATION,
} from './revisions';
export { Reasons as DeploymentConditionReasons } from './conditions';
