import { Injectable, MiddlewareConsumer, Module, NestMiddleware, NestModule, RequestMethod } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'http';
import { KubeApiHandler } from './api.handler';
import { HealthController } from './health/health.controller';

@Injectable()
class KubeApiMiddleware implements NestMiddleware {
  constructor(private readonly api: KubeApiHandler) {}
  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    this.api.handle(req, res).then(
      (served) => (served ? undefined : next()),
      () => next(),
    );
  }
}

/**
 * The Kubernetes-compatible API over the event store. Expects the
 * EventStoreModule to be imported by the application that hosts it.
 */
@Module({
  controllers: [HealthController],
  providers: [KubeApiHandler, KubeApiMiddleware],
  exports: [KubeApiHandler],
})
export class ApiServerModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(KubeApiMiddleware).forRoutes({ path: '*', method: RequestMethod.ALL });
  }
}
