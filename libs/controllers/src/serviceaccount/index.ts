export { ServiceAccountModule } from './serviceaccount.module';
export { DEFAULT_SERVICE_ACCOUNT, ROOT_CA_CONFIGMAP, SERVICE_ACCOUNT_CONTROLLER, ServiceAccountReconciler } from './serviceaccount.reconciler';
