import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ControllerManager } from '../manager';
import { LogbookSdkModuleOptions, SDK_MODULE_OPTIONS } from './module-options';

/** Starts the manager once every provider (every reconciler) exists; stops it first on shutdown. */
@Injectable()
export class SdkLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly manager: ControllerManager,
    @Inject(SDK_MODULE_OPTIONS) private readonly options: LogbookSdkModuleOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.autoStart !== false) await this.manager.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.manager.stop();
  }
}
