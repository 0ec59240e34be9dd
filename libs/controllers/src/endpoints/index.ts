export { EndpointsModule } from './endpoints.module';
export { EndpointsReconciler, ENDPOINTS_CONTROLLER, HEADLESS_LABEL, endpointsLabels, servicesOfPod, SERVICE_ENDPOINT_WATCHES } from './endpoints.reconciler';
export * from './service-pods';
