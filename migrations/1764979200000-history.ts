import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What history queries and retention need beyond the event log itself:
 *
 * - `events_owner_refs_idx`: events by the uids in the object's
 *   ownerReferences (`@>` containment), for the replay timeline (an object
 *   and everything it owns) and for explain (a controller's write that sent
 *   no cause is attributed to its owner's latest change);
 * - `events_kind_idx`: history by kind and name without a group/resource;
 * - `compactions`: one summary row per compaction, so that what retention
 *   removed is still accounted for (counts by kind and actor, seq and time
 *   ranges), and the time of the horizon for `since` checks.
 */
export class History1764979200000 implements MigrationInterface {
  name = 'History1764979200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX events_owner_refs_idx ON events USING gin ((object -> 'metadata' -> 'ownerReferences') jsonb_path_ops)`);
    await q.query(`CREATE INDEX events_kind_idx ON events (kind, namespace, name, seq)`);
    await q.query(`
      CREATE TABLE compactions (
        id bigserial PRIMARY KEY,
        compacted_at timestamptz NOT NULL DEFAULT now(),
        previous_horizon bigint NOT NULL,
        horizon bigint NOT NULL,
        horizon_time timestamptz,
        deleted_events bigint NOT NULL,
        kept_events bigint NOT NULL,
        first_seq bigint,
        last_seq bigint,
        first_time timestamptz,
        last_time timestamptz,
        by_kind jsonb NOT NULL DEFAULT '{}',
        by_actor jsonb NOT NULL DEFAULT '{}',
        policy jsonb NOT NULL DEFAULT '{}'
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE compactions`);
    await q.query(`DROP INDEX events_kind_idx`);
    await q.query(`DROP INDEX events_owner_refs_idx`);
  }
}
