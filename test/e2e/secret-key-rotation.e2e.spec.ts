import { execFile, execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { TestCluster } from './cluster';
import { freePort, RunningProcess, startCompiled, tempDir, waitForHttp } from './processes';

/**
 * Key rotation by re-encrypting, as docs/security.md tells it: Secrets
 * written under key1; the API server restarted with key2 first; `npm run
 * reencrypt-secrets` (its compiled script) while the server keeps writing
 * and reading Secrets; then psql finds nothing under key1, and a server
 * with key2 alone reads every Secret.
 */
describe('Secret key rotation by re-encrypting', () => {
  let c: TestCluster;
  let server: RunningProcess | undefined;
  const dir = tempDir('key-rotation');
  const keyFile = path.join(dir, 'encryption-keys');
  const key = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
  const key1 = key('key1');
  const key2 = key('key2');
  const N = 20;
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const psql = (sql: string) => execFileSync('psql', [c.db.url, '-Atc', sql], { encoding: 'utf8' }).trim();
  const sealedWith = (id: string, table: string) => Number(psql(`SELECT count(*) FROM ${table} WHERE resource = 'secrets' AND object->'logbook.io/encrypted'->>'keyId' = '${id}'`));

  /** An API server on the cluster's database and PKI with the key file as it is now (a restart); its development port's URL. */
  async function startServer(): Promise<string> {
    const port = await freePort();
    server = startCompiled('apps/apiserver/src/main.js', {
      DATABASE_URL: c.db.url,
      PORT: String(await freePort()),
      LOGBOOK_INSECURE_PORT: String(port),
      LOGBOOK_PKI_DIR: c.pkiDir,
      LOGBOOK_ENCRYPTION_KEY_FILE: keyFile,
      LOGBOOK_DISABLE_ADMISSION_PLUGINS: 'ServiceAccount',
    });
    await waitForHttp(`http://127.0.0.1:${port}/readyz`, 60_000, server);
    return `http://127.0.0.1:${port}`;
  }
  async function stopServer(): Promise<void> {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    server = undefined;
  }
  const secretValues = async (url: string) => {
    const res = await fetch(`${url}/api/v1/namespaces/default/secrets`);
    expect(res.status).toBe(200);
    const list = (await res.json()) as { items: Array<{ metadata: { name: string }; data: { v: string } }> };
    return new Map(list.items.map((s) => [s.metadata.name, Buffer.from(s.data.v, 'base64').toString()]));
  };

  beforeAll(async () => {
    fs.writeFileSync(keyFile, `${key1}\n`);
    c = await TestCluster.start({ LOGBOOK_ENCRYPTION_KEY_FILE: keyFile });
  }, 90_000);
  afterAll(async () => {
    await stopServer();
    await c?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('re-encrypts every Secret to the new key while the server runs; the old key can then be removed', async () => {
    for (let i = 0; i < N; i++) await c.ok(['create', 'secret', 'generic', `s${i}`, `--from-literal=v=value-${i}-0`]);
    for (let i = 0; i < N; i += 4) await c.ok(['patch', 'secret', `s${i}`, '-p', JSON.stringify({ data: { v: b64(`value-${i}-1`) } })]);
    const key1Events = sealedWith('key1', 'events');
    expect(key1Events).toBe(N + N / 4);

    // Restart with key2 first (key1 second), then re-encrypt while the server writes and reads.
    c.proc.child.kill('SIGTERM');
    await c.proc.exited;
    fs.writeFileSync(keyFile, `${key2}\n${key1}\n`);
    const url = await startServer();
    let busy = true;
    let rounds = 0;
    const traffic = (async () => {
      for (let round = 2; busy; round++, rounds++) {
        const name = `s${round % 3}`;
        const res = await fetch(`${url}/api/v1/namespaces/default/secrets/${name}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/merge-patch+json' },
          body: JSON.stringify({ data: { v: b64(`value-${round % 3}-${round}`) } }),
        });
        expect(res.status).toBe(200);
        const values = await secretValues(url);
        expect(values.size).toBe(N);
        for (const [n, v] of values) expect(v).toMatch(new RegExp(`^value-${n.slice(1)}-\\d+$`));
      }
    })();
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [path.join(__dirname, '..', '..', 'dist', 'apps', 'logbook', 'src', 'admin', 'reencrypt-secrets.js')],
        { env: { ...process.env, DATABASE_URL: c.db.url, LOGBOOK_ENCRYPTION_KEY_FILE: keyFile, LOGBOOK_REENCRYPT_BATCH: '4' } },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stdout}${stderr}`)) : resolve(stdout)),
      ),
    );
    busy = false;
    await traffic;
    expect(rounds).toBeGreaterThan(0);
    expect(out).toContain('sealing Secrets with key "key2"');
    expect(out).toMatch(new RegExp(`re-encrypted ${key1Events} events`));
    expect(sealedWith('key1', 'events')).toBe(0);
    expect(sealedWith('key1', 'resources')).toBe(0);
    expect(sealedWith('key2', 'resources')).toBe(N);
    const everything = psql(`SELECT string_agg(object::text, ' ') FROM (SELECT object FROM events UNION ALL SELECT object FROM resources) o`);
    for (let i = 0; i < N; i++) expect(everything).not.toContain(b64(`value-${i}-0`));
    await stopServer();

    // key1 removed: a server with key2 alone reads every Secret.
    fs.writeFileSync(keyFile, `${key2}\n`);
    const after = await startServer();
    const values = await secretValues(after);
    expect(values.size).toBe(N);
    for (let i = 3; i < N; i++) expect(values.get(`s${i}`)).toBe(`value-${i}-${i % 4 === 0 ? 1 : 0}`);
  });
});
