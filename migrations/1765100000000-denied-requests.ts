import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `denied_requests`: requests the API server refused before doing anything
 * (401 Unauthorized, 403 Forbidden), with who sent them, so that the audit
 * export can show them beside the changes. They are not events of the log:
 * nothing changed.
 */
export class DeniedRequests1765100000000 implements MigrationInterface {
  name = 'DeniedRequests1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE denied_requests (
        id bigserial PRIMARY KEY,
        time timestamptz NOT NULL DEFAULT now(),
        audit_id text NOT NULL,
        username text NOT NULL,
        namespace text NOT NULL DEFAULT '',
        event jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX denied_requests_time_idx ON denied_requests (time)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE denied_requests`);
  }
}
