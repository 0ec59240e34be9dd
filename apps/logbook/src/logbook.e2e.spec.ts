import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import { postgresProcessesFor, freePort, startCompiled, tempDir, waitForHttp } from '../../../test/e2e/processes';

/**
 * `npm start` as a user runs it: no DATABASE_URL, so an embedded Postgres
 * under LOGBOOK_DATA_DIR; SIGTERM stops everything; a second start finds the
 * data again.
 */
describe('the all-in-one process on embedded Postgres', () => {
  const dataDir = tempDir('logbook-e2e');
  const pgDir = path.join(dataDir, 'postgres');
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const env = async () => ({ LOGBOOK_DATA_DIR: dataDir, PORT: String(await freePort()), DATABASE_URL: '' });

  it('serves health and version, keeps its data across restarts, and leaves no Postgres behind on SIGTERM', async () => {
    const first = await env();
    const proc = startCompiled('apps/logbook/src/main.js', first);
    const base = `http://127.0.0.1:${first.PORT}`;
    await waitForHttp(`${base}/readyz`, 90_000, proc);
    for (const p of ['/healthz', '/livez', '/readyz']) expect(await (await fetch(base + p)).text()).toBe('ok');
    const version = await (await fetch(`${base}/version`)).json();
    expect(version).toMatchObject({ major: '1', minor: '32' });
    expect(postgresProcessesFor(pgDir).length).toBeGreaterThan(0);

    // Write a marker straight into the log's database.
    const port = Number(fs.readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[3]);
    const db = new Client({ connectionString: `postgres://postgres:logbook@127.0.0.1:${port}/logbook` });
    await db.connect();
    const head = await db.query('SELECT seq FROM log_head');
    expect(head.rowCount).toBe(1);
    await db.query(`CREATE TABLE restart_marker (note text)`);
    await db.query(`INSERT INTO restart_marker VALUES ('still here')`);
    await db.end();

    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(postgresProcessesFor(pgDir)).toEqual([]);
    expect(proc.output()).toContain('stopped');

    const second = await env();
    const again = startCompiled('apps/logbook/src/main.js', second);
    await waitForHttp(`http://127.0.0.1:${second.PORT}/readyz`, 90_000, again);
    expect(again.output()).not.toContain('initialising embedded Postgres');
    const port2 = Number(fs.readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[3]);
    const db2 = new Client({ connectionString: `postgres://postgres:logbook@127.0.0.1:${port2}/logbook` });
    await db2.connect();
    expect((await db2.query('SELECT note FROM restart_marker')).rows).toEqual([{ note: 'still here' }]);
    await db2.end();
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
    expect(postgresProcessesFor(pgDir)).toEqual([]);
  });
});
