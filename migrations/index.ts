/**
 * Every schema change, in order. The schema changes only through these;
 * they run at start-up and with `npm run migrate`.
 */
import { EventLog1764374400000 } from './1764374400000-event-log';
import { History1764979200000 } from './1764979200000-history';
import { DeniedRequests1765100000000 } from './1765100000000-denied-requests';
import { SecretReencryption1765200000000 } from './1765200000000-secret-reencryption';

export const migrations = [EventLog1764374400000, History1764979200000, DeniedRequests1765100000000, SecretReencryption1765200000000];
