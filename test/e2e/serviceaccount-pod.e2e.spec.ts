import * as fs from 'fs';
import * as path from 'path';
import { canIsolatePods } from '../../apps/node-agent/src/runtime/process/command';
import { TestCluster } from './cluster';

/**
 * The seed's chapter 8.2 end to end, as root: a pod of the process runtime
 * (in its own network namespace) talks to the API server with its service
 * account's token — `https://kubernetes` through cluster DNS and the service
 * proxy to the API server's TLS port, the CA and token from the projected
 * volume the ServiceAccount admission plugin added — and gets what its
 * account's Role allows and 403 for the rest.
 */
const describeAsRoot = canIsolatePods() ? describe : describe.skip;

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The seed's in-pod curl, for `resource`, printing the body and then `HTTP <code>`. */
const curl = (resource: string) =>
  `curl -sS --max-time 20 -w '\\nHTTP %{http_code}\\n' --cacert ${SA_DIR}/ca.crt -H "Authorization: Bearer $TOKEN" https://kubernetes/api/v1/namespaces/$NS/${resource}`;

/** A section marker, `== NAME` in the log; spelled so the script (which the pod list echoes) does not contain it. */
const marker = (name: string) => `echo "== $(echo ${name} | tr a-z A-Z)"`;

const script = [
  `TOKEN=$(cat ${SA_DIR}/token)`,
  `NS=$(cat ${SA_DIR}/namespace)`,
  marker('files'),
  `ls ${SA_DIR}`,
  marker('pods'),
  curl('pods'),
  marker('secrets'),
  curl('secrets'),
  marker('end'),
].join('; ');

const curlPod = (name: string, serviceAccount?: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: {
    ...(serviceAccount ? { serviceAccountName: serviceAccount } : {}),
    restartPolicy: 'Never',
    containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', script] }],
  },
});

/** The section of a curl pod's log that follows `== <name>`. */
function section(log: string, name: string): string {
  name = name.toUpperCase();
  const start = log.indexOf(`== ${name}\n`);
  if (start < 0) throw new Error(`no ${name} section in:\n${log}`);
  const rest = log.slice(start + name.length + 4);
  return rest.slice(0, rest.search(/^== [A-Z]+$/m));
}

describeAsRoot('a pod talks to the API with its service account token (as root)', () => {
  let c: TestCluster;
  const cidr = `10.${200 + Math.floor(Math.random() * 50)}.${1 + Math.floor(Math.random() * 250)}.0/24`;
  const node = `sa-${process.pid}`;
  // A service range of its own: another cluster on this machine may hold 10.96.0.1 and 10.96.0.10 (its proxy binds them first).
  const services = `10.${91 + Math.floor(Math.random() * 5)}.${1 + Math.floor(Math.random() * 250)}`;

  beforeAll(async () => {
    c = await TestCluster.start(
      {
        LOGBOOK_NODES: JSON.stringify([{ name: node, podCIDR: cidr }]),
        LOGBOOK_SERVICE_CIDR: `${services}.0/24`,
        LOGBOOK_CLUSTER_DNS: `${services}.10`,
      },
      { allInOne: true },
    );
    await c.until(['get', 'nodes'], new RegExp(`${node}\\s+Ready`), 90_000);
    await c.until(['get', 'serviceaccount', 'default', '-o', 'name'], /serviceaccount\/default/, 30_000);
  });

  afterAll(async () => {
    await c?.stop();
  });

  const finishedLog = async (pod: string) => {
    await c.until(['get', 'pod', pod, '-o', 'jsonpath={.status.phase}'], /Succeeded|Failed/, 90_000);
    return c.ok(['logs', pod]);
  };

  it("runs the seed's curl with the pod's token: what the account's Role allows succeeds, the rest is 403", async () => {
    await c.ok(['create', 'serviceaccount', 'pod-reader']);
    await c.ok(['create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods']);
    await c.ok(['create', 'rolebinding', 'pod-reader', '--role=pod-reader', '--serviceaccount=default:pod-reader']);
    await c.ok(['apply', '-f', '-'], { stdin: JSON.stringify(curlPod('reader', 'pod-reader')) });

    const pod = JSON.parse(await c.ok(['get', 'pod', 'reader', '-o', 'json']));
    const volume = pod.spec.volumes.find((v: { name: string }) => v.name.startsWith('kube-api-access-'));
    expect(volume.projected.sources).toEqual([
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ]);
    expect(pod.spec.containers[0].volumeMounts).toEqual([{ name: volume.name, readOnly: true, mountPath: SA_DIR }]);

    const log = await finishedLog('reader');
    expect(section(log, 'files').split('\n').filter(Boolean)).toEqual(['ca.crt', 'namespace', 'token']);
    const pods = section(log, 'pods');
    expect(pods).toMatch(/\nHTTP 200\n$/);
    const list = JSON.parse(pods.slice(0, pods.lastIndexOf('\nHTTP')));
    expect(list.kind).toBe('PodList');
    expect(list.items.map((p: { metadata: { name: string } }) => p.metadata.name)).toContain('reader');
    const secrets = section(log, 'secrets');
    expect(secrets).toMatch(/\nHTTP 403\n$/);
    expect(JSON.parse(secrets.slice(0, secrets.lastIndexOf('\nHTTP')))).toMatchObject({
      kind: 'Status',
      code: 403,
      reason: 'Forbidden',
      message: 'secrets is forbidden: User "system:serviceaccount:default:pod-reader" cannot list resource "secrets" in API group "" in the namespace "default"',
    });
  });

  it('gives a pod without an account `default`, whose token may not list pods; the CA file is the cluster CA', async () => {
    await c.ok(['apply', '-f', '-'], { stdin: JSON.stringify(curlPod('nobody')) });
    expect(await c.ok(['get', 'pod', 'nobody', '-o', 'jsonpath={.spec.serviceAccountName}'])).toBe('default');
    const log = await finishedLog('nobody');
    expect(section(log, 'pods')).toMatch(/User \\"system:serviceaccount:default:default\\" cannot list resource \\"pods\\"[\s\S]*\nHTTP 403\n$/);
    const ca = JSON.parse(await c.ok(['get', 'configmap', 'kube-root-ca.crt', '-o', 'json'])).data['ca.crt'];
    expect(ca).toBe(fs.readFileSync(path.join(c.pkiDir, 'ca.crt'), 'utf8'));
  });

  it('mounts nothing with automountServiceAccountToken: false, and refuses a pod naming a missing account (403)', async () => {
    const quiet = curlPod('quiet');
    Object.assign(quiet.spec, { automountServiceAccountToken: false });
    // (The runtime makes mount points on the host's file system, so the directory itself may exist there.)
    quiet.spec.containers[0].command = ['sh', '-c', `cat ${SA_DIR}/token 2>&1; echo done`];
    await c.ok(['apply', '-f', '-'], { stdin: JSON.stringify(quiet) });
    expect(await c.ok(['get', 'pod', 'quiet', '-o', 'jsonpath={.spec.volumes}'])).toBe('');
    expect(await finishedLog('quiet')).toMatch(/No such file or directory[\s\S]*done/);

    const ghost = await c.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(curlPod('ghost', 'ghost')) });
    expect(ghost.code).not.toBe(0);
    expect(ghost.stderr).toContain('pods "ghost" is forbidden: error looking up service account default/ghost: serviceaccount "ghost" not found');
  });
});
