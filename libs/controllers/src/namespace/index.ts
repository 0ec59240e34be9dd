export { NamespaceModule } from './namespace.module';
export { NamespaceReconciler, KUBERNETES_FINALIZER } from './namespace.reconciler';
export { deleteAllContent, deletableNamespacedResources } from './namespaced-content';
export type { ContentReport } from './namespaced-content';
export {
  setDeletionConditions,
  NAMESPACE_CONTENT_REMAINING,
  NAMESPACE_DELETION_CONTENT_FAILURE,
  NAMESPACE_DELETION_DISCOVERY_FAILURE,
  NAMESPACE_FINALIZERS_REMAINING,
} from './namespace-conditions';
