import 'reflect-metadata';
// Inside this repository @logbook/* resolve to the compiled libraries in
// dist/; an operator in its own repository gets them as npm packages.
import '../../../apps/logbook/src/register-paths';
import { NestFactory } from '@nestjs/core';
import { WebsiteOperatorModule } from './website-operator.module';

/**
 * Runs the operator against the API server in LOGBOOK_SERVER (default
 * http://127.0.0.1:8080), serving /metrics, /healthz and /readyz on
 * METRICS_PORT (default 8081).
 */
async function main(): Promise<void> {
  const app = await NestFactory.create(WebsiteOperatorModule, { logger: ['log', 'warn', 'error'] });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.METRICS_PORT ?? 8081), '127.0.0.1');
}

void main();
