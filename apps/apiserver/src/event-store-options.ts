import * as path from 'path';
import { EventStoreOptions, SecretCodec, loadOrCreateKeys } from '@logbook/event-store';

/**
 * How an API server process opens the event store: Secrets sealed with the
 * keys in LOGBOOK_ENCRYPTION_KEY_FILE (default `<data dir>/encryption-keys`,
 * created with a fresh key on first start; every replica must share it).
 */
export function eventStoreOptions(databaseUrl: string): EventStoreOptions {
  const dataDir = path.resolve(process.env.LOGBOOK_DATA_DIR ?? '.logbook');
  const keyFile = process.env.LOGBOOK_ENCRYPTION_KEY_FILE ?? path.join(dataDir, 'encryption-keys');
  return { databaseUrl, codec: new SecretCodec(loadOrCreateKeys(keyFile)) };
}
