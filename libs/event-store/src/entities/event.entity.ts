import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { EventType, KubeObject } from '../types';

/**
 * One row per change of any object, never updated (a trigger refuses
 * UPDATE, and DELETE above the retention horizon). `seq` is dense: it comes
 * from the one-row `log_head` counter inside the writing transaction, so
 * commit order equals seq order and a rollback leaves no hole.
 */
@Entity({ name: 'events' })
@Index('events_object_idx', ['group', 'resource', 'namespace', 'name', 'seq'])
@Index('events_uid_idx', ['uid', 'seq'])
@Index('events_namespace_time_idx', ['namespace', 'time'])
@Index('events_actor_time_idx', ['actor', 'time'])
export class EventEntity {
  @PrimaryColumn({ type: 'bigint' })
  seq!: string;

  @Column({ name: 'prev_seq', type: 'bigint', nullable: true })
  prevSeq!: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  time!: Date;

  @Column({ type: 'text' })
  type!: EventType;

  @Column({ name: 'api_group', type: 'text' })
  group!: string;

  @Column({ name: 'api_version', type: 'text' })
  version!: string;

  @Column({ type: 'text' })
  resource!: string;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ type: 'text' })
  namespace!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  uid!: string;

  @Column({ type: 'jsonb' })
  object!: KubeObject;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ name: 'actor_uid', type: 'text', nullable: true })
  actorUid!: string | null;

  @Column({ name: 'actor_groups', type: 'text', array: true, default: () => "'{}'" })
  actorGroups!: string[];

  @Column({ type: 'text' })
  verb!: string;

  @Column({ type: 'text', nullable: true })
  subresource!: string | null;

  @Column({ name: 'field_manager', type: 'text', nullable: true })
  fieldManager!: string | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent!: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ name: 'cause_seq', type: 'bigint', nullable: true })
  causeSeq!: string | null;
}
