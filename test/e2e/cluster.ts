import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { kubeconfigYaml } from '../../apps/apiserver/src/auth/pki-kubeconfig';
import { issueClientCert, loadOrCreatePki } from '../../apps/apiserver/src/auth/pki';
import { createTestDatabase, TestDatabase } from '../../libs/event-store/src/testing';
import { RunningProcess, freePort, startCompiled, tempDir, waitForHttp } from './processes';

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

/**
 * A real API server process on its own fresh database and cluster CA, and a
 * real kubectl that reaches it over TLS with an admin kubeconfig (client
 * certificate `admin` in `system:masters`) and a private discovery cache.
 *
 * `url` is the server's plain-HTTP development port (LOGBOOK_INSECURE_PORT,
 * requests without credentials are the cluster admin) for tests that speak
 * HTTP themselves; `secureUrl` is the TLS port kubectl uses, `kubeconfig`
 * its kubeconfig and `pkiDir` the CA (ca.crt, ca.key, sa.key).
 */
export class TestCluster {
  private constructor(
    readonly url: string,
    readonly secureUrl: string,
    readonly db: TestDatabase,
    readonly proc: RunningProcess,
    private readonly home: string,
  ) {}

  get kubeconfig(): string {
    return path.join(this.home, 'admin.kubeconfig');
  }

  get pkiDir(): string {
    return path.join(this.home, 'pki');
  }

  /**
   * The API server alone, or with `allInOne` the whole control plane
   * (`npm start`'s process: controllers, scheduler, and with
   * LOGBOOK_RUNTIME=simulated, simulated nodes). The API server alone runs
   * without the ServiceAccount admission plugin, as no controller manager
   * creates the `default` accounts it would look for.
   */
  static async start(env: NodeJS.ProcessEnv = {}, opts: { allInOne?: boolean } = {}): Promise<TestCluster> {
    const db = await createTestDatabase('logbook_e2e');
    const [port, securePort] = [await freePort(), await freePort()];
    const home = tempDir('kubectl-home');
    const secureUrl = `https://127.0.0.1:${securePort}`;
    const pki = await loadOrCreatePki(path.join(home, 'pki'));
    const admin = await issueClientCert(pki, 'admin', ['system:masters']);
    fs.writeFileSync(path.join(home, 'admin.kubeconfig'), kubeconfigYaml({ server: secureUrl, caCert: pki.caCert, userName: 'admin', credentials: admin }));
    const entry = opts.allInOne ? 'apps/logbook/src/main.js' : 'apps/apiserver/src/main.js';
    const proc = startCompiled(entry, {
      DATABASE_URL: db.url,
      PORT: String(securePort),
      LOGBOOK_INSECURE_PORT: String(port),
      LOGBOOK_PKI_DIR: pki.dir,
      LOGBOOK_DATA_DIR: path.join(home, 'data'),
      ...(opts.allInOne ? {} : { LOGBOOK_DISABLE_ADMISSION_PLUGINS: 'ServiceAccount' }),
      ...env,
    });
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/readyz`, 60_000, proc);
    return new TestCluster(url, secureUrl, db, proc, home);
  }

  /** Makes token-file users cluster admins (under RBAC they are ordinary users). */
  grantClusterAdmin(name: string, users: string[]): Promise<void> {
    return this.grant(name, users);
  }

  /**
   * Binds a ClusterRole to token-file users, written as the local admin:
   * cluster-admin, or with `rules` a new ClusterRole called `name`. Waits
   * until the authorizer has seen the binding.
   */
  async grant(name: string, users: string[], rules?: Array<Record<string, string[]>>): Promise<void> {
    const post = async (p: string, body: unknown) => {
      const res = await fetch(`${this.url}${p}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`POST ${p}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<{ status?: { allowed?: boolean } }>;
    };
    if (rules) await post('/apis/rbac.authorization.k8s.io/v1/clusterroles', { metadata: { name }, rules });
    await post('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: rules ? name : 'cluster-admin' },
      subjects: users.map((u) => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: u })),
    });
    const probe = rules?.[0];
    for (const user of users) {
      const attributes = probe?.resources
        ? { resourceAttributes: { verb: probe.verbs[0], group: probe.apiGroups?.[0] ?? '', resource: probe.resources[0] } }
        : { nonResourceAttributes: { verb: 'get', path: '/any' } };
      for (let i = 0; !(await post('/apis/authorization.k8s.io/v1/subjectaccessreviews', { spec: { user, ...attributes } })).status?.allowed; i++) {
        if (i > 100) throw new Error(`${user} never got ${name}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** A kubeconfig (in the kubectl home) for `user` in `groups`, with a client certificate from the cluster CA. */
  async kubeconfigFor(user: string, groups: string[] = []): Promise<string> {
    const pki = await loadOrCreatePki(this.pkiDir);
    const credentials = await issueClientCert(pki, user, groups);
    const file = path.join(this.home, `${user.replace(/[^A-Za-z0-9_.-]/g, '_')}.kubeconfig`);
    fs.writeFileSync(file, kubeconfigYaml({ server: this.secureUrl, caCert: pki.caCert, userName: user, credentials }));
    return file;
  }

  /**
   * Runs kubectl over TLS as the admin (or with `kubeconfig`, as whoever it
   * names); never throws on a non-zero exit (tests assert on it).
   */
  kubectl(args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; kubeconfig?: string } = {}): Promise<KubectlResult> {
    return new Promise((resolve) => {
      const child = execFile(
        'kubectl',
        ['--kubeconfig', opts.kubeconfig ?? this.kubeconfig, '--cache-dir', path.join(this.home, 'cache'), ...args],
        {
          env: { PATH: process.env.PATH, HOME: this.home, ...opts.env },
          timeout: opts.timeoutMs ?? 30_000,
          maxBuffer: 16 * 1024 * 1024,
        },
        (err, stdout, stderr) => resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 }),
      );
      if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
      else child.stdin!.end();
    });
  }

  /** Polls kubectl until its output matches, or fails with the last output. */
  async until(args: string[], match: RegExp | ((out: string) => boolean), ms = 60_000): Promise<string> {
    const deadline = Date.now() + ms;
    let last = '';
    for (;;) {
      const r = await this.kubectl(args);
      last = r.stdout + r.stderr;
      if (typeof match === 'function' ? match(r.stdout) : match.test(r.stdout)) return r.stdout;
      if (Date.now() > deadline) throw new Error(`kubectl ${args.join(' ')} never matched ${match} in ${ms} ms; last output:\n${last}`);
      await new Promise((res) => setTimeout(res, 300));
    }
  }

  /** kubectl that must succeed; returns stdout. */
  async ok(args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv; kubeconfig?: string } = {}): Promise<string> {
    const r = await this.kubectl(args, opts);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** Writes a manifest to a file in the kubectl home and returns its path. */
  manifest(name: string, yaml: string): string {
    const file = path.join(this.home, name);
    fs.writeFileSync(file, yaml);
    return file;
  }

  async stop(): Promise<void> {
    if (this.proc.child.exitCode === null) {
      this.proc.child.kill('SIGTERM');
      await this.proc.exited;
    }
    await this.db.drop();
    fs.rmSync(this.home, { recursive: true, force: true });
  }
}
