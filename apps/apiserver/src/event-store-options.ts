import * as path from 'path';
import { EventStoreOptions, SecretCodec, loadOrCreateKeys } from '@logbook/event-store';

/**
 * How an API server process opens the event store: Secrets sealed with the
 * keys in LOGBOOK_ENCRYPTION_KEY_FILE (default `<data dir>/encryption-keys`,
 * created with a fresh key on first start; every replica must share it).
 */
export function eventStoreOptions(databaseUrl: string): EventStoreOptions {
  return { databaseUrl, codec: new SecretCodec(loadOrCreateKeys(encryptionKeyFile())) };
}

/** LOGBOOK_ENCRYPTION_KEY_FILE, else `<LOGBOOK_DATA_DIR or .logbook>/encryption-keys`. */
export function encryptionKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  const dataDir = path.resolve(env.LOGBOOK_DATA_DIR ?? '.logbook');
  return env.LOGBOOK_ENCRYPTION_KEY_FILE ?? path.join(dataDir, 'encryption-keys');
}
