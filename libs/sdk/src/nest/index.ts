export { LogbookSdkModule } from './logbook-sdk.module';
export type { LogbookSdkModuleAsyncOptions, LogbookSdkModuleOptions } from './module-options';
export { SDK_MODULE_OPTIONS } from './module-options';
export { SdkEndpointsController } from './sdk-endpoints.controller';
