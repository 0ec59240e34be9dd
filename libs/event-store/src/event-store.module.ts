import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { EventLog } from './event-log';
import { EventStore, EventStoreOptions } from './event-store';
import { WatchCache } from './watch-cache';

export const EVENT_STORE = Symbol('EVENT_STORE');

export type EventStoreModuleOptions = EventStoreOptions;

@Injectable()
class EventStoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/**
 * Provides the process's one EventStore (and its EventLog and WatchCache as
 * their own tokens). Opening it applies pending migrations and starts the
 * tail; application shutdown closes it.
 */
@Module({})
export class EventStoreModule {
  static forRoot(opts: EventStoreModuleOptions | { useFactory: () => Promise<EventStoreModuleOptions> | EventStoreModuleOptions }): DynamicModule {
    const factory = 'useFactory' in opts ? opts.useFactory : () => opts;
    return {
      module: EventStoreModule,
      global: true,
      providers: [
        { provide: EVENT_STORE, useFactory: async () => EventStore.open(await factory()) },
        { provide: EventLog, useFactory: (s: EventStore) => s.log, inject: [EVENT_STORE] },
        { provide: WatchCache, useFactory: (s: EventStore) => s.watchCache, inject: [EVENT_STORE] },
        EventStoreLifecycle,
      ],
      exports: [EVENT_STORE, EventLog, WatchCache],
    };
  }
}
