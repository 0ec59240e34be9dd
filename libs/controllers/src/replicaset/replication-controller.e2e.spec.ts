/**
 * The seed's chapter 4 with a real kubectl against a real apiserver, the
 * ReplicationController controller and the garbage collector: create the
 * kubia RC, describe it, scale it, delete a pod, and delete it with
 * --cascade=orphan (its pods stay, without owner) and without (its pods go).
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ControllerManager, kinds } from '@logbook/sdk';
import { eventually, startTestApiServer, TestApiServer } from '@logbook/sdk/testing';
import { GarbageCollector } from '../garbage-collector';
import { runWhileLeading } from '../shared';
import { ReplicaSetReconciler, ReplicationControllerReconciler } from '.';

jest.setTimeout(120_000);

/** The seed's ReplicationController manifest (chapter 4.2). */
const KUBIA_RC = `apiVersion: v1
kind: ReplicationController
metadata:
  name: kubia
spec:
  replicas: 3
  selector:
    app: kubia
  template:
    metadata:
      labels:
        app: kubia
    spec:
      containers:
        - name: kubia
          image: wuyinio/kubia
          ports:
          - containerPort: 8080
`;

describe('kubectl and the ReplicationController (seed chapter 4)', () => {
  let server: TestApiServer;
  let manager: ControllerManager;
  let unfollow: () => Promise<void>;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-rc-'));

  const kubectl = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        'kubectl',
        ['--server', server.url, '--cache-dir', path.join(home, 'cache'), ...args],
        { env: { PATH: process.env.PATH, HOME: home, KUBECONFIG: path.join(home, 'none') }, timeout: 30_000 },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const ok = async (...args: string[]) => {
    const r = await kubectl(...args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const podNames = async () => (await ok('get', 'pods', '-l', 'app=kubia', '-o', 'jsonpath={.items[*].metadata.name}')).split(/\s+/).filter(Boolean);

  beforeAll(async () => {
    server = await startTestApiServer();
    manager = new ControllerManager({ client: server.client });
    manager.add(new ReplicaSetReconciler(manager.informers));
    manager.add(new ReplicationControllerReconciler(manager.informers));
    await manager.start();
    unfollow = runWhileLeading(manager, new GarbageCollector(server.client, manager.informers));
    fs.writeFileSync(path.join(home, 'kubia-rc.yaml'), KUBIA_RC);
  });
  afterAll(async () => {
    await unfollow?.();
    await manager?.stop();
    await server?.stop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('creates, describes, scales and heals the kubia RC', async () => {
    expect(await ok('create', '-f', path.join(home, 'kubia-rc.yaml'))).toBe('replicationcontroller/kubia created\n');
    await eventually(async () => (await podNames()).length === 3, { what: 'three kubia pods' });
    for (const name of await podNames()) expect(name).toMatch(/^kubia-[a-z0-9]{5}$/);

    const rc = await eventually(async () => {
      const out = await ok('get', 'rc', 'kubia');
      return /^kubia\s+3\s+3\s+0\s+/m.test(out) ? out : undefined;
    }, { what: 'kubectl get rc: DESIRED 3 CURRENT 3 READY 0' });
    expect(rc.split('\n')[0]).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE/);

    const describe = await eventually(async () => {
      const out = await ok('describe', 'rc', 'kubia');
      return (out.match(/SuccessfulCreate/g) ?? []).length >= 1 ? out : undefined;
    }, { what: 'events in kubectl describe' });
    expect(describe).toMatch(/Selector:\s+app=kubia/);
    expect(describe).toMatch(/Replicas:\s+3 current \/ 3 desired/);
    expect(describe).toMatch(/Normal\s+SuccessfulCreate\s+.*replication-controller\s+Created pod: kubia-[a-z0-9]{5}/);

    expect(await ok('scale', 'rc', 'kubia', '--replicas=5')).toBe('replicationcontroller/kubia scaled\n');
    await eventually(async () => (await podNames()).length === 5, { what: 'five kubia pods' });

    const victim = (await podNames())[0];
    expect(await ok('delete', 'pod', victim)).toBe(`pod "${victim}" deleted\n`);
    await eventually(async () => {
      const names = await podNames();
      return names.length === 5 && !names.includes(victim);
    }, { what: 'a replacement for the deleted pod' });

    // Moving a pod out of the RC's scope by relabeling it: the RC releases it and makes another.
    const relabeled = (await podNames())[0];
    expect(await ok('label', 'pod', relabeled, 'app=foo', '--overwrite')).toBe(`pod/${relabeled} labeled\n`);
    await eventually(async () => (await podNames()).length === 5 && !(await podNames()).includes(relabeled), { what: 'five kubia pods again' });
    expect(await ok('get', 'pod', relabeled, '-o', 'jsonpath={.metadata.ownerReferences}')).toBe('');
    await ok('delete', 'pod', relabeled);
  });

  it('kubectl delete rc kubia --cascade=orphan leaves the pods running, without an owner', async () => {
    const before = await podNames();
    expect(before).toHaveLength(5);
    expect(await ok('delete', 'rc', 'kubia', '--cascade=orphan')).toBe('replicationcontroller "kubia" deleted\n');
    await eventually(async () => (await kubectl('get', 'rc', 'kubia')).code !== 0, { what: 'the RC gone' });
    expect((await podNames()).sort()).toEqual(before.sort());
    const owners = await ok('get', 'pods', '-l', 'app=kubia', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.metadata.ownerReferences}{"\\n"}{end}');
    for (const line of owners.trim().split('\n')) expect(line).toMatch(/^kubia-[a-z0-9]{5}=$/);
    const rcNotFound = await kubectl('get', 'rc', 'kubia');
    expect(rcNotFound.stderr).toContain('replicationcontrollers "kubia" not found');
  });

  it('a new RC with the same selector adopts the orphans; deleting it without --cascade deletes them', async () => {
    const orphans = await podNames();
    await ok('create', '-f', path.join(home, 'kubia-rc.yaml'));
    const rc = await server.client.get(kinds.ReplicationController, { namespace: 'default', name: 'kubia' });
    // Five orphans match; the RC wants three: it adopts them and deletes two.
    await eventually(async () => {
      const pods = (await server.client.list(kinds.Pod, { namespace: 'default', labelSelector: 'app=kubia' })).items.filter((p) => !p.metadata?.deletionTimestamp);
      return pods.length === 3 && pods.every((p) => p.metadata?.ownerReferences?.[0]?.uid === rc.metadata?.uid && orphans.includes(p.metadata!.name!));
    }, { what: 'three adopted pods' });
    expect(await ok('delete', 'rc', 'kubia')).toBe('replicationcontroller "kubia" deleted\n');
    await eventually(async () => (await podNames()).length === 0, { what: 'the pods collected' });
  });
});
