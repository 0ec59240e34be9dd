import type { ModuleMetadata } from '@nestjs/common';
import type { ManagerOptions } from '../manager';

export interface LogbookSdkModuleOptions extends ManagerOptions {
  /**
   * When to start the manager (informers, leader election, controllers):
   * `true` (default) when the application bootstraps; `'whenServerAnswers'`
   * in the background once the API server answers — for a manager started
   * beside its API server (it then does not begin with failed lists and
   * back-off); `false` never (the application calls `start()`).
   */
  autoStart?: boolean | 'whenServerAnswers';
}

export interface LogbookSdkModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: any[]) => LogbookSdkModuleOptions | Promise<LogbookSdkModuleOptions>; // eslint-disable-line @typescript-eslint/no-explicit-any
  inject?: any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Serve /metrics, /healthz and /readyz (default true); decided up front, as Nest routes are. */
  endpoints?: boolean;
}

export const SDK_MODULE_OPTIONS = Symbol.for('logbook.sdk.options');
