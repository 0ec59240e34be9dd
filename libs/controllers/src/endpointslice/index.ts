export { EndpointSliceModule } from './endpointslice.module';
export * from './endpointslice.reconciler';
