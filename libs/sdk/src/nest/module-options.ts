import type { ModuleMetadata } from '@nestjs/common';
import type { ManagerOptions } from '../manager';

export interface LogbookSdkModuleOptions extends ManagerOptions {
  /** Start the manager (informers, leader election, controllers) when the application bootstraps. Default true. */
  autoStart?: boolean;
}

export interface LogbookSdkModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: any[]) => LogbookSdkModuleOptions | Promise<LogbookSdkModuleOptions>; // eslint-disable-line @typescript-eslint/no-explicit-any
  inject?: any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Serve /metrics, /healthz and /readyz (default true); decided up front, as Nest routes are. */
  endpoints?: boolean;
}

export const SDK_MODULE_OPTIONS = Symbol.for('logbook.sdk.options');
