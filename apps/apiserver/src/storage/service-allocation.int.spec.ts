/**
 * The Service registry's allocations, across the wire: two apiservers on
 * one database hand out ClusterIPs and NodePorts without collisions, asked-
 * for addresses that are taken get Kubernetes' 422, deletes release.
 */
import type { Service } from '@logbook/api';
import { ApiError } from '@logbook/machinery';
import { kinds, KubeClient } from '@logbook/sdk';
import { startTestApiServer, TestApiServer, TestApiServerReplica } from '@logbook/sdk/testing';
import { Ipv4Range } from './service-allocation-ranges';

jest.setTimeout(120_000);

const svc = (name: string, spec: Service['spec'] = {}): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
});
const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected the request to fail'); }, (err: ApiError) => err);

describe('Service allocation', () => {
  let server: TestApiServer;
  let replica: TestApiServerReplica;
  let a: KubeClient;
  let b: KubeClient;
  const range = new Ipv4Range('10.96.0.0/16');

  beforeAll(async () => {
    server = await startTestApiServer();
    replica = await server.startReplica();
    a = server.client;
    b = replica.client;
  });
  afterAll(async () => {
    await replica?.stop();
    await server?.stop();
  });

  it('creates the kubernetes Service at the range\'s first address, with Endpoints at the apiserver', async () => {
    const k = await a.get(kinds.Service, { namespace: 'default', name: 'kubernetes' });
    expect(k.spec).toMatchObject({ clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], type: 'ClusterIP', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] });
    const ep = await a.get(kinds.Endpoints, { namespace: 'default', name: 'kubernetes' });
    const ports = ep.subsets!.map((s) => s.ports![0].port);
    expect(ports).toContain(Number(new URL(server.secureUrl).port));
    expect(ports).toContain(Number(new URL(replica.secureUrl).port));
    expect(ep.subsets![0].addresses![0].ip).toBe('127.0.0.1');
  });

  it('gives 40 Services created at once on two apiservers 40 different ClusterIPs in the range', async () => {
    const created = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).create(kinds.Service, svc(`many-${i}`))));
    const ips = created.map((s) => s.spec!.clusterIP!);
    expect(new Set(ips).size).toBe(40);
    for (const ip of ips) expect(range.contains(ip) && ip !== '10.96.0.1').toBe(true);
    expect(created[0].spec).toMatchObject({ clusterIPs: [ips[0]], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
  });

  it('gives an asked-for ClusterIP, refuses it to a second Service (422), and releases it on delete', async () => {
    expect((await a.create(kinds.Service, svc('fixed-1', { clusterIP: '10.96.7.7' }))).spec!.clusterIP).toBe('10.96.7.7');
    const err = await failure(b.create(kinds.Service, svc('fixed-2', { clusterIP: '10.96.7.7' })));
    expect(err.code).toBe(422);
    expect(err.message).toBe('Service "fixed-2" is invalid: spec.clusterIPs: Invalid value: ["10.96.7.7"]: failed to allocate IP 10.96.7.7: provided IP is already allocated');
    await expect(a.get(kinds.Service, { namespace: 'default', name: 'fixed-2' })).rejects.toMatchObject({ code: 404 });
    const out = await failure(a.create(kinds.Service, svc('outside', { clusterIP: '10.97.0.5' })));
    expect(out.message).toBe(
      'Service "outside" is invalid: spec.clusterIPs: Invalid value: ["10.97.0.5"]: failed to allocate IP 10.97.0.5: the provided IP (10.97.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/16',
    );
    // The same Service again is AlreadyExists, not a taken address.
    await expect(b.create(kinds.Service, svc('fixed-1', { clusterIP: '10.96.7.7' }))).rejects.toMatchObject({ code: 409, reason: 'AlreadyExists' });
    await a.delete(kinds.Service, { namespace: 'default', name: 'fixed-1' });
    expect((await b.create(kinds.Service, svc('fixed-2', { clusterIP: '10.96.7.7' }))).spec!.clusterIP).toBe('10.96.7.7');
  });

  it('allocates nothing on a dry run', async () => {
    const dry = await a.create(kinds.Service, svc('dry', { clusterIP: '10.96.8.8' }), { dryRun: true });
    expect(dry.spec!.clusterIP).toBe('10.96.8.8');
    expect((await b.create(kinds.Service, svc('after-dry', { clusterIP: '10.96.8.8' }))).spec!.clusterIP).toBe('10.96.8.8');
  });

  it('leaves headless and ExternalName Services without an address', async () => {
    expect((await a.create(kinds.Service, svc('headless', { clusterIP: 'None' }))).spec!.clusterIP).toBe('None');
    const ext = await a.create(kinds.Service, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
    expect(ext.spec!.clusterIP).toBeUndefined();
  });

  it('allocates NodePorts, gives asked-for ones once (422 after), and releases them on delete', async () => {
    const created = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).create(kinds.Service, svc(`np-${i}`, { type: 'NodePort' }))));
    const ports = created.map((s) => s.spec!.ports![0].nodePort!);
    expect(new Set(ports).size).toBe(20);
    for (const p of ports) expect(p >= 30000 && p <= 32767).toBe(true);
    await a.create(kinds.Service, svc('kubia-nodeport', { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort: 30001 }] }));
    const err = await failure(b.create(kinds.Service, svc('np-again', { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort: 30001 }] })));
    expect(err.code).toBe(422);
    expect(err.message).toBe('Service "np-again" is invalid: spec.ports[0].nodePort: Invalid value: 30001: provided port is already allocated');
    await a.delete(kinds.Service, { namespace: 'default', name: 'kubia-nodeport' });
    await b.create(kinds.Service, svc('np-again', { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort: 30001 }] }));
  });

  it('allocates a NodePort when a ClusterIP Service becomes NodePort, keeping its ClusterIP', async () => {
    const before = await a.create(kinds.Service, svc('grows'));
    const after = await a.update(kinds.Service, { ...before, spec: { ...before.spec, type: 'NodePort' } });
    expect(after.spec!.clusterIP).toBe(before.spec!.clusterIP);
    expect(after.spec!.ports![0].nodePort).toBeGreaterThanOrEqual(30000);
  });

  it('clears and releases the NodePorts of a NodePort Service turned ClusterIP (the ports as they were: Kubernetes drops them)', async () => {
    const np = await a.create(kinds.Service, svc('shrinks', { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort: 30555 }] }));
    // What `kubectl patch svc shrinks -p '{"spec":{"type":"ClusterIP"}}'` sends: the nodePort comes along.
    const after = await b.update(kinds.Service, { ...np, spec: { ...np.spec, type: 'ClusterIP' } });
    expect(after.spec!.ports![0].nodePort).toBeUndefined();
    expect(after.spec!.externalTrafficPolicy).toBeUndefined();
    expect(after.spec!.clusterIP).toBe(np.spec!.clusterIP);
    // Released: another Service may ask for it.
    const taker = await a.create(kinds.Service, svc('takes-30555', { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort: 30555 }] }));
    expect(taker.spec!.ports![0].nodePort).toBe(30555);
  });

  it('refuses (422, nothing written) a type change to ClusterIP that also asks for a new nodePort', async () => {
    const np = await a.create(kinds.Service, svc('odd', { type: 'NodePort' }));
    const err = await failure(a.update(kinds.Service, { ...np, spec: { ...np.spec, type: 'ClusterIP', ports: [{ ...np.spec!.ports![0], nodePort: 30556 }] } }));
    expect(err.code).toBe(422);
    expect(err.message).toContain("spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'");
    expect((await a.get(kinds.Service, { namespace: 'default', name: 'odd' })).spec).toMatchObject({ type: 'NodePort', ports: [{ nodePort: np.spec!.ports![0].nodePort }] });
  });

  it('clears a LoadBalancer\'s own fields and status, and releases its NodePort, when it becomes ClusterIP', async () => {
    const lb = await a.create(kinds.Service, svc('lb-shrinks', { type: 'LoadBalancer' }));
    const nodePort = lb.spec!.ports![0].nodePort!;
    const after = await a.update(kinds.Service, { ...lb, spec: { ...lb.spec, type: 'ClusterIP' } });
    expect(after.spec!.ports![0].nodePort).toBeUndefined();
    expect(after.spec!.allocateLoadBalancerNodePorts).toBeUndefined();
    expect(after.status?.loadBalancer).toEqual({});
    const taker = await b.create(kinds.Service, svc('takes-np', { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort }] }));
    expect(taker.spec!.ports![0].nodePort).toBe(nodePort);
  });

  it('gives a LoadBalancer a NodePort and a local ingress address', async () => {
    const lb = await a.create(kinds.Service, svc('lb', { type: 'LoadBalancer' }));
    expect(lb.spec!.ports![0].nodePort).toBeGreaterThanOrEqual(30000);
    const ip = lb.status?.loadBalancer?.ingress?.[0]?.ip;
    expect(new Ipv4Range('127.1.0.0/16').contains(ip ?? '')).toBe(true);
    const lb2 = await b.create(kinds.Service, svc('lb2', { type: 'LoadBalancer' }));
    expect(lb2.status?.loadBalancer?.ingress?.[0]?.ip).not.toBe(ip);
  });
});

describe('Service allocation in a crowded range', () => {
  let server: TestApiServer;
  let replica: TestApiServerReplica;
  const before = process.env.LOGBOOK_SERVICE_CIDR;

  beforeAll(async () => {
    // 29 addresses to pick from (the first is the kubernetes Service's): concurrent picks collide.
    process.env.LOGBOOK_SERVICE_CIDR = '10.123.0.0/27';
    server = await startTestApiServer();
    replica = await server.startReplica();
  });
  afterAll(async () => {
    await replica?.stop();
    await server?.stop();
    if (before === undefined) delete process.env.LOGBOOK_SERVICE_CIDR;
    else process.env.LOGBOOK_SERVICE_CIDR = before;
  });

  it('gives the loser of a race another address, not "provided IP is already allocated" for an address the client never asked for', async () => {
    const created = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? server.client : replica.client).create(kinds.Service, svc(`race-${i}`, { type: 'NodePort' }))));
    const ips = created.map((s) => s.spec!.clusterIP!);
    expect(new Set(ips).size).toBe(12);
    // Picked above the static band (.1-.16 of this /27) while it has room: .10 stays for the cluster DNS.
    for (const ip of ips) expect(Number(ip.split('.')[3])).toBeGreaterThan(16);
  });
});
