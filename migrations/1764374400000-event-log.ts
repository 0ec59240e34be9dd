import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event log, its projection and the seq counter.
 *
 * `events` is append-only: a trigger refuses UPDATE, and DELETE of anything
 * above the retention horizon, so the log cannot be rewritten by accident.
 */
export class EventLog1764374400000 implements MigrationInterface {
  name = 'EventLog1764374400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE log_head (
        id smallint PRIMARY KEY CHECK (id = 1),
        seq bigint NOT NULL,
        horizon bigint NOT NULL DEFAULT 0
      )`);
    await q.query(`INSERT INTO log_head (id, seq, horizon) VALUES (1, 0, 0)`);
    await q.query(`
      CREATE TABLE events (
        seq bigint PRIMARY KEY,
        prev_seq bigint,
        time timestamptz NOT NULL DEFAULT now(),
        type text NOT NULL CHECK (type IN ('ADDED', 'MODIFIED', 'DELETED')),
        api_group text NOT NULL,
        api_version text NOT NULL,
        resource text NOT NULL,
        kind text NOT NULL,
        namespace text NOT NULL,
        name text NOT NULL,
        uid text NOT NULL,
        object jsonb NOT NULL,
        actor text NOT NULL,
        actor_uid text,
        actor_groups text[] NOT NULL DEFAULT '{}',
        verb text NOT NULL,
        subresource text,
        field_manager text,
        user_agent text,
        request_id text,
        cause_seq bigint
      )`);
    await q.query(`CREATE INDEX events_object_idx ON events (api_group, resource, namespace, name, seq)`);
    await q.query(`CREATE INDEX events_uid_idx ON events (uid, seq)`);
    await q.query(`CREATE INDEX events_namespace_time_idx ON events (namespace, time)`);
    await q.query(`CREATE INDEX events_actor_time_idx ON events (actor, time)`);
    await q.query(`CREATE INDEX events_cause_idx ON events (cause_seq) WHERE cause_seq IS NOT NULL`);
    await q.query(`CREATE INDEX events_time_brin ON events USING brin (time)`);
    await q.query(`
      CREATE TABLE resources (
        api_group text NOT NULL,
        resource text NOT NULL,
        namespace text NOT NULL,
        name text NOT NULL,
        api_version text NOT NULL,
        kind text NOT NULL,
        uid text NOT NULL,
        resource_version bigint NOT NULL,
        object jsonb NOT NULL,
        PRIMARY KEY (api_group, resource, namespace, name)
      )`);
    await q.query(`CREATE INDEX resources_uid_idx ON resources (uid)`);
    await q.query(`
      CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          RAISE EXCEPTION 'events is append-only: UPDATE of seq % refused', OLD.seq;
        END IF;
        IF OLD.seq > (SELECT horizon FROM log_head WHERE id = 1) THEN
          RAISE EXCEPTION 'events is append-only: seq % is above the retention horizon', OLD.seq;
        END IF;
        RETURN OLD;
      END $$`);
    await q.query(`
      CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION events_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE resources`);
    await q.query(`DROP TABLE events`);
    await q.query(`DROP FUNCTION events_append_only()`);
    await q.query(`DROP TABLE log_head`);
  }
}
