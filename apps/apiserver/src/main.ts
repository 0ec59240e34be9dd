import 'reflect-metadata';
import '../../logbook/src/register-paths';
import { Module } from '@nestjs/common';
import { EventStoreModule } from '@logbook/event-store';
import { ApiServerModule } from './apiserver.module';
import { eventStoreOptions } from './event-store-options';
import { serve } from './serve';

/**
 * One API server replica over a shared Postgres (DATABASE_URL is required).
 * Several can run against one database: each tails the log itself.
 */
async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error('DATABASE_URL is required (npm start runs the all-in-one with an embedded Postgres)');
    process.exit(2);
  }
  @Module({ imports: [EventStoreModule.forRoot(eventStoreOptions(databaseUrl)), ApiServerModule] })
  class ApiServerApp {}
  await serve({ module: ApiServerApp }, { name: 'ApiServer' });
}

void main();
