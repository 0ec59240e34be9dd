import '../register-paths';
import { EventStore } from '@logbook/event-store';
import { openDatabase } from '../database';

/** Runs an admin task against the same database `npm start` uses. */
export async function withStore<T>(task: (store: EventStore) => Promise<T>): Promise<T> {
  const db = await openDatabase();
  const store = await EventStore.open({ databaseUrl: db.url });
  try {
    return await task(store);
  } finally {
    await store.close();
    await db.close();
  }
}
