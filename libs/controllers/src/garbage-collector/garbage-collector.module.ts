import { Injectable, Module, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ControllerManager } from '@logbook/sdk';
import { runWhileLeading } from '../shared';
import { GarbageCollector } from './garbage-collector';

/** Runs the garbage collector on the manager's client and informers, while the manager leads. */
@Injectable()
export class GarbageCollectorRunner implements OnApplicationBootstrap, OnModuleDestroy {
  readonly collector: GarbageCollector;
  private unfollow?: () => Promise<void>;

  constructor(private readonly manager: ControllerManager) {
    this.collector = new GarbageCollector(manager.client, manager.informers);
  }

  onApplicationBootstrap(): void {
    this.unfollow = runWhileLeading(this.manager, this.collector);
  }

  async onModuleDestroy(): Promise<void> {
    await this.unfollow?.();
  }
}

/** The garbage collector (needs `LogbookSdkModule.forRoot` in the application). */
@Module({ providers: [GarbageCollectorRunner], exports: [GarbageCollectorRunner] })
export class GarbageCollectorModule {}
