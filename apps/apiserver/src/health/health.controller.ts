import { Controller, Get, Header, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { EVENT_STORE, EventStore } from '@logbook/event-store';
import { versionInfo } from '../version';

/**
 * /livez: the process is up. /readyz: it can serve (Postgres answers and
 * the tail follows the log). /healthz: the older name for readiness.
 */
@Controller()
export class HealthController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get('livez')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  livez(): string {
    return 'ok';
  }

  @Get(['readyz', 'healthz'])
  @Header('Content-Type', 'text/plain; charset=utf-8')
  async readyz(): Promise<string> {
    try {
      await this.store.log.head();
    } catch (err) {
      throw new HttpException(`[-]postgres failed: ${(err as Error).message}\nreadyz check failed`, HttpStatus.SERVICE_UNAVAILABLE);
    }
    return 'ok';
  }

  @Get('version')
  version() {
    return versionInfo();
  }
}
