import { Module } from '@nestjs/common';
import { HealthController } from './health/health.controller';

/**
 * The Kubernetes-compatible API over the event store. Expects the
 * EventStoreModule to be imported by the application that hosts it.
 */
@Module({
  controllers: [HealthController],
})
export class ApiServerModule {}
