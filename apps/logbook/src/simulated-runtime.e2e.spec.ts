import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { createTestDatabase, TestDatabase } from '../../../libs/event-store/src/testing';
import { devPortEnv, freePort, RunningProcess, startCompiled, tempDir, waitForHttp } from '../../../test/e2e/processes';

/**
 * `LOGBOOK_RUNTIME=simulated npm start`: the all-in-one process with
 * simulated nodes, driven by a real kubectl over TLS with the admin
 * kubeconfig the process writes (its components use client certificates).
 */
describe('the all-in-one process with LOGBOOK_RUNTIME=simulated', () => {
  let db: TestDatabase;
  let proc: RunningProcess;
  let url: string;
  const home = tempDir('kubectl-home');

  const kubectl = (...args: string[]) =>
    new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
      execFile(
        'kubectl',
        ['--kubeconfig', path.join(home, 'admin.kubeconfig'), '--cache-dir', path.join(home, 'cache'), ...args],
        { env: { PATH: process.env.PATH, HOME: home }, timeout: 30_000 },
        (err, stdout, stderr) => resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 }),
      );
    });

  /** Runs kubectl until `cond` holds on its output (or the deadline passes). */
  async function kubectlUntil(args: string[], cond: (stdout: string) => boolean, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const r = await kubectl(...args);
      last = r.stdout + r.stderr;
      if (r.code === 0 && cond(r.stdout)) return r.stdout;
      if (Date.now() > deadline) throw new Error(`kubectl ${args.join(' ')} never satisfied the condition; last output:\n${last}\nserver output:\n${proc.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase('logbook_simulated');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const env = { DATABASE_URL: db.url, LOGBOOK_DATA_DIR: home, ...devPortEnv(port, path.join(home, 'pki'), await freePort()) };
    proc = startCompiled('apps/logbook/src/main.js', { ...env, LOGBOOK_RUNTIME: 'simulated', LOGBOOK_SIMULATED_NODES: '2' });
    await waitForHttp(`${url}/readyz`, 120_000, proc);
  });

  afterAll(async () => {
    if (proc?.child.exitCode === null) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
    await db?.drop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('shows its simulated nodes Ready in kubectl get nodes', async () => {
    const out = await kubectlUntil(['get', 'nodes'], (s) => /node-1\s+Ready/.test(s) && /node-2\s+Ready/.test(s));
    expect(out).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION/);
    expect(out).toMatch(/node-1\s+Ready\s+<none>\s+\S+\s+v1\.32\.0-logbook/);
  });

  it('runs a pod created by kubectl run: scheduled, Running, Ready, with a pod IP', async () => {
    const run = await kubectl('run', 'kubia', '--image=luksa/kubia', '--port=8080');
    expect(run).toMatchObject({ code: 0, stdout: 'pod/kubia created\n' });
    const out = await kubectlUntil(['get', 'pod', 'kubia', '-o', 'wide'], (s) => /kubia\s+1\/1\s+Running/.test(s));
    expect(out).toMatch(/kubia\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.[12]\.\d+\s+node-[12]\s/);
    const described = await kubectl('describe', 'pod', 'kubia');
    expect(described.stdout).toMatch(/Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\/kubia to node-[12]/);
  });

  it('completes a graceful delete through the node', async () => {
    const r = await kubectl('delete', 'pod', 'kubia', '--timeout=20s');
    expect(r).toMatchObject({ code: 0, stdout: 'pod "kubia" deleted\n' });
    expect((await kubectl('get', 'pod', 'kubia')).stderr).toContain('pods "kubia" not found');
  });

  it('stops in order on SIGTERM: nodes, scheduler and controllers hand back their leases before the server stops', async () => {
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    const out = proc.output();
    const at = (text: string | RegExp) => {
      const i = typeof text === 'string' ? out.indexOf(text) : out.search(text);
      if (i < 0) throw new Error(`"${text}" is not in the output:\n${out}`);
      return i;
    };
    const stopped = at('[Logbook] stopped');
    expect(at(/kube-system\/kube-scheduler\] \S+ released the lease/)).toBeLessThan(stopped);
    expect(at(/kube-system\/kube-controller-manager\] \S+ released the lease/)).toBeLessThan(stopped);
    expect(at('[NodeAgent] stopped')).toBeLessThan(stopped);
  });
});
