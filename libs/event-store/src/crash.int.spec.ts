import { spawn } from 'child_process';
import * as path from 'path';
import * as readline from 'readline';
import { EventStore } from './event-store';
import { createTestDatabase, TestDatabase } from './testing';

describe('crash safety', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase()));
  afterAll(async () => db.drop());

  it('loses no acknowledged append when the writer is killed with SIGKILL mid-write', async () => {
    // Migrate first: the child uses a bare EventLog.
    const setup = await EventStore.open({ databaseUrl: db.url });
    await setup.close();

    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'testing/fixtures/crash-writer.ts')],
      { env: { ...process.env, DATABASE_URL: db.url, TS_NODE_TRANSPILE_ONLY: '1' }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const acks = new Map<string, number>();
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      const lines = readline.createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        const [word, seq, name] = line.split(' ');
        if (word !== 'ack') return;
        acks.set(name, Number(seq));
        if (acks.size === 1500) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => reject(new Error('writer exited before it was killed')));
    });
    expect(await exited).toBe('SIGKILL');

    const store = await EventStore.open({ databaseUrl: db.url });
    try {
      const events = await store.log.history({ namespace: 'crash', limit: 1_000_000 });
      const bySeq = new Map(events.map((e) => [e.seq, e.name]));
      for (const [name, seq] of acks) expect(bySeq.get(seq)).toBe(name);
      // The log is dense and the projection matches it after the crash.
      const head = await store.log.head();
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: head.seq }, (_, i) => i + 1));
      const before = await store.projection.checksum();
      await store.projection.rebuild();
      expect(await store.projection.checksum()).toEqual(before);
      expect(before.rows).toBe(events.length);
    } finally {
      await store.close();
    }
  });
});
