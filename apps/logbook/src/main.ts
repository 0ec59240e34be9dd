import 'reflect-metadata';
import './register-paths';
import { serve } from '@logbook/apiserver';
import { openDatabase } from './database';
import { LogbookModule } from './logbook.module';

/**
 * `npm start`: the whole control plane in one process, on
 * http://127.0.0.1:8080 (PORT, LOGBOOK_BIND_ADDRESS), over DATABASE_URL or an
 * embedded Postgres under .logbook/ (LOGBOOK_DATA_DIR).
 */
async function main(): Promise<void> {
  const db = await openDatabase();
  await serve(LogbookModule.forRoot({ databaseUrl: db.url }), { name: 'Logbook', afterClose: () => db.close() });
}

void main();
