import { Logger } from '@nestjs/common';

/** What the SDK logs through: Nest's `Logger` fits, and so does any LoggerService. */
export interface SdkLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

export function defaultLogger(context: string): SdkLogger {
  return new Logger(context);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
