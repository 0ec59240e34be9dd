/**
 * The service proxy against a real apiserver, with local HTTP/UDP servers
 * standing in for pods: NodePort and LoadBalancer from the machine, ClusterIP
 * on its own device (when this process may create one), round robin,
 * ClientIP affinity, and no traffic to not-ready endpoints.
 */
import { createSocket } from 'dgram';
import { execFile } from 'child_process';
import { promisify } from 'util';
import type { Endpoints, Service } from '@logbook/api';
import { InformerFactory, kinds, KubeClient } from '@logbook/sdk';
import { eventually, startTestApiServer, TestApiServer } from '@logbook/sdk/testing';
import { ClusterIPInterface } from './cluster-ip-interface';
import { ServiceProxy } from './service-proxy';
import { LocalBackends, startLocalBackends } from './testing/local-backends';

jest.setTimeout(120_000);

/** A loopback address of this test's own for NodePorts, so parallel runs do not collide. */
const NODE_ADDRESS = `127.${10 + (process.pid % 200)}.${Math.floor(Math.random() * 250)}.1`;
const IFACE = `lbt${process.pid % 100000}`;

async function get(host: string, port: number): Promise<string> {
  const res = await fetch(`http://${host}:${port}/`, { signal: AbortSignal.timeout(5_000) });
  return (await res.text()).split(' ')[2] ?? '';
}
async function hits(host: string, port: number, n: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add(await get(host, port));
  return seen;
}
function udpAsk(host: string, port: number, text: string): Promise<string> {
  const s = createSocket('udp4');
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no UDP reply')), 2_000);
    s.once('message', (m) => (clearTimeout(timer), resolve(m.toString())));
    s.send(text, port, host);
  }).finally(() => s.close());
}

describe('ServiceProxy', () => {
  let server: TestApiServer;
  let client: KubeClient;
  let informers: InformerFactory;
  let proxy: ServiceProxy;
  let pods: LocalBackends;
  let canCreateInterfaces = false;

  const endpoints = (ready: string[], notReady: string[] = []): Endpoints => ({
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubia', namespace: 'default' },
    subsets: [{ addresses: ready.map((ip) => ({ ip })), ...(notReady.length ? { notReadyAddresses: notReady.map((ip) => ({ ip })) } : {}), ports: [{ name: 'http', port: pods.port }, { name: 'dns', port: pods.port, protocol: 'UDP' }] }],
  });
  const update = async <T extends Service | Endpoints>(kind: typeof kinds.Service | typeof kinds.Endpoints, name: string, change: (o: T) => void) => {
    const o = (await client.get(kind as typeof kinds.Service, { namespace: 'default', name })) as T;
    change(o);
    await client.update(kind as typeof kinds.Service, o as Service);
  };

  beforeAll(async () => {
    canCreateInterfaces = await ClusterIPInterface.available();
    pods = await startLocalBackends(3);
    server = await startTestApiServer();
    client = server.client;
    informers = new InformerFactory(client);
    proxy = new ServiceProxy(informers, { nodePortAddress: NODE_ADDRESS, clusterIPInterface: canCreateInterfaces ? IFACE : false, retryMs: 200 });
    await proxy.start();
    await client.create(kinds.Service, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubia', namespace: 'default' },
      spec: { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: pods.port }, { name: 'dns', port: 53, targetPort: pods.port, protocol: 'UDP' }] },
    });
    await client.create(kinds.Endpoints, endpoints(pods.ips));
  });
  afterAll(async () => {
    await proxy?.stop();
    informers?.stop();
    await server?.stop();
    await pods?.stop();
  });

  const nodePort = async (name = 'http') => (await client.get(kinds.Service, { namespace: 'default', name: 'kubia' })).spec!.ports!.find((p) => p.name === name)!.nodePort!;

  it('forwards the NodePort from the machine to every ready endpoint in turn', async () => {
    const port = await nodePort();
    await eventually(async () => (await get(NODE_ADDRESS, port).catch(() => '')) !== '', { what: 'the NodePort answers' });
    expect([...(await hits(NODE_ADDRESS, port, 12))].sort()).toEqual(['kubia-0', 'kubia-1', 'kubia-2']);
  });

  it('forwards UDP datagrams and their replies', async () => {
    const port = await nodePort('dns');
    const replies = new Set<string>();
    await eventually(async () => {
      replies.add((await udpAsk(NODE_ADDRESS, port, 'ping').catch(() => '')).split(':')[0]);
      return replies.size >= 3;
    }, { what: 'UDP replies from all three' });
    expect(await udpAsk(NODE_ADDRESS, port, 'hello')).toMatch(/^kubia-\d:hello$/);
  });

  it('keeps a client on one endpoint with sessionAffinity: ClientIP', async () => {
    await update<Service>(kinds.Service, 'kubia', (s) => {
      s.spec!.sessionAffinity = 'ClientIP';
      s.spec!.sessionAffinityConfig = { clientIP: { timeoutSeconds: 60 } };
    });
    const port = await nodePort();
    await eventually(async () => (await hits(NODE_ADDRESS, port, 6)).size === 1, { what: 'one endpoint only' });
    expect((await hits(NODE_ADDRESS, port, 12)).size).toBe(1);
    await update<Service>(kinds.Service, 'kubia', (s) => {
      s.spec!.sessionAffinity = 'None';
      delete s.spec!.sessionAffinityConfig;
    });
    await eventually(async () => (await hits(NODE_ADDRESS, port, 6)).size === 3, { what: 'round robin again' });
  });

  it('sends nothing to a not-ready endpoint, and resumes when it is ready again', async () => {
    const port = await nodePort();
    const [first, ...rest] = pods.ips;
    await update<Endpoints>(kinds.Endpoints, 'kubia', (e) => Object.assign(e, endpoints(rest, [first])));
    await eventually(async () => !(await hits(NODE_ADDRESS, port, 6)).has(pods.names.get(first)!), { what: `${first} out` });
    expect((await hits(NODE_ADDRESS, port, 12)).has(pods.names.get(first)!)).toBe(false);
    await update<Endpoints>(kinds.Endpoints, 'kubia', (e) => Object.assign(e, endpoints(pods.ips)));
    await eventually(async () => (await hits(NODE_ADDRESS, port, 6)).has(pods.names.get(first)!), { what: `${first} back` });
  });

  it('closes connections at once when no endpoint is ready', async () => {
    await update<Endpoints>(kinds.Endpoints, 'kubia', (e) => Object.assign(e, endpoints([], pods.ips)));
    const port = await nodePort();
    await eventually(async () => (await get(NODE_ADDRESS, port).then(() => 'answered', () => 'refused')) === 'refused', { what: 'no answer' });
    await update<Endpoints>(kinds.Endpoints, 'kubia', (e) => Object.assign(e, endpoints(pods.ips)));
  });

  it('listens on a LoadBalancer\'s ingress address at the service port', async () => {
    const lb = await client.create(kinds.Service, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubia-lb', namespace: 'default' },
      spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 8080, targetPort: pods.port }] },
    });
    const ep = endpoints(pods.ips);
    ep.metadata!.name = 'kubia-lb';
    await client.create(kinds.Endpoints, ep);
    const ip = lb.status!.loadBalancer!.ingress![0].ip!;
    await eventually(async () => (await hits(ip, 8080, 6).catch(() => new Set())).size === 3, { what: `${ip}:8080 reaches all three` });
    // Deleting the Service closes its listeners.
    await client.delete(kinds.Service, { namespace: 'default', name: 'kubia-lb' });
    await eventually(async () => (await get(ip, 8080).then(() => 'up', () => 'down')) === 'down', { what: 'listener closed' });
  });

  (process.getuid?.() === 0 ? it : it.skip)('puts ClusterIPs on a device of its own and serves them; removes the device on stop', async () => {
    if (!canCreateInterfaces) {
      console.warn('cannot create network devices here (no CAP_NET_ADMIN): ClusterIP listeners not tested');
      return;
    }
    const svc = await client.get(kinds.Service, { namespace: 'default', name: 'kubia' });
    const ip = svc.spec!.clusterIP!;
    await eventually(async () => (await hits(ip, 80, 6).catch(() => new Set())).size === 3, { what: `${ip}:80 reaches all three` });
    const { stdout } = await promisify(execFile)('ip', ['-br', 'addr', 'show', 'dev', IFACE]);
    expect(stdout).toContain(`${ip}/32`);
    await proxy.stop();
    await expect(promisify(execFile)('ip', ['link', 'show', IFACE])).rejects.toThrow();
  });
});
