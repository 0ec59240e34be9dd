import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row: the last seq handed out and the retention horizon (events at or
 * below `horizon` may have been compacted away). Every append batch takes
 * this row's lock as the last write before COMMIT, which is what makes
 * commit order equal seq order.
 */
@Entity({ name: 'log_head' })
export class LogHeadEntity {
  @PrimaryColumn({ type: 'smallint' })
  id!: number;

  @Column({ type: 'bigint' })
  seq!: string;

  @Column({ type: 'bigint', default: 0 })
  horizon!: string;
}
