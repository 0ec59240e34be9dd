import { DynamicModule, Module } from '@nestjs/common';
import { EventStoreModule } from '@logbook/event-store';
import { ApiServerModule, eventStoreOptions } from '@logbook/apiserver';

export interface LogbookOptions {
  databaseUrl: string;
}

/** The all-in-one control plane: every component in one process. */
@Module({})
export class LogbookModule {
  static forRoot(opts: LogbookOptions): DynamicModule {
    return {
      module: LogbookModule,
      imports: [EventStoreModule.forRoot(eventStoreOptions(opts.databaseUrl)), ApiServerModule],
    };
  }
}
