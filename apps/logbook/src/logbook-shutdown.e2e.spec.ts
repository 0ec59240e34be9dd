import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import * as tls from 'tls';
import { createTestDatabase, TestDatabase } from '../../../libs/event-store/src/testing';
import { freePort, RunningProcess, startCompiled, tempDir, waitFor } from '../../../test/e2e/processes';

/** GET over TLS trusting `ca` on a keep-alive agent: the status (rejects when the connection fails). */
function httpsGet(url: string, ca: string, agent?: https.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

/**
 * A stop right after a pod deletion took 58 s: one of the process's own
 * client connections (an undici socket that reconnected for a watch its
 * component then aborted) stayed open without ever sending a request, and
 * Node's server.close() does not count such a connection as idle. The
 * process now closes those once it stops listening; this holds such a
 * connection open, as that client did, and stops the process.
 */
describe('the all-in-one process stopping with connections open', () => {
  let db: TestDatabase;
  let proc: RunningProcess;
  const dataDir = tempDir('logbook-shutdown');

  afterAll(async () => {
    if (proc?.child.exitCode === null) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
    await db?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops within seconds on SIGTERM although a client holds a connection it never sent a request on', async () => {
    db = await createTestDatabase('logbook_shutdown');
    const port = await freePort();
    proc = startCompiled('apps/logbook/src/main.js', { DATABASE_URL: db.url, LOGBOOK_DATA_DIR: dataDir, PORT: String(port), LOGBOOK_RUNTIME: 'none' });
    const caFile = path.join(dataDir, 'pki', 'ca.crt');
    await waitFor(() => fs.existsSync(caFile), 90_000, proc);
    const ca = fs.readFileSync(caFile, 'utf8');
    const base = `https://127.0.0.1:${port}`;
    await waitFor(async () => (await httpsGet(`${base}/readyz`, ca).catch(() => 0)) === 200, 120_000, proc);

    // A keep-alive connection left idle after a request, and one that never carries a request.
    const agent = new https.Agent({ keepAlive: true });
    expect(await httpsGet(`${base}/readyz`, ca, agent)).toBe(200);
    const unused = tls.connect({ host: '127.0.0.1', port, ca });
    unused.on('error', () => undefined);
    await new Promise((resolve, reject) => unused.once('secureConnect', resolve).once('error', reject));

    const t0 = Date.now();
    proc.child.kill('SIGTERM');
    const code = await proc.exited;
    const took = Date.now() - t0;
    expect({ code, output: code === 0 ? '' : proc.output().slice(-4000) }).toEqual({ code: 0, output: '' });
    // As long as an ordinary stop, well below the 15 s after which a shutdown cuts every connection.
    expect(took).toBeLessThan(8_000);
    agent.destroy();
  });
});
