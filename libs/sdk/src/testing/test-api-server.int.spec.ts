import { kinds } from '../client';
import { startTestApiServer } from '.';

describe('startTestApiServer', () => {
  it('starts its own embedded Postgres when no test database server is given', async () => {
    const given = process.env.LOGBOOK_TEST_DATABASE_URL;
    delete process.env.LOGBOOK_TEST_DATABASE_URL;
    try {
      const server = await startTestApiServer();
      try {
        expect(server.databaseUrl).not.toContain(new URL(given ?? 'postgres://x:1/').port);
        const created = await server.client.create(kinds.ConfigMap, { metadata: { name: 'standalone', namespace: 'default' } });
        expect(created.metadata?.uid).toBeTruthy();
      } finally {
        await server.stop();
      }
    } finally {
      process.env.LOGBOOK_TEST_DATABASE_URL = given;
    }
  }, 120_000);
});
