import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { KubeObject } from '../types';

/**
 * The projection: the current state of every live object. A cache of
 * `events`, written in the same transaction; `rebuild` recreates it from the
 * log byte for byte.
 */
@Entity({ name: 'resources' })
@Index('resources_uid_idx', ['uid'])
export class ResourceEntity {
  @PrimaryColumn({ name: 'api_group', type: 'text' })
  group!: string;

  @PrimaryColumn({ type: 'text' })
  resource!: string;

  @PrimaryColumn({ type: 'text' })
  namespace!: string;

  @PrimaryColumn({ type: 'text' })
  name!: string;

  @Column({ name: 'api_version', type: 'text' })
  version!: string;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ type: 'text' })
  uid!: string;

  @Column({ name: 'resource_version', type: 'bigint' })
  resourceVersion!: string;

  @Column({ type: 'jsonb' })
  object!: KubeObject;
}
