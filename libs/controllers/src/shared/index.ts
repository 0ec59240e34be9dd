/**
 * Helpers the built-in controllers share, after Kubernetes'
 * pkg/controller/controller_utils.go and pkg/api/v1/pod: pod readiness and
 * availability, which pods to delete first, claiming objects through
 * controller references (adopt / release), expectations, slow-start
 * batches, pods from templates, and running a component only while
 * leading. Pure or built on `@logbook/sdk` only.
 */
export {
  filterActivePods,
  isPodActive,
  isPodAvailable,
  isPodReady,
  isPodTerminal,
  isPodTerminating,
  maxContainerRestarts,
  msUntilAvailable,
  podReadyCondition,
  podReadySince,
} from './pod-conditions';
export { compareForDeletion, podDeletionCost, podsToDelete, POD_DELETION_COST_ANNOTATION } from './active-pods';
export { adoptionPatch, claimObjects, controllerRefFor, recheckOwner, releasePatch } from './controller-ref';
export type { ClaimOptions } from './controller-ref';
export { ControllerExpectations } from './expectations';
export { slowStartBatch, SLOW_START_INITIAL_BATCH_SIZE } from './slow-start-batch';
export type { SlowStartResult } from './slow-start-batch';
export { podFromTemplate, podNamePrefix } from './pod-template';
export { runWhileLeading } from './leader-gated';
export type { LeaderGatedRunnable } from './leader-gated';
