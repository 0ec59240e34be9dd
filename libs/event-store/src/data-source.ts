import { DataSource } from 'typeorm';
import type { Pool } from 'pg';
import { migrations } from '../../../migrations';
import { EventEntity, LogHeadEntity, ResourceEntity } from './entities';

export interface DataSourceOptions {
  /** postgres://user:password@host:port/database */
  databaseUrl: string;
  /** Connections in the pool (default 16). */
  poolSize?: number;
}

/** A TypeORM DataSource for the event store's schema; not yet initialised. */
export function createDataSource(opts: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: opts.databaseUrl,
    entities: [EventEntity, ResourceEntity, LogHeadEntity],
    migrations,
    migrationsTableName: 'logbook_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    // At least two: migrations hold an advisory lock on one connection while they run on another.
    extra: { max: Math.max(2, opts.poolSize ?? 16), application_name: 'logbook' },
  });
}

/** Applies every pending migration; returns the names applied. */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  // Two processes starting at once on one database must not both migrate.
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(7355608)`);
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(7355608)`).catch(() => undefined);
    await runner.release();
  }
}

/** The node-postgres pool under a TypeORM DataSource (for the hot paths). */
export function poolOf(ds: DataSource): Pool {
  return (ds.driver as unknown as { master: Pool }).master;
}
