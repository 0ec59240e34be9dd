/**
 * Every schema change, in order. The schema changes only through these;
 * they run at start-up and with `npm run migrate`.
 */
import { EventLog1764374400000 } from './1764374400000-event-log';

export const migrations = [EventLog1764374400000];
