import { randomBytes } from 'crypto';
import { Client } from 'pg';

/**
 * A fresh, empty database on the test Postgres (started by the jest global
 * setup, or named by LOGBOOK_TEST_DATABASE_URL), dropped by `drop()`.
 */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export function testServerUrl(): string {
  const url = process.env.LOGBOOK_TEST_DATABASE_URL;
  if (!url) throw new Error('LOGBOOK_TEST_DATABASE_URL is not set: run tests through jest (its global setup starts Postgres)');
  return url;
}

export async function createTestDatabase(prefix = 'logbook_test'): Promise<TestDatabase> {
  const admin = new URL(testServerUrl());
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: admin.toString() });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
