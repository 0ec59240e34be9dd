import * as fs from 'fs';
import * as path from 'path';
import { canIsolatePods } from '../../apps/node-agent/src/runtime/process/command';
import { TestCluster } from './cluster';
import { tempDir } from './processes';

/**
 * Volumes end to end on the `process` runtime, as root (pods get their own
 * mount namespaces, so a volume appears at its mountPath): the all-in-one
 * runs the controllers (binder, hostPath provisioner) and one node; real
 * kubectl drives them. Beside node-volumes.e2e (the fortune pod's emptyDir,
 * a ConfigMap file updated, a static PV's data): a subPath mount that is
 * not updated, downwardAPI files following the pod, a claim provisioned by
 * the default class and its directory removed with it.
 */
const describeAsRoot = canIsolatePods() ? describe : describe.skip;

const randomCidr = () => `10.${200 + Math.floor(Math.random() * 50)}.${1 + Math.floor(Math.random() * 250)}.0/24`;

describeAsRoot('volumes on the process runtime (as root)', () => {
  let c: TestCluster;
  let provisionerRoot: string;
  const node = `vol-${process.pid}`;

  beforeAll(async () => {
    provisionerRoot = tempDir('hostpath-provisioner');
    c = await TestCluster.start(
      { LOGBOOK_NODES: JSON.stringify([{ name: node, podCIDR: randomCidr() }]), LOGBOOK_HOSTPATH_PROVISIONER_ROOT: provisionerRoot },
      { allInOne: true },
    );
    await c.until(['get', 'nodes'], new RegExp(`${node}\\s+Ready`), 90_000);
  });

  afterAll(async () => {
    await c?.stop();
    if (provisionerRoot) fs.rmSync(provisionerRoot, { recursive: true, force: true });
  });

  it('a ConfigMap change reaches the mounted files of a running pod; its subPath mount keeps the old file', async () => {
    await c.ok(['create', 'configmap', 'fortune-config', '--from-literal=sleep-interval=25', '--from-literal=my-nginx-config.conf=gzip on;']);
    await c.ok(['apply', '-f', '-'], {
      stdin: `apiVersion: v1
kind: Pod
metadata:
  name: config-reader
spec:
  containers:
    - name: reader
      image: busybox
      command: ["sh", "-c", "while true; do echo \\"interval=$(cat /etc/config/sleep-interval) gzip=$(cat /etc/nginx/conf.d/gzip_in.conf) mode=$(stat -c %a /etc/nginx/conf.d/gzip_in.conf)\\"; sleep 1; done"]
      volumeMounts:
        - name: config
          mountPath: /etc/config
          readOnly: true
        - name: config
          mountPath: /etc/nginx/conf.d/gzip_in.conf
          subPath: gzip.conf
          readOnly: true
  volumes:
    - name: config
      configMap:
        name: fortune-config
        defaultMode: 0666
        items:
          - key: sleep-interval
            path: sleep-interval
          - key: my-nginx-config.conf
            path: gzip.conf
`,
    });
    await c.until(['logs', 'config-reader', '--tail', '1'], /interval=25 gzip=gzip on; mode=666/, 90_000);
    await c.ok(['patch', 'configmap', 'fortune-config', '--type', 'merge', '-p', '{"data":{"sleep-interval":"5","my-nginx-config.conf":"gzip off;"}}']);
    await c.until(['logs', 'config-reader', '--tail', '1'], /interval=5 gzip=gzip on;/, 60_000);
    await c.ok(['delete', 'pod', 'config-reader', '--grace-period=1']);
  });

  it('downwardAPI files follow the pod: kubectl label changes the labels file', async () => {
    await c.ok(['apply', '-f', '-'], {
      stdin: `apiVersion: v1
kind: Pod
metadata:
  name: downward-files
  labels:
    foo: bar
spec:
  containers:
    - name: main
      image: busybox
      command: ["sh", "-c", "while true; do echo \\"name=$(cat /etc/downward/podName) labels=$(cat /etc/downward/labels | tr '\\\\n' ',')\\"; sleep 1; done"]
      volumeMounts:
        - name: downward
          mountPath: /etc/downward
  volumes:
    - name: downward
      downwardAPI:
        items:
          - path: podName
            fieldRef:
              fieldPath: metadata.name
          - path: labels
            fieldRef:
              fieldPath: metadata.labels
`,
    });
    await c.until(['logs', 'downward-files', '--tail', '1'], /name=downward-files labels=foo="bar"/, 90_000);
    await c.ok(['label', 'pod', 'downward-files', 'tier=web']);
    await c.until(['logs', 'downward-files', '--tail', '1'], /labels=foo="bar",tier="web"/, 60_000);
    await c.ok(['delete', 'pod', 'downward-files', '--grace-period=1']);
  });

  it('a PVC-backed pod keeps its data across deletion and re-creation (a provisioned directory volume)', async () => {
    const writer = `apiVersion: v1
kind: Pod
metadata:
  name: writer
spec:
  restartPolicy: Never
  containers:
    - name: main
      image: busybox
      command: ["sh", "-c", "echo \\"run $(cat /var/data/runs 2>/dev/null | wc -l)\\" >> /var/data/runs; cat /var/data/runs"]
      volumeMounts:
        - name: data
          mountPath: /var/data
  volumes:
    - name: data
      persistentVolumeClaim:
        claimName: data
`;
    await c.ok(['apply', '-f', '-'], {
      stdin: `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 10Mi
`,
    });
    await c.until(['get', 'pvc', 'data', '-o', 'jsonpath={.status.phase}'], /Bound/, 60_000);
    await c.ok(['apply', '-f', '-'], { stdin: writer });
    await c.until(['get', 'pod', 'writer', '-o', 'jsonpath={.status.phase}'], /Succeeded/, 90_000);
    expect(await c.ok(['logs', 'writer'])).toBe('run 0\n');
    await c.ok(['delete', 'pod', 'writer', '--wait=true']);

    await c.ok(['apply', '-f', '-'], { stdin: writer });
    await c.until(['get', 'pod', 'writer', '-o', 'jsonpath={.status.phase}'], /Succeeded/, 90_000);
    expect(await c.ok(['logs', 'writer'])).toBe('run 0\nrun 1\n');

    // The data lives in the provisioner's directory; deleting the claim (reclaim Delete) removes it.
    const pv = (await c.ok(['get', 'pvc', 'data', '-o', 'jsonpath={.spec.volumeName}'])).trim();
    const dir = (await c.ok(['get', 'pv', pv, '-o', 'jsonpath={.spec.hostPath.path}'])).trim();
    expect(path.dirname(dir)).toBe(provisionerRoot);
    expect(fs.readFileSync(path.join(dir, 'runs'), 'utf8')).toBe('run 0\nrun 1\n');
    await c.ok(['delete', 'pod', 'writer', '--wait=true']);
    await c.ok(['delete', 'pvc', 'data', '--wait=true']);
    await c.until(['get', 'pv', '-o', 'name'], (out) => !out.includes(pv), 60_000);
    expect(fs.existsSync(dir)).toBe(false);
  });
});
