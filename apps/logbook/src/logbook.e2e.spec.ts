import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import { Client } from 'pg';
import { postgresProcessesFor, freePort, startCompiled, tempDir, waitFor } from '../../../test/e2e/processes';

/** GET over TLS trusting `ca`: status and body (rejects when the connection fails). */
function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/**
 * `npm start` as a user runs it: no DATABASE_URL, so an embedded Postgres
 * under LOGBOOK_DATA_DIR, TLS on PORT with a CA generated under
 * LOGBOOK_DATA_DIR/pki and an admin kubeconfig beside it; SIGTERM stops
 * everything; a second start finds the data and the CA again.
 */
describe('the all-in-one process on embedded Postgres', () => {
  const dataDir = tempDir('logbook-e2e');
  const pgDir = path.join(dataDir, 'postgres');
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const env = async () => ({ LOGBOOK_DATA_DIR: dataDir, PORT: String(await freePort()), DATABASE_URL: '' });

  it('serves health and version, keeps its data across restarts, and leaves no Postgres behind on SIGTERM', async () => {
    const first = await env();
    const proc = startCompiled('apps/logbook/src/main.js', first);
    const base = `https://127.0.0.1:${first.PORT}`;
    const caFile = path.join(dataDir, 'pki', 'ca.crt');
    const kubeconfig = path.join(dataDir, 'admin.kubeconfig');
    await waitFor(() => fs.existsSync(caFile) && fs.existsSync(kubeconfig), 90_000, proc);
    const ca = fs.readFileSync(caFile, 'utf8');
    await waitFor(async () => (await httpsGet(`${base}/readyz`, ca).catch(() => undefined))?.status === 200, 90_000, proc);
    for (const p of ['/healthz', '/livez', '/readyz']) expect((await httpsGet(base + p, ca)).body).toBe('ok');
    expect(JSON.parse((await httpsGet(`${base}/version`, ca)).body)).toMatchObject({ major: '1', minor: '32' });
    // Without credentials the API answers 401; with the written kubeconfig kubectl is the admin.
    const anonymous = await httpsGet(`${base}/api/v1/namespaces`, ca);
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const kubectl = (...args: string[]) => execFileSync('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', path.join(dataDir, 'kubectl-cache'), ...args], { encoding: 'utf8' });
    expect(kubectl('auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username} {.status.userInfo.groups}')).toBe('admin ["system:masters","system:authenticated"]');
    expect(kubectl('get', 'namespaces', '-o', 'name')).toContain('namespace/kube-system');
    expect(proc.output()).toContain(`kubectl --kubeconfig`);
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
    // On failure, show what the process said while stopping.
    const exit = await proc.exited;
    if (exit !== 0) throw new Error(`the all-in-one exited ${exit} on SIGTERM:\n${proc.output().slice(-4000)}`);
    expect(postgresProcessesFor(pgDir)).toEqual([]);
    expect(proc.output()).toContain('stopped');

    const second = await env();
    const again = startCompiled('apps/logbook/src/main.js', second);
    await waitFor(async () => (await httpsGet(`https://127.0.0.1:${second.PORT}/readyz`, ca).catch(() => undefined))?.status === 200, 90_000, again);
    expect(again.output()).not.toContain('initialising embedded Postgres');
    // The CA is reused (its certificate verified the connection above) and so is its file.
    expect(fs.readFileSync(caFile, 'utf8')).toBe(ca);
    const port2 = Number(fs.readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[3]);
    const db2 = new Client({ connectionString: `postgres://postgres:logbook@127.0.0.1:${port2}/logbook` });
    await db2.connect();
    expect((await db2.query('SELECT note FROM restart_marker')).rows).toEqual([{ note: 'still here' }]);
    await db2.end();
    again.child.kill('SIGINT');
    const code = await again.exited;
    // The output's tail tells why, should the shutdown fail.
    expect({ code, output: code === 0 ? '' : again.output().slice(-4000) }).toEqual({ code: 0, output: '' });
    expect(postgresProcessesFor(pgDir)).toEqual([]);
  });
});
