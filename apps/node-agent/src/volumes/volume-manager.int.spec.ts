import type { Pod, PersistentVolume, PersistentVolumeClaim } from '@logbook/api';
import { kinds, KubeClient } from '@logbook/sdk';
import { eventually, startTestApiServer, TestApiServer } from '@logbook/sdk/testing';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { filter, take } from 'rxjs/operators';
import { VolumeManager } from './volume-manager';
import { VolumeSetUpError } from './types';

jest.setTimeout(120_000);

const NODE = 'vol-node';
const modeOf = async (p: string) => (await stat(p)).mode & 0o777;
const read = (p: string) => readFile(p, 'utf8');

describe('VolumeManager against a real apiserver', () => {
  let server: TestApiServer;
  let client: KubeClient;
  let root: string;
  let manager: VolumeManager;
  let n = 0;

  beforeAll(async () => {
    server = await startTestApiServer();
    client = server.client;
    root = await mkdtemp(join(tmpdir(), 'logbook-volumes-'));
    await client.create(kinds.Node, { metadata: { name: NODE } });
    await client.patchStatus(kinds.Node, { name: NODE }, { status: { allocatable: { cpu: '4', memory: '16Gi' }, capacity: { cpu: '4', memory: '16Gi' } } }, { type: 'merge' });
    manager = new VolumeManager({ client, rootDir: join(root, 'node'), nodeName: NODE, tokenCheckIntervalMs: 200 });
  });
  afterAll(async () => {
    await manager?.close();
    await server?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** Creates the pod (bound to the node) and returns it as stored, with its uid. */
  const createPod = (spec: Partial<NonNullable<Pod['spec']>>, labels: Record<string, string> = {}) =>
    client.create(kinds.Pod, {
      metadata: { name: `pod-${++n}`, namespace: 'default', labels },
      spec: { nodeName: NODE, containers: [{ name: 'main', image: 'busybox' }], ...spec },
    });
  const podEvents = async (pod: Pod) =>
    (await client.list(kinds.Event, { namespace: 'default', fieldSelector: `involvedObject.name=${pod.metadata!.name}` })).items.map((e) => `${e.type} ${e.reason}: ${e.message}`);
  const changeOf = (uid: string) => firstValueFrom(manager.changes$.pipe(filter((u) => u === uid), take(1)));

  it('emptyDir: one directory per pod, shared by its containers, subPath made inside it, removed with the pod', async () => {
    const pod = await createPod({
      volumes: [{ name: 'html', emptyDir: {} }, { name: 'cache', emptyDir: { medium: 'Memory' } }],
      containers: [
        { name: 'html-generator', image: 'luksa/fortune', volumeMounts: [{ name: 'html', mountPath: '/var/htdocs' }] },
        {
          name: 'web-server',
          image: 'nginx:alpine',
          volumeMounts: [
            { name: 'html', mountPath: '/usr/share/nginx/html', readOnly: true },
            { name: 'cache', mountPath: '/cache/logs', subPath: 'logs/nginx' },
          ],
        },
      ],
    });
    const uid = pod.metadata!.uid!;
    const volumes = await manager.setUp(pod);
    const dir = join(root, 'node', 'pods', uid, 'volumes', 'kubernetes.io~empty-dir', 'html');
    expect(volumes.mountsFor('html-generator')).toEqual([{ volume: 'html', hostPath: dir, containerPath: '/var/htdocs', readOnly: false }]);
    expect(volumes.mountsFor('web-server')[0]).toEqual({ volume: 'html', hostPath: dir, containerPath: '/usr/share/nginx/html', readOnly: true });
    const logs = volumes.mountsFor('web-server')[1];
    expect(logs.hostPath).toBe(join(volumes.hostPathOf('cache')!, 'logs/nginx'));
    expect((await stat(logs.hostPath)).isDirectory()).toBe(true);
    expect(await modeOf(dir)).toBe(0o777);
    expect(volumes.mountsFor('no-such-container')).toEqual([]);

    // What one container writes the other reads; a second set-up keeps it.
    await writeFile(join(dir, 'index.html'), 'fortune\n');
    const again = await manager.setUp(pod);
    expect(await read(join(again.hostPathOf('html')!, 'index.html'))).toBe('fortune\n');

    await manager.tearDown(uid);
    await expect(stat(join(root, 'node', 'pods', uid))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('hostPath: the type checks and the *OrCreate types', async () => {
    const host = join(root, 'host');
    await mkdir(host, { recursive: true });
    await writeFile(join(host, 'a-file'), 'x');
    const socketPath = join(host, 'sock');
    const sock: Server = createServer();
    await new Promise<void>((r) => sock.listen(socketPath, r));
    try {
      const ok = await createPod({
        volumes: [
          { name: 'made-dir', hostPath: { path: join(host, 'new/dir'), type: 'DirectoryOrCreate' } },
          { name: 'made-file', hostPath: { path: join(host, 'new-file'), type: 'FileOrCreate' } },
          { name: 'file', hostPath: { path: join(host, 'a-file'), type: 'File' } },
          { name: 'socket', hostPath: { path: socketPath, type: 'Socket' } },
          { name: 'anything', hostPath: { path: join(host, 'not-there') } },
        ],
        containers: [{ name: 'main', image: 'busybox', volumeMounts: [{ name: 'made-dir', mountPath: '/data' }] }],
      });
      const volumes = await manager.setUp(ok);
      expect(volumes.mountsFor('main')).toEqual([{ volume: 'made-dir', hostPath: join(host, 'new/dir'), containerPath: '/data', readOnly: false }]);
      expect((await stat(join(host, 'new/dir'))).isDirectory()).toBe(true);
      expect((await stat(join(host, 'new-file'))).isFile()).toBe(true);

      const bad = await createPod({
        volumes: [
          { name: 'not-a-dir', hostPath: { path: join(host, 'a-file'), type: 'Directory' } },
          { name: 'not-a-socket', hostPath: { path: join(host, 'a-file'), type: 'Socket' } },
        ],
      });
      const err = await manager.setUp(bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VolumeSetUpError);
      expect((err as Error).message).toBe(`MountVolume.SetUp failed for volume "not-a-dir" : hostPath type check failed: ${join(host, 'a-file')} is not a directory`);
      await eventually(async () => (await podEvents(bad)).includes(`Warning FailedMount: MountVolume.SetUp failed for volume "not-a-socket" : hostPath type check failed: ${join(host, 'a-file')} is not a socket file`), {
        what: 'FailedMount events',
      });
      expect(manager.get(bad.metadata!.uid!)).toBeUndefined();
      await manager.tearDown(ok.metadata!.uid!);
      // hostPath data is the host's: it stays.
      expect((await stat(join(host, 'new/dir'))).isDirectory()).toBe(true);
    } finally {
      sock.close();
    }
  });

  it('configMap: keys as files with modes through ..data, items, a subPath copy; an update swaps ..data atomically', async () => {
    await client.create(kinds.ConfigMap, {
      metadata: { name: 'fortune-config', namespace: 'default' },
      data: { 'sleep-interval': '25', 'my-nginx-config.conf': 'server { listen 80; }\n' },
      binaryData: { 'blob.bin': Buffer.from([0, 1, 2, 255]).toString('base64') },
    });
    const pod = await createPod({
      volumes: [
        { name: 'config', configMap: { name: 'fortune-config', defaultMode: 0o640 } },
        { name: 'picked', configMap: { name: 'fortune-config', items: [{ key: 'sleep-interval', path: 'conf/interval', mode: 0o600 }] } },
      ],
      containers: [
        {
          name: 'web-server',
          image: 'nginx:alpine',
          volumeMounts: [
            { name: 'config', mountPath: '/etc/nginx/conf.d', readOnly: true },
            { name: 'config', mountPath: '/etc/someconfig.conf', subPath: 'my-nginx-config.conf' },
          ],
        },
      ],
    });
    const uid = pod.metadata!.uid!;
    const volumes = await manager.setUp(pod);
    const dir = volumes.hostPathOf('config')!;
    expect(dir).toBe(join(root, 'node', 'pods', uid, 'volumes', 'kubernetes.io~configmap', 'config'));
    const [whole, sub] = volumes.mountsFor('web-server');
    // Read-only whatever the mount says, as kubelet mounts configMap volumes.
    expect(whole).toMatchObject({ hostPath: dir, containerPath: '/etc/nginx/conf.d', readOnly: true });
    expect(sub).toMatchObject({ hostPath: join(root, 'node', 'pods', uid, 'volume-subpaths', 'config', 'web-server', '1'), readOnly: true });

    expect((await readdir(dir)).filter((f) => !f.startsWith('..')).sort()).toEqual(['blob.bin', 'my-nginx-config.conf', 'sleep-interval']);
    expect(await readlink(join(dir, 'sleep-interval'))).toBe('..data/sleep-interval');
    const firstVersion = await readlink(join(dir, '..data'));
    expect(firstVersion).toMatch(/^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\./);
    expect(await read(join(dir, 'sleep-interval'))).toBe('25');
    expect(await modeOf(join(dir, 'sleep-interval'))).toBe(0o640);
    expect([...(await readFile(join(dir, 'blob.bin')))]).toEqual([0, 1, 2, 255]);
    const picked = volumes.hostPathOf('picked')!;
    expect(await read(join(picked, 'conf/interval'))).toBe('25');
    expect(await modeOf(join(picked, 'conf/interval'))).toBe(0o600);
    expect(await readlink(join(picked, 'conf'))).toBe('..data/conf');
    expect(await read(sub.hostPath)).toBe('server { listen 80; }\n');
    // The copy keeps the file's mode (the seed's 0666 gzip_in.conf).
    expect(await modeOf(sub.hostPath)).toBe(0o640);

    // kubectl edit: the files change in place, through a new timestamped directory.
    const changed = changeOf(uid);
    await client.patch(kinds.ConfigMap, { namespace: 'default', name: 'fortune-config' }, { data: { 'sleep-interval': '5', 'my-nginx-config.conf': 'server { listen 8080; }\n', added: 'new' } }, { type: 'merge' });
    await changed;
    await eventually(async () => (await read(join(dir, 'sleep-interval'))) === '5', { what: 'sleep-interval updated' });
    const secondVersion = await readlink(join(dir, '..data'));
    expect(secondVersion).not.toBe(firstVersion);
    await expect(lstat(join(dir, firstVersion))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await read(join(dir, 'added'))).toBe('new');
    expect(await read(join(picked, 'conf/interval'))).toBe('5');
    // The subPath mount is not updated, as in Kubernetes.
    expect(await read(sub.hostPath)).toBe('server { listen 80; }\n');

    // A key removed from the ConfigMap disappears from the volume.
    await client.patch(kinds.ConfigMap, { namespace: 'default', name: 'fortune-config' }, { data: { added: null } }, { type: 'merge' });
    await eventually(
      () =>
        lstat(join(dir, 'added')).then(
          () => false,
          () => true,
        ),
      { what: 'added removed' },
    );
    expect((await readdir(dir)).filter((f) => f.startsWith('..2')).length).toBe(1);
    await manager.tearDown(uid);
  });

  it('configMap: a missing one fails the set-up until it is created; optional ones and missing keys', async () => {
    const pod = await createPod({
      volumes: [
        { name: 'later', configMap: { name: 'created-later' } },
        { name: 'maybe', configMap: { name: 'never-created', optional: true } },
      ],
      containers: [{ name: 'main', image: 'busybox', volumeMounts: [{ name: 'later', mountPath: '/config' }] }],
    });
    const uid = pod.metadata!.uid!;
    await expect(manager.setUp(pod)).rejects.toThrow('MountVolume.SetUp failed for volume "later" : configmap "created-later" not found');
    await eventually(async () => (await podEvents(pod)).some((e) => e.startsWith('Warning FailedMount: MountVolume.SetUp failed for volume "later"')), { what: 'FailedMount' });

    const retry = changeOf(uid);
    await client.create(kinds.ConfigMap, { metadata: { name: 'created-later', namespace: 'default' }, data: { k: 'v' } });
    await retry;
    const volumes = await manager.setUp(pod);
    expect(await read(join(volumes.hostPathOf('later')!, 'k'))).toBe('v');
    expect((await readdir(volumes.hostPathOf('maybe')!)).filter((f) => !f.startsWith('..'))).toEqual([]);
    await manager.tearDown(uid);

    const missingKey = await createPod({ volumes: [{ name: 'cfg', configMap: { name: 'created-later', items: [{ key: 'nope', path: 'nope' }] } }] });
    await expect(manager.setUp(missingKey)).rejects.toThrow('configmap references non-existent config key: nope');
    await manager.tearDown(missingKey.metadata!.uid!);
  });

  it('setUpWhenReady: waits for what is missing, resolves once it appears, gives up when the pod is torn down', async () => {
    const pod = await createPod({ volumes: [{ name: 'cfg', configMap: { name: 'arrives-later' } }] });
    let settled = false;
    const ready = manager.setUpWhenReady(pod).finally(() => (settled = true));
    await eventually(async () => (await podEvents(pod)).some((e) => e.includes('configmap "arrives-later" not found')), { what: 'FailedMount' });
    expect(settled).toBe(false);
    await client.create(kinds.ConfigMap, { metadata: { name: 'arrives-later', namespace: 'default' }, data: { k: 'here' } });
    const volumes = await ready;
    expect(await read(join(volumes.hostPathOf('cfg')!, 'k'))).toBe('here');
    await manager.tearDown(pod.metadata!.uid!);

    const never = await createPod({ volumes: [{ name: 'cfg', configMap: { name: 'never-there' } }] });
    const waiting = manager.setUpWhenReady(never);
    await eventually(async () => (await podEvents(never)).some((e) => e.includes('configmap "never-there" not found')), { what: 'FailedMount' });
    // (The rejection may come while tearDown still stops the object's informer.)
    const givesUp = expect(waiting).rejects.toThrow('volumes torn down before they were set up');
    await manager.tearDown(never.metadata!.uid!);
    await givesUp;
  });

  it('secret: decoded values with the default mode 0644, modes per item', async () => {
    await client.create(kinds.Secret, {
      metadata: { name: 'fortune-https', namespace: 'default' },
      data: { 'https.cert': Buffer.from('CERT').toString('base64'), 'https.key': Buffer.from('KEY').toString('base64') },
      stringData: { foo: 'bar' },
    });
    const pod = await createPod({
      volumes: [
        { name: 'certs', secret: { secretName: 'fortune-https' } },
        { name: 'key', secret: { secretName: 'fortune-https', items: [{ key: 'https.key', path: 'tls.key', mode: 0o400 }] } },
      ],
    });
    const volumes = await manager.setUp(pod);
    const certs = volumes.hostPathOf('certs')!;
    expect(certs).toContain('kubernetes.io~secret');
    expect(await read(join(certs, 'https.cert'))).toBe('CERT');
    expect(await read(join(certs, 'foo'))).toBe('bar');
    expect(await modeOf(join(certs, 'https.cert'))).toBe(0o644);
    expect(await modeOf(join(volumes.hostPathOf('key')!, 'tls.key'))).toBe(0o400);

    await client.patch(kinds.Secret, { namespace: 'default', name: 'fortune-https' }, { data: { 'https.cert': Buffer.from('NEW').toString('base64') } }, { type: 'merge' });
    await eventually(async () => (await read(join(certs, 'https.cert'))) === 'NEW', { what: 'secret updated' });
    await manager.tearDown(pod.metadata!.uid!);
  });

  it('downwardAPI: pod fields and resources as files; labels and annotations kept current', async () => {
    const pod = await createPod(
      {
        volumes: [
          {
            name: 'downward',
            downwardAPI: {
              items: [
                { path: 'podName', fieldRef: { fieldPath: 'metadata.name' } },
                { path: 'podNamespace', fieldRef: { fieldPath: 'metadata.namespace' } },
                { path: 'podUid', fieldRef: { fieldPath: 'metadata.uid' } },
                { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
                { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
                { path: 'fooLabel', fieldRef: { fieldPath: "metadata.labels['foo']" } },
                { path: 'containerCpuRequestMilliCores', resourceFieldRef: { containerName: 'main', resource: 'requests.cpu', divisor: '1m' } },
                { path: 'containerMemoryLimitBytes', resourceFieldRef: { containerName: 'main', resource: 'limits.memory', divisor: '1' } },
                { path: 'containerCpuLimit', resourceFieldRef: { containerName: 'main', resource: 'limits.cpu' } },
              ],
            },
          },
        ],
        containers: [{ name: 'main', image: 'busybox', resources: { requests: { cpu: '15m', memory: '100Ki' }, limits: { memory: '4Mi' } } }],
      },
      { foo: 'bar' },
    );
    const volumes = await manager.setUp(pod);
    const dir = volumes.hostPathOf('downward')!;
    expect(dir).toContain('kubernetes.io~downward-api');
    expect(await read(join(dir, 'podName'))).toBe(pod.metadata!.name);
    expect(await read(join(dir, 'podNamespace'))).toBe('default');
    expect(await read(join(dir, 'podUid'))).toBe(pod.metadata!.uid);
    expect(await read(join(dir, 'labels'))).toBe('foo="bar"');
    expect(await read(join(dir, 'fooLabel'))).toBe('bar');
    expect(await read(join(dir, 'containerCpuRequestMilliCores'))).toBe('15');
    expect(await read(join(dir, 'containerMemoryLimitBytes'))).toBe(String(4 * 1024 * 1024));
    // No cpu limit: the node's allocatable.
    expect(await read(join(dir, 'containerCpuLimit'))).toBe('4');

    const before = await readlink(join(dir, '..data'));
    await client.patch(kinds.Pod, { namespace: 'default', name: pod.metadata!.name! }, { metadata: { labels: { foo: 'baz', tier: 'web' }, annotations: { key1: 'value1', multi: 'a\n"b"' } } }, { type: 'merge' });
    await eventually(async () => (await read(join(dir, 'labels'))) === 'foo="baz"\ntier="web"', { what: 'labels file updated' });
    await eventually(async () => (await read(join(dir, 'annotations'))) === 'key1="value1"\nmulti="a\\n\\"b\\""', { what: 'annotations file updated' });
    expect(await read(join(dir, 'fooLabel'))).toBe('baz');
    expect(await readlink(join(dir, '..data'))).not.toBe(before);
    await manager.tearDown(pod.metadata!.uid!);
  });

  it('projected: configMap, secret, downwardAPI and a token in one directory; with no token to be had the pod is told and the rest is mounted, then a token bound to the pod', async () => {
    await client.create(kinds.ConfigMap, { metadata: { name: 'proj-cm', namespace: 'default' }, data: { 'ca.crt': 'CA' } });
    await client.create(kinds.Secret, { metadata: { name: 'proj-secret', namespace: 'default' }, data: { password: Buffer.from('pw').toString('base64') } });
    const pod = await createPod({
      volumes: [
        {
          name: 'kube-api-access',
          projected: {
            defaultMode: 0o444,
            sources: [
              { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
              { configMap: { name: 'proj-cm', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              { secret: { name: 'proj-secret' } },
              { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
            ],
          },
        },
      ],
    });
    const volumes = await manager.setUp(pod);
    const dir = volumes.hostPathOf('kube-api-access')!;
    expect(dir).toContain('kubernetes.io~projected');
    expect(await read(join(dir, 'ca.crt'))).toBe('CA');
    expect(await read(join(dir, 'password'))).toBe('pw');
    expect(await read(join(dir, 'namespace'))).toBe('default');
    expect(await modeOf(join(dir, 'namespace'))).toBe(0o444);

    // No ServiceAccount default in this namespace: no token, the pod is told why, the rest is mounted.
    await eventually(
      async () =>
        (await podEvents(pod)).find((e) =>
          e.startsWith('Warning FailedMount: MountVolume.SetUp for volume "kube-api-access": no token for service account "default" (TokenRequest failed: serviceaccounts "default" not found)'),
        ),
      { what: 'an event saying why there is no token' },
    );
    await expect(lstat(join(dir, 'token'))).rejects.toMatchObject({ code: 'ENOENT' });

    // Once the account exists, the next check writes a token bound to the pod.
    await client.create(kinds.ServiceAccount, { metadata: { name: 'default', namespace: 'default' } });
    const token = await eventually(() => read(join(dir, 'token')).catch(() => undefined), { what: 'the token file' });
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    expect(claims['kubernetes.io']).toMatchObject({ namespace: 'default', serviceaccount: { name: 'default' }, pod: { name: pod.metadata!.name, uid: pod.metadata!.uid } });
    expect(claims.exp - claims.iat).toBe(3607);
    expect(await modeOf(join(dir, 'token'))).toBe(0o444);
    await manager.tearDown(pod.metadata!.uid!);
  });

  it('serviceAccountToken: fetched again when 80% of its lifetime has passed, swapped in like any update', async () => {
    let now = Date.now();
    const clocked = new VolumeManager({ client, rootDir: join(root, 'clocked'), nodeName: NODE, tokenCheckIntervalMs: 100, now: () => now });
    try {
      await client.create(kinds.ServiceAccount, { metadata: { name: 'robot', namespace: 'default' } });
      const pod = await createPod({
        serviceAccountName: 'robot',
        volumes: [{ name: 'token', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 600, audience: 'vault' } }] } }],
      });
      const dir = (await clocked.setUp(pod)).hostPathOf('token')!;
      const first = await read(join(dir, 'token'));
      expect(JSON.parse(Buffer.from(first.split('.')[1], 'base64url').toString('utf8')).aud).toEqual(['vault']);
      // 70% of the lifetime: still fresh.
      now += 420_000;
      await new Promise((r) => setTimeout(r, 500));
      expect(await read(join(dir, 'token'))).toBe(first);
      // Past 80%: a new token.
      now += 80_000;
      await eventually(async () => (await read(join(dir, 'token'))) !== first, { what: 'a refreshed token' });
      await clocked.tearDown(pod.metadata!.uid!);
    } finally {
      await clocked.close();
    }
  });

  it('persistentVolumeClaim: the bound PV directory; data survives the pod and is there for the next one', async () => {
    const data = join(root, 'pv-data');
    const pv: PersistentVolume = {
      metadata: { name: 'vol-pv' },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: data, type: 'DirectoryOrCreate' }, storageClassName: '' },
    };
    const pvc: PersistentVolumeClaim = {
      metadata: { name: 'vol-pvc', namespace: 'default' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '' },
    };
    await client.create(kinds.PersistentVolume, pv);
    const claim = await client.create(kinds.PersistentVolumeClaim, pvc);
    const spec = {
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'vol-pvc' } }],
      containers: [{ name: 'kubia', image: 'luksa/kubia-pet', volumeMounts: [{ name: 'data', mountPath: '/var/data' }] }],
    };
    const first = await createPod(spec);
    await expect(manager.setUp(first)).rejects.toThrow('MountVolume.SetUp failed for volume "data" : PVC default/vol-pvc has non-bound phase ("Pending") or empty pvc.Spec.VolumeName ("")');

    // Bound as the binder binds (libs/controllers/src/persistentvolume tests this with the real controller).
    await client.patch(kinds.PersistentVolume, { name: 'vol-pv' }, { spec: { claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'vol-pvc', uid: claim.metadata!.uid } } }, { type: 'merge' });
    await client.patch(kinds.PersistentVolumeClaim, { namespace: 'default', name: 'vol-pvc' }, { spec: { volumeName: 'vol-pv' } }, { type: 'merge' });
    await client.patchStatus(kinds.PersistentVolumeClaim, { namespace: 'default', name: 'vol-pvc' }, { status: { phase: 'Bound' } }, { type: 'merge' });

    const volumes = await manager.setUp(first);
    expect(volumes.mountsFor('kubia')).toEqual([{ volume: 'data', hostPath: data, containerPath: '/var/data', readOnly: false }]);
    await writeFile(join(data, 'kubia.txt'), 'posted body');
    await manager.tearDown(first.metadata!.uid!);
    expect(await read(join(data, 'kubia.txt'))).toBe('posted body');

    const second = await createPod(spec);
    const again = await manager.setUp(second);
    expect(await read(join(again.mountsFor('kubia')[0].hostPath, 'kubia.txt'))).toBe('posted body');
    await manager.tearDown(second.metadata!.uid!);
  });

  it('subPath: refuses one leading out of the volume through a symlink', async () => {
    const pod = await createPod({
      volumes: [{ name: 'scratch', emptyDir: {} }],
      containers: [{ name: 'main', image: 'busybox', volumeMounts: [{ name: 'scratch', mountPath: '/x', subPath: 'escape/etc' }] }],
    });
    const dir = join(root, 'node', 'pods', pod.metadata!.uid!, 'volumes', 'kubernetes.io~empty-dir', 'scratch');
    await mkdir(dir, { recursive: true });
    await symlink('/', join(dir, 'escape'));
    await expect(manager.setUp(pod)).rejects.toThrow(/not within volume path/);
    await manager.tearDown(pod.metadata!.uid!);
  });

  it('cleanUpOrphans removes directories of pods that are gone', async () => {
    const ghost = join(root, 'node', 'pods', 'ghost-uid', 'volumes', 'kubernetes.io~empty-dir', 'x');
    await mkdir(ghost, { recursive: true });
    const keep = await createPod({ volumes: [{ name: 'x', emptyDir: {} }] });
    await manager.setUp(keep);
    expect(await manager.cleanUpOrphans([keep.metadata!.uid!])).toEqual(['ghost-uid']);
    await expect(stat(join(root, 'node', 'pods', 'ghost-uid'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await realpath(join(root, 'node', 'pods', keep.metadata!.uid!))).toBeTruthy();
    await manager.tearDown(keep.metadata!.uid!);
  });
});
