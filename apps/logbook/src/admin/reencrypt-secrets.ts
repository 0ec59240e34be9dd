/**
 * `npm run reencrypt-secrets`: seals every Secret payload in `events` and
 * `resources` again with the first key of the encryption key file (the same
 * file the API server reads: LOGBOOK_ENCRYPTION_KEY_FILE, else
 * `<LOGBOOK_DATA_DIR>/encryption-keys`), in batches, while the server runs.
 * Put the new key first in the file and restart the API servers before, and
 * remove the old key (and restart again) after. See docs/security.md.
 *
 *   LOGBOOK_REENCRYPT_BATCH   rows per transaction (default 500)
 */
import '../register-paths';
import { encryptionKeyFile } from '@logbook/apiserver';
import { createDataSource, loadOrCreateKeys, poolOf, reencryptSecrets, runMigrations, SecretCodec } from '@logbook/event-store';
import { openDatabase } from '../database';

async function main(): Promise<void> {
  const keyFile = encryptionKeyFile();
  const keys = loadOrCreateKeys(keyFile);
  const codec = new SecretCodec(keys);
  const batchSize = Number(process.env.LOGBOOK_REENCRYPT_BATCH ?? 500);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`LOGBOOK_REENCRYPT_BATCH must be a positive integer, not ${process.env.LOGBOOK_REENCRYPT_BATCH}`);
  const db = await openDatabase();
  const ds = createDataSource({ databaseUrl: db.url, poolSize: 2 });
  await ds.initialize();
  try {
    // The trigger that lets a re-encryption through comes with a migration.
    await runMigrations(ds);
    console.log(`sealing Secrets with key "${codec.primaryKeyId}" of ${keyFile} (${keys.length} keys known)`);
    const done = await reencryptSecrets(poolOf(ds), codec, {
      batchSize,
      onBatch: (p) => console.log(`  ${p.events} events, ${p.resources} current objects so far`),
    });
    console.log(`re-encrypted ${done.events} events and ${done.resources} current objects; nothing is sealed with another key now`);
  } finally {
    await ds.destroy();
    await db.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
