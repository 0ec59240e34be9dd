import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Secret key rotation by re-encrypting (`npm run reencrypt-secrets`):
 * `events` stays append-only, with one narrow exception — a transaction that
 * says `SET LOCAL logbook.reencrypt = 'on'` may replace the sealed payload
 * (`object -> 'logbook.io/encrypted'`) of a core/v1 Secret's event with
 * another sealed payload, or seal a payload stored in plaintext (`data`,
 * `stringData`, written before encryption was on), and change nothing else
 * of the row. Every other UPDATE is still refused.
 */
export class SecretReencryption1765200000000 implements MigrationInterface {
  name = 'SecretReencryption1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(appendOnlyFunction(`
          IF current_setting('logbook.reencrypt', true) = 'on'
             AND OLD.api_group = '' AND OLD.resource = 'secrets'
             AND NEW.object ? 'logbook.io/encrypted'
             AND (to_jsonb(NEW) - 'object') = (to_jsonb(OLD) - 'object')
             AND (NEW.object - 'logbook.io/encrypted') = (OLD.object - 'logbook.io/encrypted' - 'data' - 'stringData') THEN
            RETURN NEW;
          END IF;`));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(appendOnlyFunction(''));
  }
}

/** The events_append_only() trigger function, with `allowUpdate` (PL/pgSQL) run before an UPDATE is refused. */
function appendOnlyFunction(allowUpdate: string): string {
  return `
      CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' THEN${allowUpdate}
          RAISE EXCEPTION 'events is append-only: UPDATE of seq % refused', OLD.seq;
        END IF;
        IF OLD.seq > (SELECT horizon FROM log_head WHERE id = 1) THEN
          RAISE EXCEPTION 'events is append-only: seq % is above the retention horizon', OLD.seq;
        END IF;
        RETURN OLD;
      END $$`;
}
