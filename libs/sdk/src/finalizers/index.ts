export { addFinalizer, hasFinalizer, patchFinalizers, reconcileWithFinalizer, removeFinalizer } from './finalizers';
export type { FinalizerHandlers } from './finalizers';
