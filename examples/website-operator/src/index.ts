export { WebsiteOperatorModule } from './website-operator.module';
export { WebsiteReconciler } from './website.reconciler';
export { websites, WEBSITE_FINALIZER } from './website';
export type { Website } from './website';
