export { StatefulSetModule } from './statefulset.module';
export { StatefulSetReconciler, controllerRevisions } from './statefulset.reconciler';
export {
  POD_INDEX_LABEL,
  POD_NAME_LABEL,
  REVISION_LABEL,
  claimName,
  claimsFor,
  identityMatches,
  isMemberOf,
  newStatefulSetPod,
  ordinalOf,
  parseOrdinalName,
  podName,
  storageMatches,
} from './identity';
export { REVISION_HASH_LABEL, applyRevision, hashRevision, newRevision, revisionData } from './revisions';
export { claimOwnerReferences } from './claim-retention';
