/** `npm run migrate`: applies pending migrations (start-up does this too). */
import '../register-paths';
import { createDataSource, runMigrations } from '@logbook/event-store';
import { openDatabase } from '../database';

async function main(): Promise<void> {
  const db = await openDatabase();
  const ds = createDataSource({ databaseUrl: db.url, poolSize: 2 });
  await ds.initialize();
  try {
    const applied = await runMigrations(ds);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the schema is up to date');
  } finally {
    await ds.destroy();
    await db.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
