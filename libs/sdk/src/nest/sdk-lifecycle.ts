import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { untilApiServerAnswers } from '../client/api-server-reachable';
import { ControllerManager } from '../manager';
import { LogbookSdkModuleOptions, SDK_MODULE_OPTIONS } from './module-options';

/**
 * Starts the manager once every provider (every reconciler) exists — at
 * bootstrap, or with `autoStart: 'whenServerAnswers'` in the background once
 * the API server answers — and stops it first on shutdown.
 */
@Injectable()
export class SdkLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly abort = new AbortController();
  private readonly log = new Logger('ControllerManager');
  private starting?: Promise<void>;

  constructor(
    private readonly manager: ControllerManager,
    @Inject(SDK_MODULE_OPTIONS) private readonly options: LogbookSdkModuleOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const mode = this.options.autoStart ?? true;
    if (mode === true) await this.manager.start();
    if (mode !== 'whenServerAnswers') return;
    this.starting = untilApiServerAnswers(this.manager.client, this.abort.signal)
      .then(
        async () => {
          if (this.abort.signal.aborted) return;
          await this.manager.start();
          this.log.log(`started as ${this.manager.identity} against ${this.manager.client.server}`);
        },
        () => undefined, // aborted: shutting down before the API server answered
      )
      .catch((err: unknown) => this.log.error(`start-up failed: ${(err as Error).message}`));
  }

  /**
   * Stops the manager, after a background start-up in progress: a shutdown
   * that begins between the probe and start() must not leave controllers
   * (and their leader election) running once the rest has stopped.
   */
  async onModuleDestroy(): Promise<void> {
    this.abort.abort();
    await this.starting;
    await this.manager.stop();
  }
}
