/**
 * Two API server processes on one Postgres database (as docker-compose runs
 * them): each tails the log itself, so a watcher on either sees every write
 * made through either, in the log's order, with the same resourceVersions.
 *
 * Everything here is real: two compiled `apps/apiserver` processes, plain
 * HTTP requests, and `?watch=true` streams parsed line by line.
 */
import * as http from 'http';
import { createTestDatabase, TestDatabase } from '../../libs/event-store/src/testing';
import { RunningProcess, devPortEnv, freePort, startCompiled, tempDir, waitForHttp } from './processes';

const PKI_DIR = tempDir('logbook-pki');

jest.setTimeout(180_000);

const NS = 'default';
const CM_PATH = `/api/v1/namespaces/${NS}/configmaps`;

interface Replica {
  name: string;
  url: string;
  proc: RunningProcess;
}

async function startReplica(name: string, databaseUrl: string): Promise<Replica> {
  const port = await freePort();
  // Replicas of one cluster share its CA and service account key.
  const proc = startCompiled('apps/apiserver/src/main.js', { DATABASE_URL: databaseUrl, ...devPortEnv(port, PKI_DIR) });
  const url = `http://127.0.0.1:${port}`;
  // Generous: two replicas starting together on a busy 2-core machine take ~30 s.
  await waitForHttp(`${url}/readyz`, 120_000, proc);
  return { name, url, proc };
}

async function stopReplica(r: Replica | undefined): Promise<void> {
  if (!r || r.proc.child.exitCode !== null || r.proc.child.signalCode !== null) return;
  r.proc.child.kill('SIGTERM');
  await r.proc.exited;
}

// Keep-alive, and enough sockets for the concurrent writers below.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function request(base: string, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(
      `${base}${path}`,
      {
        method,
        agent,
        headers: { Accept: 'application/json', ...(payload ? { 'Content-Type': contentType, 'Content-Length': payload.length } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON: keep the text for the assertion message */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function must(base: string, method: string, path: string, expected: number, body?: unknown, contentType?: string): Promise<any> {
  const r = await request(base, method, path, body, contentType);
  if (r.status !== expected) throw new Error(`${method} ${base}${path}: expected ${expected}, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

interface WatchEvent {
  type: string;
  name: string;
  rv: number;
  /** The object as the server sent it. */
  object: unknown;
}

/** A `?watch=true` stream, read line by line into `events`. */
class WatchStream {
  readonly events: WatchEvent[] = [];
  readonly errors: string[] = [];
  ended = false;
  private req?: http.ClientRequest;
  private res?: http.IncomingMessage;

  private constructor(readonly label: string) {}

  static open(label: string, base: string, path: string): Promise<WatchStream> {
    const w = new WatchStream(label);
    return new Promise((resolve, reject) => {
      // No agent: a watch holds its own connection for its whole life.
      w.req = http.get(`${base}${path}`, { headers: { Accept: 'application/json' }, agent: false }, (res) => {
        w.res = res;
        if (res.statusCode !== 200) {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => reject(new Error(`watch ${path} on ${label}: ${res.statusCode} ${text}`)));
          return;
        }
        let buffered = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
            const line = buffered.slice(0, nl);
            buffered = buffered.slice(nl + 1);
            if (line.trim()) w.accept(line);
          }
        });
        res.on('close', () => (w.ended = true));
        resolve(w);
      });
      w.req.on('error', (err) => {
        w.ended = true;
        w.errors.push(String(err));
        reject(err);
      });
    });
  }

  private accept(line: string): void {
    let e: { type: string; object: { metadata?: { name?: string; resourceVersion?: string } } };
    try {
      e = JSON.parse(line);
    } catch {
      this.errors.push(`unparsable line: ${line.slice(0, 200)}`);
      return;
    }
    if (e.type === 'BOOKMARK') return;
    if (e.type === 'ERROR') {
      this.errors.push(`ERROR event: ${JSON.stringify(e.object)}`);
      return;
    }
    this.events.push({ type: e.type, name: e.object.metadata?.name ?? '', rv: Number(e.object.metadata?.resourceVersion), object: e.object });
  }

  /** (type, name, resourceVersion) of every event, in arrival order. */
  sequence(): string[] {
    return this.events.map((e) => `${e.type} ${e.name} ${e.rv}`);
  }

  close(): void {
    this.res?.destroy();
    this.req?.destroy();
  }
}

/** Resolves when `cond` holds; fails with `what()` after `ms`. */
async function waitFor(cond: () => boolean, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Runs `tasks` with at most `limit` in flight. */
async function pool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]();
      }
    }),
  );
  return results;
}

function configMap(name: string, data: Record<string, string>): object {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, labels: { test: 'replicas' } }, data };
}

describe('two apiserver replicas on one database', () => {
  let db: TestDatabase;
  let a: Replica | undefined;
  let b: Replica | undefined;
  const streams: WatchStream[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('logbook_e2e_replicas');
    // One after the other: both create the built-in namespaces at start-up
    // (tolerating AlreadyExists), and started together they would race on it
    // — covered by its own test below.
    a = await startReplica('A', db.url);
    b = await startReplica('B', db.url);
  });

  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });

  afterAll(async () => {
    await Promise.all([stopReplica(a), stopReplica(b)]);
    agent.destroy();
    await db?.drop();
  });

  async function listRV(r: Replica): Promise<number> {
    const list = await must(r.url, 'GET', CM_PATH, 200);
    const rv = Number(list.metadata.resourceVersion);
    expect(Number.isInteger(rv) && rv > 0).toBe(true);
    return rv;
  }

  async function watch(r: Replica, fromRV: number, label = r.name): Promise<WatchStream> {
    const s = await WatchStream.open(label, r.url, `${CM_PATH}?watch=true&resourceVersion=${fromRV}`);
    streams.push(s);
    return s;
  }

  it('a write through A is seen by a watcher on B, and one through B by a watcher on A', async () => {
    const rvA = await listRV(a!);
    const rvB = await listRV(b!);
    const onA = await watch(a!, rvA);
    const onB = await watch(b!, rvB);

    const viaA = await must(a!.url, 'POST', CM_PATH, 201, configMap('written-via-a', { from: 'A' }));
    const rv1 = Number(viaA.metadata.resourceVersion);
    // B learns of it only from Postgres (LISTEN/NOTIFY, then reading the log).
    await waitFor(
      () => onB.events.some((e) => e.rv === rv1),
      10_000,
      () => `watcher on B never saw ADDED written-via-a @${rv1}; it has ${JSON.stringify(onB.sequence())} ${onB.errors.join('; ')}`,
    );

    const viaB = await must(b!.url, 'POST', CM_PATH, 201, configMap('written-via-b', { from: 'B' }));
    const rv2 = Number(viaB.metadata.resourceVersion);
    expect(rv2).toBeGreaterThan(rv1);
    await waitFor(
      () => onA.events.some((e) => e.rv === rv2),
      10_000,
      () => `watcher on A never saw ADDED written-via-b @${rv2}; it has ${JSON.stringify(onA.sequence())} ${onA.errors.join('; ')}`,
    );
    await waitFor(() => onA.events.length >= 2 && onB.events.length >= 2, 10_000, () => `A: ${onA.sequence()} B: ${onB.sequence()}`);

    const expected = [`ADDED written-via-a ${rv1}`, `ADDED written-via-b ${rv2}`];
    expect(onA.sequence()).toEqual(expected);
    expect(onB.sequence()).toEqual(expected);
    expect(onA.errors).toEqual([]);
    expect(onB.errors).toEqual([]);

    // Either replica reads the other's write.
    const readOnB = await must(b!.url, 'GET', `${CM_PATH}/written-via-a`, 200);
    expect(readOnB.metadata.uid).toBe(viaA.metadata.uid);
    expect(readOnB.data).toEqual({ from: 'A' });
  });

  it('concurrent creates, updates and deletes through both replicas reach both watchers identically, in seq order, without gaps', async () => {
    const from = await listRV(a!);
    expect(await listRV(b!)).toBe(from); // nothing written in between: the same snapshot
    const onA = await watch(a!, from);
    const onB = await watch(b!, from);

    // 120 objects. Each has a life of its own, run concurrently with the
    // others (up to 32 lives at once): create through one replica, then an
    // update (PUT with the resourceVersion just returned) through the
    // other; every third one is then merge-patched through the first
    // again, and every sixth one deleted through the second. 200 writes.
    const N = 120;
    const replicas = [a!, b!];
    interface Written {
      verb: string;
      name: string;
      rv: number;
      via: string;
    }
    const lives = Array.from({ length: N }, (_, i) => async (): Promise<Written[]> => {
      const name = `cm-${String(i).padStart(3, '0')}`;
      const first = replicas[i % 2];
      const second = replicas[(i + 1) % 2];
      const out: Written[] = [];
      const created = await must(first.url, 'POST', CM_PATH, 201, configMap(name, { step: 'created' }));
      out.push({ verb: 'create', name, rv: Number(created.metadata.resourceVersion), via: first.name });
      const updated = await must(second.url, 'PUT', `${CM_PATH}/${name}`, 200, { ...created, data: { step: 'updated' } });
      out.push({ verb: 'update', name, rv: Number(updated.metadata.resourceVersion), via: second.name });
      if (i % 3 === 0) {
        const patched = await must(first.url, 'PATCH', `${CM_PATH}/${name}`, 200, { data: { step: 'patched' } }, 'application/merge-patch+json');
        out.push({ verb: 'patch', name, rv: Number(patched.metadata.resourceVersion), via: first.name });
      }
      if (i % 6 === 0) {
        await must(second.url, 'DELETE', `${CM_PATH}/${name}`, 200);
        // The deletion's resourceVersion is checked from the watch streams below.
        out.push({ verb: 'delete', name, rv: NaN, via: second.name });
      }
      return out;
    });
    const written = (await pool(lives, 32)).flat();
    const writes = written.length;
    expect(writes).toBe(N + N + N / 3 + N / 6); // 200

    await waitFor(
      () => onA.events.length >= writes && onB.events.length >= writes,
      30_000,
      () => `A saw ${onA.events.length}/${writes}, B saw ${onB.events.length}/${writes}; errors A: ${onA.errors} B: ${onB.errors}`,
    );

    // The same sequence, event for event, object for object. (Compared as
    // values: the key order differs — a replica sends the events it wrote
    // itself as it built them, and those it read back from Postgres in
    // jsonb's key order. JSON clients do not see the difference.)
    expect(onB.sequence()).toEqual(onA.sequence());
    expect(onB.events.map((e) => e.object)).toEqual(onA.events.map((e) => e.object));
    expect(onA.errors).toEqual([]);
    expect(onB.errors).toEqual([]);

    // Strictly increasing, and without gaps: this database has no other
    // writer, so the log after `from` is exactly these writes, numbered
    // from+1 .. from+200.
    const rvs = onA.events.map((e) => e.rv);
    for (let i = 1; i < rvs.length; i++) expect(rvs[i]).toBeGreaterThan(rvs[i - 1]);
    expect(rvs).toEqual(Array.from({ length: writes }, (_, i) => from + 1 + i));

    // Every acknowledged write is in the streams, with the resourceVersion
    // its response carried, and the right event type.
    const byRV = new Map(onA.events.map((e) => [e.rv, e]));
    const typeOf: Record<string, string> = { create: 'ADDED', update: 'MODIFIED', patch: 'MODIFIED', delete: 'DELETED' };
    for (const w of written.filter((w) => w.verb !== 'delete')) {
      const e = byRV.get(w.rv);
      expect(e && `${e.type} ${e.name}`).toBe(`${typeOf[w.verb]} ${w.name}`);
    }
    const deletedNames = written.filter((w) => w.verb === 'delete').map((w) => w.name).sort();
    expect(onA.events.filter((e) => e.type === 'DELETED').map((e) => e.name).sort()).toEqual(deletedNames);

    // Per object, the events follow its life: ADDED, MODIFIED..., DELETED.
    for (const name of new Set(written.map((w) => w.name))) {
      const mine = written.filter((w) => w.name === name).map((w) => typeOf[w.verb]);
      expect(onA.events.filter((e) => e.name === name).map((e) => e.type)).toEqual(mine);
    }

    // A third watcher, opened on B after the fact from the same
    // resourceVersion, replays the same sequence from the log.
    const late = await watch(b!, from, 'B (late)');
    await waitFor(() => late.events.length >= writes, 30_000, () => `late watcher saw ${late.events.length}/${writes}; ${late.errors}`);
    expect(late.sequence()).toEqual(onA.sequence());

    // And both replicas list the same final state at the same resourceVersion.
    const [listA, listB] = await Promise.all([must(a!.url, 'GET', CM_PATH, 200), must(b!.url, 'GET', CM_PATH, 200)]);
    expect(listB.metadata.resourceVersion).toBe(listA.metadata.resourceVersion);
    expect(Number(listA.metadata.resourceVersion)).toBeGreaterThanOrEqual(from + writes);
    expect(listB.items).toEqual(listA.items);
    const live = new Set(written.map((w) => w.name).filter((n) => !deletedNames.includes(n)));
    const listed = (listA.items as Array<{ metadata: { name: string } }>).map((o) => o.metadata.name).filter((n) => n.startsWith('cm-'));
    expect(new Set(listed)).toEqual(live);
  });

  it('an update with a stale resourceVersion through one replica is a 409 Conflict after the other replica wrote', async () => {
    const created = await must(a!.url, 'POST', CM_PATH, 201, configMap('contended', { v: '0' }));
    await must(a!.url, 'PUT', `${CM_PATH}/contended`, 200, { ...created, data: { v: 'a' } });
    const stale = await request(b!.url, 'PUT', `${CM_PATH}/contended`, { ...created, data: { v: 'b' } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409 });
    expect((await must(b!.url, 'GET', `${CM_PATH}/contended`, 200)).data).toEqual({ v: 'a' });
  });

  // Last in this block: it stops replica A (a rolling restart's first step).
  it('a replica stopped with SIGTERM ends its watch streams and exits promptly, while the other replica keeps serving its watchers', async () => {
    const from = await listRV(a!);
    const onA = await watch(a!, from);
    const onB = await watch(b!, from);
    const before = await must(a!.url, 'POST', CM_PATH, 201, configMap('before-stop', {}));
    await waitFor(() => onA.events.length === 1 && onB.events.length === 1, 10_000, () => `A: ${onA.sequence()} B: ${onB.sequence()}`);

    const stopping = a!;
    const t0 = Date.now();
    stopping.proc.child.kill('SIGTERM');
    // kube-apiserver ends open watches when it shuts down, so that clients
    // move to another replica at once; a watch left open holds the process
    // until it is killed.
    const exit = await Promise.race([stopping.proc.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 10_000))]);
    const stopMs = Date.now() - t0;

    // B is unaffected either way: its watcher gets what is written through B.
    const after = await must(b!.url, 'POST', CM_PATH, 201, configMap('after-stop', {}));
    await waitFor(() => onB.events.length === 2, 10_000, () => `B: ${onB.sequence()}`);
    expect(onB.sequence()).toEqual([`ADDED before-stop ${before.metadata.resourceVersion}`, `ADDED after-stop ${after.metadata.resourceVersion}`]);

    const finalExit = await stopping.proc.exited; // however long it takes, so nothing is left running
    // (Until its stream ends, A's watcher may still get events: that is fine.)
    expect(onA.sequence()[0]).toBe(`ADDED before-stop ${before.metadata.resourceVersion}`);
    expect({ exitWithin10s: exit, finalExit }).toEqual({ exitWithin10s: 0, finalExit: 0 });
    expect(stopMs).toBeLessThan(10_000);
  });
});

describe('two apiserver replicas started at the same moment on a fresh database', () => {
  it('both come up (the built-in namespaces are created once, whichever replica wins)', async () => {
    const db = await createTestDatabase('logbook_e2e_replicas_race');
    let a: Replica | undefined;
    let b: Replica | undefined;
    try {
      const started = await Promise.allSettled([startReplica('A', db.url), startReplica('B', db.url)]);
      [a, b] = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
      for (const s of started) if (s.status === 'rejected') throw s.reason;
      for (const r of [a!, b!]) {
        const list = await must(r.url, 'GET', '/api/v1/namespaces', 200);
        const names = (list.items as Array<{ metadata: { name: string } }>).map((n) => n.metadata.name).sort();
        expect(names).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
      }
    } finally {
      await Promise.all([stopReplica(a), stopReplica(b)]);
      await db.drop();
    }
  });
});
