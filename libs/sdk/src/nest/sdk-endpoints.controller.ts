import { Controller, Get, Header, Res } from '@nestjs/common';
import { ControllerManager, HealthReport } from '../manager';

/** What both Express and Fastify responses offer. */
interface StatusSetter {
  status(code: number): unknown;
}

function render(name: string, report: HealthReport, res: StatusSetter): string {
  if (report.ok) return 'ok';
  res.status(500);
  const lines = Object.entries(report.checks).map(([check, failure]) => (failure ? `[-]${check} failed: ${failure}` : `[+]${check} ok`));
  return `${lines.join('\n')}\n${name} check failed\n`;
}

/**
 * `/metrics` (Prometheus text), `/healthz` and `/readyz` (Kubernetes-style:
 * `ok`, or 500 with one line per check) of the SDK's manager.
 */
@Controller()
export class SdkEndpointsController {
  constructor(private readonly manager: ControllerManager) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async metrics(): Promise<string> {
    return (await this.manager.metrics.render()).body;
  }

  @Get('healthz')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  healthz(@Res({ passthrough: true }) res: StatusSetter): string {
    return render('healthz', this.manager.healthz(), res);
  }

  @Get('readyz')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  readyz(@Res({ passthrough: true }) res: StatusSetter): string {
    return render('readyz', this.manager.readyz(), res);
  }
}
