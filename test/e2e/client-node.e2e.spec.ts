/**
 * The official JavaScript client, `@kubernetes/client-node`, unchanged,
 * against a real Logbook API server process: an informer (list + watch)
 * that survives a restart of the server, and typed CRUD round trips.
 *
 * How the client is loaded. It is an ES module ("type": "module", no
 * CommonJS build) since 1.0. Jest runs this file as CommonJS through
 * ts-jest, in a vm context, and neither of the obvious ways works there:
 * `import('@kubernetes/client-node')` is compiled to `require()` and jest's
 * require does not transform ESM in node_modules ("Cannot use import
 * statement outside a module"); a dynamic `import()` kept as such needs
 * jest's --experimental-vm-modules. What works is Node's own loader: Node
 * 20.19+ can `require()` an ES module (without top-level await), and
 * `process.getBuiltinModule('module')` hands us the real `module` builtin
 * (jest's `require('module')` gives its own `createRequire`, which goes
 * through jest's loader again). The client therefore lives in the main
 * realm, not the test's vm context: its objects and errors are not
 * `instanceof` this realm's Error/Date, so the assertions below test
 * fields, not classes.
 *
 * Which version. 2.x depends on undici 8, which needs Node >= 22.19 (at
 * load time it calls zlib.createZstdDecompress, absent from Node 20): on
 * this project's Node 20 it cannot be loaded at all. The 1.x line (1.4.0,
 * on node-fetch) runs on Node 20 and has the same API for everything used
 * here. `loadClientNode` says so when the load fails.
 *
 * What an informer user has to do about a server restart: the informer
 * (ListWatch) re-opens its watch by itself when the stream ends, from the
 * last resourceVersion it saw; but when that re-open fails (connection
 * refused while the server is down) it emits 'error' and stops for good.
 * The documented pattern, and what this test does, is an 'error' handler
 * that calls `informer.start()` again after a short delay; start() keeps
 * the last resourceVersion, so it resumes the watch where it was instead of
 * listing again.
 */
import type * as k8s from '@kubernetes/client-node';
import { createTestDatabase, TestDatabase } from '../../libs/event-store/src/testing';
import { RunningProcess, devPortEnv, freePort, startCompiled, tempDir, waitForHttp } from './processes';

const PKI_DIR = tempDir('logbook-pki');

jest.setTimeout(180_000);

type ClientNode = typeof k8s;

function loadClientNode(): ClientNode {
  const nodeModule = process.getBuiltinModule?.('module') as typeof import('module') | undefined;
  if (!nodeModule) throw new Error(`process.getBuiltinModule is missing: Node ${process.version} is older than 20.16`);
  const requireNative = nodeModule.createRequire(__filename);
  let version = 'unknown';
  try {
    version = (requireNative('@kubernetes/client-node/package.json') as { version: string }).version;
  } catch {
    /* package.json not exported: keep 'unknown' */
  }
  try {
    return requireNative('@kubernetes/client-node') as ClientNode;
  } catch (err) {
    throw new Error(
      `@kubernetes/client-node ${version} cannot be loaded on Node ${process.version}: ${(err as Error).message}\n` +
        '2.x depends on undici 8, which needs Node >= 22.19; on Node 20 use the 1.x line ' +
        '(npm install --save-dev @kubernetes/client-node@^1.4.0), which has the same API.',
    );
  }
}

function startApiServer(databaseUrl: string, port: number): RunningProcess {
  return startCompiled('apps/apiserver/src/main.js', { DATABASE_URL: databaseUrl, ...devPortEnv(port, PKI_DIR) });
}

async function stopApiServer(proc: RunningProcess | undefined): Promise<void> {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  await proc.exited;
}

/** Resolves when `cond` holds; fails with `what()` after `ms`. */
async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The HTTP status of a rejected client call (ApiException.code), and its body. */
async function failure(p: Promise<unknown>): Promise<{ code: number; body: any }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: number; body?: unknown };
    let body = e.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        /* keep the text */
      }
    }
    return { code: e.code ?? -1, body };
  }
  throw new Error('expected the call to fail, and it succeeded');
}

describe('@kubernetes/client-node against Logbook', () => {
  let k: ClientNode;
  let db: TestDatabase;
  let port: number;
  let url: string;
  let proc: RunningProcess | undefined;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  const procs: RunningProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('logbook_e2e_client_node');
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    proc = startApiServer(db.url, port);
    procs.push(proc);
    await waitForHttp(`${url}/readyz`, 60_000, proc);
  });

  /** Loads the client and points it at the server; in the blocks that use it, so a load failure fails only those. */
  function useClientNode(): void {
    if (kc) return;
    k = loadClientNode();
    kc = new k.KubeConfig();
    kc.loadFromOptions({
      // client-node refuses http:// servers unless skipTLSVerify is set
      // ("HTTP protocol is not allowed when skipTLSVerify is not set or false").
      clusters: [{ name: 'logbook', server: url, skipTLSVerify: true }],
      users: [{ name: 'admin' }],
      contexts: [{ name: 'logbook', cluster: 'logbook', user: 'admin', namespace: 'default' }],
      currentContext: 'logbook',
    });
    core = kc.makeApiClient(k.CoreV1Api);
    apps = kc.makeApiClient(k.AppsV1Api);
  }

  afterAll(async () => {
    for (const p of procs) await stopApiServer(p);
    await db?.drop();
  });

  // What the typed client's signatures promise, checked over plain HTTP so
  // that it runs whichever client-node version is installed.
  describe('responses the typed client is typed for', () => {
    it('DELETE of a ConfigMap or a Deployment answers a metav1.Status (client-node: Promise<V1Status>)', async () => {
      const post = async (path: string, body: unknown) => {
        const r = await fetch(`${url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
        expect(r.status).toBe(201);
        return (await r.json()) as { metadata: { uid: string } };
      };
      const cm = await post('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'status-on-delete' }, data: { a: 'b' } });
      const deploy = await post('/apis/apps/v1/namespaces/default/deployments', {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'status-on-delete' },
        spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
      });
      // kubectl sends this body; kube-apiserver deletes at once (no
      // finalizers) and, since these registries do not return the deleted
      // object (ReturnDeletedObject is false), answers a Status.
      const del = async (path: string) => {
        const r = await fetch(`${url}${path}`, { method: 'DELETE', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ propagationPolicy: 'Background' }) });
        return { status: r.status, body: (await r.json()) as unknown };
      };
      const cmDeleted = await del('/api/v1/namespaces/default/configmaps/status-on-delete');
      const deployDeleted = await del('/apis/apps/v1/namespaces/default/deployments/status-on-delete');
      expect({ configmap: cmDeleted, deployment: deployDeleted }).toMatchObject({
        configmap: {
          status: 200,
          body: { kind: 'Status', apiVersion: 'v1', status: 'Success', details: { name: 'status-on-delete', kind: 'configmaps', uid: cm.metadata.uid } },
        },
        deployment: {
          status: 200,
          body: { kind: 'Status', apiVersion: 'v1', status: 'Success', details: { name: 'status-on-delete', group: 'apps', kind: 'deployments', uid: deploy.metadata.uid } },
        },
      });
    });
  });

  describe('informer (makeInformer: list + watch)', () => {
    const ns = 'informer';
    // makeInformer returns a ListWatch (typed as Informer & ObjectCache);
    // ListWatch also tells the last resourceVersion it saw.
    let informer: k8s.ListWatch<k8s.V1ConfigMap>;
    let stopped = false;
    const seen: string[] = [];
    const errors: string[] = [];
    let listCalls = 0;
    let restarts = 0;

    afterAll(async () => {
      stopped = true;
      await informer?.stop();
    });

    const cmPath = `/api/v1/namespaces/${ns}/configmaps`;

    beforeAll(() => useClientNode());

    function record(verb: string) {
      return (o: k8s.V1ConfigMap) => seen.push(`${verb} ${o.metadata?.name} ${o.metadata?.resourceVersion}`);
    }

    /** name → resourceVersion/uid/data, as the informer's cache has it. */
    function cacheState(): Record<string, unknown> {
      const out: Record<string, unknown> = {};
      for (const o of informer.list(ns)) out[o.metadata!.name!] = { rv: o.metadata!.resourceVersion, uid: o.metadata!.uid, data: { ...(o.data ?? {}) } };
      return out;
    }

    /** The same, as the server lists it now. */
    async function serverState(): Promise<Record<string, unknown>> {
      const list = await core.listNamespacedConfigMap({ namespace: ns });
      const out: Record<string, unknown> = {};
      for (const o of list.items) out[o.metadata!.name!] = { rv: o.metadata!.resourceVersion, uid: o.metadata!.uid, data: { ...(o.data ?? {}) } };
      return out;
    }

    async function converged(ms: number): Promise<void> {
      let last = '';
      await waitFor(
        async () => {
          const [c, s] = [JSON.stringify(sortKeys(cacheState())), JSON.stringify(sortKeys(await serverState()))];
          last = `cache ${c}\nserver ${s}\nevents ${JSON.stringify(seen)}\nerrors ${JSON.stringify(errors)}`;
          return c === s;
        },
        ms,
        () => `the informer's cache never matched the server:\n${last}`,
      );
    }

    const cm = (name: string, data: Record<string, string>): k8s.V1ConfigMap => ({ metadata: { name, labels: { app: 'informer-test' } }, data });

    it('lists, then sees adds, updates and deletes', async () => {
      await core.createNamespace({ body: { metadata: { name: ns } } });
      const seed1 = await core.createNamespacedConfigMap({ namespace: ns, body: cm('seed-1', { n: '1' }) });
      const seed2 = await core.createNamespacedConfigMap({ namespace: ns, body: cm('seed-2', { n: '2' }) });

      informer = k.makeInformer(kc, cmPath, () => {
        listCalls++;
        return core.listNamespacedConfigMap({ namespace: ns });
      }) as k8s.ListWatch<k8s.V1ConfigMap>;
      informer.on(k.ADD, record('add'));
      informer.on(k.UPDATE, record('update'));
      informer.on(k.DELETE, record('delete'));
      informer.on(k.ERROR, (err: unknown) => {
        const e = err as { message?: string; code?: string; cause?: { code?: string } };
        errors.push(`${e?.code ?? e?.cause?.code ?? ''} ${e?.message ?? String(err)}`.trim());
        if (stopped) return;
        // What users do: start again after a delay. start() keeps the last
        // resourceVersion, so the watch resumes rather than relisting.
        setTimeout(() => {
          if (stopped) return;
          restarts++;
          informer.start().catch((e2: unknown) => errors.push(`start(): ${String(e2)}`));
        }, 250);
      });
      await informer.start();
      expect(listCalls).toBe(1);
      expect(seen).toEqual([`add seed-1 ${seed1.metadata!.resourceVersion}`, `add seed-2 ${seed2.metadata!.resourceVersion}`]);

      // Changes after the list arrive through the watch.
      const a = await core.createNamespacedConfigMap({ namespace: ns, body: cm('a', { v: '1' }) });
      const b = await core.createNamespacedConfigMap({ namespace: ns, body: cm('b', { v: '1' }) });
      const c = await core.createNamespacedConfigMap({ namespace: ns, body: cm('c', { v: '1' }) });
      const a2 = await core.replaceNamespacedConfigMap({ name: 'a', namespace: ns, body: { ...a, data: { v: '2' } } });
      const b2 = await core.patchNamespacedConfigMap(
        { name: 'b', namespace: ns, body: { data: { v: '2' } } },
        k.setHeaderOptions('Content-Type', k.PatchStrategy.MergePatch),
      );
      await core.deleteNamespacedConfigMap({ name: 'c', namespace: ns });
      await converged(15_000);
      expect(seen.slice(2)).toEqual([
        `add a ${a.metadata!.resourceVersion}`,
        `add b ${b.metadata!.resourceVersion}`,
        `add c ${c.metadata!.resourceVersion}`,
        `update a ${a2.metadata!.resourceVersion}`,
        `update b ${b2.metadata!.resourceVersion}`,
        // The DELETED event carries the deletion's resourceVersion, which no response told us.
        expect.stringMatching(/^delete c \d+$/),
      ]);
      const deletedAt = Number(seen[seen.length - 1].split(' ')[2]);
      expect(deletedAt).toBeGreaterThan(Number(b2.metadata!.resourceVersion));
      expect(Object.keys(cacheState()).sort()).toEqual(['a', 'b', 'seed-1', 'seed-2']);
      expect(errors).toEqual([]);
    });

    it('resumes after the API server process is replaced, and ends with exactly the final state', async () => {
      expect(informer).toBeDefined();
      const before = seen.length;
      const lastRV = informer.latestResourceVersion();

      // Stop the server. The watch stream ends; the informer re-opens it by
      // itself, that fails (connection refused), it emits 'error', and our
      // handler keeps calling start() until a server answers.
      const old = proc!;
      await stopApiServer(old);
      await waitFor(() => errors.length > 0, 30_000, () => `the informer reported no error after the server stopped; events ${JSON.stringify(seen)}`);
      // Nothing is written while no server is up.

      // A new process, on the same database and the same port.
      proc = startApiServer(db.url, port);
      procs.push(proc);
      await waitForHttp(`${url}/readyz`, 60_000, proc);

      const d = await core.createNamespacedConfigMap({ namespace: ns, body: cm('d', { v: '1' }) });
      const current = await core.readNamespacedConfigMap({ name: 'a', namespace: ns });
      const a3 = await core.replaceNamespacedConfigMap({ name: 'a', namespace: ns, body: { ...current, data: { v: '3' } } });
      await core.deleteNamespacedConfigMap({ name: 'b', namespace: ns });
      await core.deleteNamespacedConfigMap({ name: 'seed-1', namespace: ns });
      const seed2 = await core.patchNamespacedConfigMap(
        { name: 'seed-2', namespace: ns, body: [{ op: 'add', path: '/data/extra', value: 'x' }] }, // JSON patch: the client's default
      );

      await converged(30_000);
      expect(cacheState()).toEqual(await serverState());
      expect(Object.keys(cacheState()).sort()).toEqual(['a', 'd', 'seed-2']);
      expect(cacheState().a).toMatchObject({ rv: a3.metadata!.resourceVersion, data: { v: '3' } });
      expect(cacheState()['seed-2']).toMatchObject({ rv: seed2.metadata!.resourceVersion, data: { n: '2', extra: 'x' } });

      // Exactly the changes made after the restart, once each, in order.
      expect(seen.slice(before)).toEqual([
        `add d ${d.metadata!.resourceVersion}`,
        `update a ${a3.metadata!.resourceVersion}`,
        expect.stringMatching(/^delete b \d+$/),
        expect.stringMatching(/^delete seed-1 \d+$/),
        `update seed-2 ${seed2.metadata!.resourceVersion}`,
      ]);
      // It resumed the watch from the resourceVersion it had (the new
      // process read the missed events from the log): no second list, no 410.
      expect(listCalls).toBe(1);
      expect(Number(informer.latestResourceVersion())).toBeGreaterThan(Number(lastRV));
      expect(restarts).toBeGreaterThan(0);
      expect(old.output()).not.toMatch(/ERROR/);
    });
  });

  describe('typed client CRUD', () => {
    beforeAll(() => useClientNode());

    it('ConfigMap: create, read, replace with resourceVersion (stale → 409), patch, delete', async () => {
      const ns = 'default';
      const created = await core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name: 'typed', labels: { app: 'typed' }, annotations: { note: 'first' } }, data: { k: 'v1' } },
      });
      expect(created.kind).toBe('ConfigMap');
      expect(created.apiVersion).toBe('v1');
      expect(created.metadata!.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number(created.metadata!.resourceVersion)).toBeGreaterThan(0);
      expect(created.metadata!.creationTimestamp).toBeTruthy();
      expect(created.data).toEqual({ k: 'v1' });

      const again = await failure(core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'typed' }, data: {} } }));
      expect(again.code).toBe(409);
      expect(again.body).toMatchObject({ kind: 'Status', reason: 'AlreadyExists' });

      const read = await core.readNamespacedConfigMap({ name: 'typed', namespace: ns });
      expect(read.metadata!.resourceVersion).toBe(created.metadata!.resourceVersion);
      expect(read.metadata!.uid).toBe(created.metadata!.uid);
      expect(read.data).toEqual({ k: 'v1' });

      const replaced = await core.replaceNamespacedConfigMap({ name: 'typed', namespace: ns, body: { ...read, data: { k: 'v2' } } });
      expect(Number(replaced.metadata!.resourceVersion)).toBeGreaterThan(Number(read.metadata!.resourceVersion));
      expect(replaced.data).toEqual({ k: 'v2' });

      const stale = await failure(core.replaceNamespacedConfigMap({ name: 'typed', namespace: ns, body: { ...read, data: { k: 'lost' } } }));
      expect(stale.code).toBe(409);
      expect(stale.body).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409 });

      const merged = await core.patchNamespacedConfigMap(
        { name: 'typed', namespace: ns, body: { metadata: { annotations: { note: null, added: 'yes' } }, data: { k2: 'v' } } },
        k.setHeaderOptions('Content-Type', k.PatchStrategy.MergePatch),
      );
      expect(merged.data).toEqual({ k: 'v2', k2: 'v' });
      expect(merged.metadata!.annotations).toEqual({ added: 'yes' });

      const jsonPatched = await core.patchNamespacedConfigMap({
        name: 'typed',
        namespace: ns,
        body: [
          { op: 'test', path: '/data/k', value: 'v2' },
          { op: 'remove', path: '/data/k2' },
        ],
      });
      expect(jsonPatched.data).toEqual({ k: 'v2' });
      const failedTest = await failure(
        core.patchNamespacedConfigMap({ name: 'typed', namespace: ns, body: [{ op: 'test', path: '/data/k', value: 'nope' }] }),
      );
      expect(failedTest.code).toBeGreaterThanOrEqual(400);
      expect(failedTest.code).toBeLessThan(500);

      const listed = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'app=typed' });
      expect(listed.items.map((o) => o.metadata!.name)).toEqual(['typed']);
      expect(Number(listed.metadata!.resourceVersion)).toBeGreaterThanOrEqual(Number(jsonPatched.metadata!.resourceVersion));

      // kube-apiserver answers the delete of a ConfigMap with a Status
      // (ReturnDeletedObject is false for configmaps); client-node types it
      // as V1Status.
      const status = await core.deleteNamespacedConfigMap({ name: 'typed', namespace: ns });
      const gone = await failure(core.readNamespacedConfigMap({ name: 'typed', namespace: ns }));
      expect(gone.code).toBe(404);
      expect(gone.body).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
      expect(status).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Success', details: { name: 'typed', kind: 'configmaps', uid: created.metadata!.uid } });
    });

    it('Deployment via AppsV1Api: create (defaulted), read, replace, strategic merge patch, scale, delete', async () => {
      const ns = 'default';
      const body: k8s.V1Deployment = {
        metadata: { name: 'web', labels: { app: 'web' } },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              containers: [
                { name: 'app', image: 'nginx:1.25', ports: [{ containerPort: 80 }], env: [{ name: 'MODE', value: 'a' }] },
                { name: 'sidecar', image: 'busybox:1.36', command: ['sleep', '3600'] },
              ],
            },
          },
        },
      };
      const created = await apps.createNamespacedDeployment({ namespace: ns, body });
      expect(created.kind).toBe('Deployment');
      expect(created.apiVersion).toBe('apps/v1');
      expect(created.metadata!.generation).toBe(1);
      // Kubernetes' defaults, as the typed client sees them.
      expect(created.spec!.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
      expect(created.spec!.revisionHistoryLimit).toBe(10);
      expect(created.spec!.progressDeadlineSeconds).toBe(600);
      expect(created.spec!.template.spec!.restartPolicy).toBe('Always');
      expect(created.spec!.template.spec!.containers[0].ports![0].protocol).toBe('TCP');
      expect(created.spec!.template.spec!.containers[0].imagePullPolicy).toBe('IfNotPresent');

      const read = await apps.readNamespacedDeployment({ name: 'web', namespace: ns });
      expect(read.metadata!.uid).toBe(created.metadata!.uid);
      expect(read.spec!.replicas).toBe(2);

      read.spec!.replicas = 3;
      const replaced = await apps.replaceNamespacedDeployment({ name: 'web', namespace: ns, body: read });
      expect(replaced.spec!.replicas).toBe(3);
      expect(replaced.metadata!.generation).toBe(2);
      const stale = await failure(apps.replaceNamespacedDeployment({ name: 'web', namespace: ns, body: { ...created } }));
      expect(stale.code).toBe(409);

      // Strategic merge: containers merge by name, env by name.
      const patched = await apps.patchNamespacedDeployment(
        {
          name: 'web',
          namespace: ns,
          body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.27', env: [{ name: 'EXTRA', value: 'b' }] }] } } } },
        },
        k.setHeaderOptions('Content-Type', k.PatchStrategy.StrategicMergePatch),
      );
      const containers = patched.spec!.template.spec!.containers;
      expect(containers.map((c) => `${c.name}=${c.image}`)).toEqual(['app=nginx:1.27', 'sidecar=busybox:1.36']);
      expect(containers[0].env!.map((e) => e.name).sort()).toEqual(['EXTRA', 'MODE']);
      expect(patched.metadata!.generation).toBe(3);

      // The scale subresource.
      const scale = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: ns });
      expect(scale.kind).toBe('Scale');
      expect(scale.spec!.replicas).toBe(3);
      const rescaled = await apps.replaceNamespacedDeploymentScale({
        name: 'web',
        namespace: ns,
        body: { ...scale, spec: { replicas: 5 } },
      });
      expect(rescaled.spec!.replicas).toBe(5);
      expect((await apps.readNamespacedDeployment({ name: 'web', namespace: ns })).spec!.replicas).toBe(5);

      const status = await apps.deleteNamespacedDeployment({ name: 'web', namespace: ns });
      const gone = await failure(apps.readNamespacedDeployment({ name: 'web', namespace: ns }));
      expect(gone.code).toBe(404);
      // As for ConfigMaps: a Status, not the deleted Deployment.
      expect(status).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'web', group: 'apps', kind: 'deployments', uid: created.metadata!.uid } });
    });
  });
});

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
