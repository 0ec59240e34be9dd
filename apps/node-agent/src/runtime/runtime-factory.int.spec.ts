import type { Service } from '@logbook/api';
import { kinds } from '@logbook/sdk';
import { startTestApiServer, TestApiServer } from '@logbook/sdk/testing';
import { configSourceOf } from './runtime-factory';

const service = (name: string): Service => ({ metadata: { name, namespace: 'default' }, spec: { ports: [{ port: 80 }] } });

describe('configSourceOf against a real apiserver', () => {
  let server: TestApiServer;
  beforeAll(async () => {
    server = await startTestApiServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('lists Services once for the containers that ask while a list is under way, and afresh after it', async () => {
    await server.client.create(kinds.Service, service('first'));
    const source = configSourceOf(server.client);
    const lists = await Promise.all(Array.from({ length: 20 }, () => source.services!()));
    // One LIST answered all twenty: they hold the very same array.
    for (const l of lists) expect(l).toBe(lists[0]);
    expect(lists[0].map((s) => s.metadata?.name)).toContain('first');

    await server.client.create(kinds.Service, service('second'));
    const after = await source.services!();
    expect(after).not.toBe(lists[0]);
    expect(after.map((s) => s.metadata?.name)).toEqual(expect.arrayContaining(['first', 'second']));
  });
});
