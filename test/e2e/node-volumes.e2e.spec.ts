import * as fs from 'fs';
import { canIsolatePods } from '../../apps/node-agent/src/runtime/process/command';
import { seed } from '../../libs/api/src/testing/seed-manifests';
import { TestCluster } from './cluster';
import { tempDir } from './processes';

/**
 * Volumes in the process runtime, as root: the node's VolumeManager sets
 * them up and each container sees them bind-mounted at their mountPath.
 */
const describeAsRoot = canIsolatePods() ? describe : describe.skip;

async function httpGet(url: string, init?: RequestInit): Promise<string> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
  return res.text();
}

describeAsRoot('volumes of process pods (as root)', () => {
  let c: TestCluster;
  const pvDir = tempDir('logbook-pv');
  const node = `vol-${process.pid}`;
  const cidr = `10.${200 + Math.floor(Math.random() * 50)}.${1 + Math.floor(Math.random() * 250)}.0/24`;
  const json = async (args: string[]) => JSON.parse(await c.ok([...args, '-o', 'json']));
  const podIP = async (name: string) => {
    await c.until(['get', 'pod', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'], /True/, 90_000);
    return (await json(['get', 'pod', name])).status.podIP as string;
  };

  beforeAll(async () => {
    c = await TestCluster.start({ LOGBOOK_NODES: JSON.stringify([{ name: node, podCIDR: cidr }]) }, { allInOne: true });
    await c.until(['get', 'nodes'], new RegExp(`${node}\\s+Ready`), 90_000);
  });

  afterAll(async () => {
    await c?.stop();
    fs.rmSync(pvDir, { recursive: true, force: true });
  });

  it("serves the seed's fortune pod: fortuneloop writes into the emptyDir that nginx serves", async () => {
    await c.ok(['apply', '-f', '-'], { stdin: JSON.stringify(seed.fortunePod()) });
    const ip = await podIP('fortune');
    const page = await httpGet(`http://${ip}/`);
    expect(page.trim().length).toBeGreaterThan(10);
    expect(page).not.toMatch(/404 Not Found/);
    expect(await c.ok(['logs', 'fortune', '-c', 'html-generator'])).toMatch(/Writing fortune to \/var\/htdocs\/index.html/);
  });

  it('updates a mounted ConfigMap file in place when the ConfigMap changes', async () => {
    await c.ok(['create', 'configmap', 'greeting', '--from-literal=hello=first']);
    await c.ok(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'reader' },
        spec: {
          containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'while true; do echo "now: $(cat /etc/config/hello)"; sleep 1; done'], volumeMounts: [{ name: 'config', mountPath: '/etc/config' }] }],
          volumes: [{ name: 'config', configMap: { name: 'greeting' } }],
        },
      }),
    });
    await c.until(['logs', 'reader', '--tail', '1'], /now: first/, 90_000);
    await c.ok(['patch', 'configmap', 'greeting', '-p', '{"data":{"hello":"second"}}']);
    await c.until(['logs', 'reader', '--tail', '1'], /now: second/, 90_000);
  });

  it('keeps a PVC-backed pod\'s data across its deletion and re-creation', async () => {
    const pv = seed.persistentVolume();
    pv.metadata.name = 'pet-pv';
    pv.spec.hostPath.path = pvDir;
    const pvc = seed.persistentVolumeClaim();
    pvc.metadata.name = 'pet-data';
    for (const m of [pv, pvc]) await c.ok(['apply', '-f', '-'], { stdin: JSON.stringify(m) });
    await c.until(['get', 'pvc', 'pet-data', '-o', 'jsonpath={.status.phase}'], /Bound/, 60_000);
    const pet = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pet' },
      spec: {
        containers: [{ name: 'kubia', image: 'yinzige/kubia-pet', ports: [{ containerPort: 8080 }], volumeMounts: [{ name: 'data', mountPath: '/var/data' }] }],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'pet-data' } }],
      },
    });
    await c.ok(['apply', '-f', '-'], { stdin: pet });
    let ip = await podIP('pet');
    expect(await httpGet(`http://${ip}:8080/`, { method: 'POST', body: 'remember me' })).toBe('Data stored on pod pet\n');
    expect(fs.readFileSync(`${pvDir}/kubia.txt`, 'utf8')).toBe('remember me');
    await c.ok(['delete', 'pod', 'pet']);
    await c.ok(['apply', '-f', '-'], { stdin: pet });
    ip = await podIP('pet');
    expect(await httpGet(`http://${ip}:8080/`)).toBe("You've hit pet\nData stored on this pod: remember me\n");
  });
});
