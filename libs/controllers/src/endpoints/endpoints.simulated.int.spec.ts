/**
 * The Endpoints and EndpointSlice controllers on a simulated cluster: pods
 * get IPs from their node's pod CIDR, become Ready (or not), and come and go.
 */
import type { Endpoints, Pod, Service } from '@logbook/api';
import { seed } from '../../../api/src/testing/seed-manifests';
import { ControllerManager, kinds } from '@logbook/sdk';
import { EndpointSliceReconciler, endpointSliceKind, MANAGED_BY_LABEL, MANAGED_BY_MIRRORING, SERVICE_NAME_LABEL } from '../endpointslice';
import { aNode, aPod, eventually, SimulatedCluster, startSimulatedCluster } from '../testing';
import { EndpointsReconciler, HEADLESS_LABEL } from '.';

jest.setTimeout(120_000);

describe('Endpoints and EndpointSlices on a simulated cluster', () => {
  let cluster: SimulatedCluster;
  let manager: ControllerManager;

  beforeAll(async () => {
    cluster = await startSimulatedCluster({ nodes: [aNode('node-a'), aNode('node-b')] });
    manager = new ControllerManager({ server: cluster.url, userAgent: 'controllers-under-test' });
    manager.add(new EndpointsReconciler());
    manager.add(new EndpointSliceReconciler());
    await manager.start();
  });
  afterAll(async () => {
    await manager?.stop();
    await cluster?.stop();
  });

  const client = () => cluster.client;
  const endpoints = (name: string) => client().get(kinds.Endpoints, { namespace: 'default', name }).catch(() => undefined);
  const slices = async (svc: string) => (await client().list(endpointSliceKind, { namespace: 'default', labelSelector: `${SERVICE_NAME_LABEL}=${svc}` })).items;
  const ipOf = (pod: Pod) => pod.status!.podIP!;
  const ips = (ep: Endpoints | undefined, which: 'addresses' | 'notReadyAddresses') =>
    (ep?.subsets ?? []).flatMap((s) => (s[which] ?? []).map((a) => a.ip)).sort();

  /** A seed manifest, in `default`. */
  const inDefault = <T extends { metadata?: { namespace?: string } }>(o: unknown): T => {
    const obj = o as T;
    obj.metadata = { ...(obj.metadata ?? {}), namespace: 'default' };
    return obj;
  };
  let a: Pod, b: Pod, unready: Pod;

  it("lists the seed kubia Service's ready pods at their named ports, not-ready ones apart", async () => {
    await client().create(kinds.Service, inDefault<Service>(seed.kubiaService()));
    await client().create(kinds.Pod, aPod('kubia-a').withLabels({ app: 'kubia' }).withPort(8080, 'http').withPort(8443, 'https').build());
    // Only `http`: the Service's `https` port does not resolve on this pod.
    await client().create(kinds.Pod, aPod('kubia-b').withLabels({ app: 'kubia' }).withPort(9090, 'http').build());
    await client().create(kinds.Pod, aPod('kubia-unready').withLabels({ app: 'kubia' }).withPort(8080, 'http').withPort(8443, 'https').neverReady().build());
    await client().create(kinds.Pod, aPod('other').withLabels({ app: 'other' }).withPort(8080, 'http').build());
    a = await cluster.waitForPodReady('kubia-a');
    b = await cluster.waitForPodReady('kubia-b');
    unready = await cluster.waitForPod('kubia-unready', (p) => p.status?.phase === 'Running' && !!p.status.podIP);
    const ep = await eventually(async () => {
      const e = await endpoints('kubia');
      return ips(e, 'addresses').length === 2 && ips(e, 'notReadyAddresses').length === 1 ? e : undefined;
    }, { what: 'Endpoints kubia with 2 ready and 1 not-ready address' });
    expect(new Set([ipOf(a), ipOf(b), ipOf(unready)]).size).toBe(3);
    const both = ep.subsets!.find((s) => s.ports?.length === 2)!;
    expect(both.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'https', port: 8443, protocol: 'TCP' }]);
    expect(both.addresses!.map((x) => x.ip)).toEqual([ipOf(a)]);
    expect(both.notReadyAddresses!.map((x) => x.ip)).toEqual([ipOf(unready)]);
    expect(both.addresses![0]).toMatchObject({ nodeName: a.spec!.nodeName, targetRef: { kind: 'Pod', name: 'kubia-a', namespace: 'default', uid: a.metadata!.uid } });
    const httpOnly = ep.subsets!.find((s) => s.ports?.length === 1)!;
    expect(httpOnly).toEqual({ addresses: [expect.objectContaining({ ip: ipOf(b) })], ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] });
  });

  it('mirrors them into EndpointSlices labelled with the service name', async () => {
    const found = await eventually(async () => {
      const s = await slices('kubia');
      return s.flatMap((x) => x.endpoints).length === 3 ? s : undefined;
    }, { what: 'slices of kubia with 3 endpoints' });
    const svc = await client().get(kinds.Service, { namespace: 'default', name: 'kubia' });
    for (const s of found) {
      expect(s.addressType).toBe('IPv4');
      expect(s.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Service', name: 'kubia', uid: svc.metadata!.uid, controller: true });
    }
    const byIp = new Map(found.flatMap((s) => s.endpoints.map((e) => [e.addresses[0], { e, ports: s.ports }] as const)));
    expect(byIp.get(ipOf(a))!.e.conditions).toEqual({ ready: true, serving: true, terminating: false });
    expect(byIp.get(ipOf(unready))!.e.conditions).toEqual({ ready: false, serving: false, terminating: false });
    expect(byIp.get(ipOf(b))!.ports).toEqual([{ name: 'http', port: 9090, protocol: 'TCP' }]);
  });

  it('drops a deleted pod and adds a new one', async () => {
    await client().delete(kinds.Pod, { namespace: 'default', name: 'kubia-b' });
    await client().create(kinds.Pod, aPod('kubia-c').withLabels({ app: 'kubia' }).withPort(8080, 'http').withPort(8443, 'https').build());
    const c = await cluster.waitForPodReady('kubia-c');
    await eventually(async () => {
      const ready = ips(await endpoints('kubia'), 'addresses');
      return JSON.stringify(ready) === JSON.stringify([ipOf(a), ipOf(c)].sort());
    }, { what: 'kubia-b gone and kubia-c in' });
    await eventually(async () => {
      const all = (await slices('kubia')).flatMap((s) => s.endpoints.map((e) => e.addresses[0]));
      return all.length === 3 && !all.includes(ipOf(b)) && all.includes(ipOf(c));
    }, { what: 'slices follow' });
  });

  it('marks the Endpoints of a headless Service', async () => {
    await client().create(kinds.Service, inDefault<Service>(seed.headlessService()));
    await client().create(kinds.Pod, aPod('kubia-8080').withLabels({ app: 'kubia' }).withPort(8080).build());
    await cluster.waitForPodReady('kubia-8080');
    const ep = await eventually(async () => {
      const e = await endpoints('kubia-headless');
      return ips(e, 'addresses').length >= 3 ? e : undefined;
    }, { what: 'headless endpoints' });
    expect(ep.metadata?.labels?.[HEADLESS_LABEL]).toBe('');
    // targetPort 8080 is a number: every selected pod resolves it.
    expect(ep.subsets!.every((s) => s.ports![0].port === 8080)).toBe(true);
  });

  it("keeps the seed's hand-written Endpoints of a Service without a selector, and mirrors them", async () => {
    const svc: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'external-service', namespace: 'default' }, spec: { ports: [{ port: 80 }] } };
    await client().create(kinds.Service, svc);
    const manual = inDefault<Endpoints>(seed.endpoints());
    manual.metadata!.name = 'external-service';
    await client().create(kinds.Endpoints, manual);
    const mirrored = await eventually(async () => {
      const s = await slices('external-service');
      return s.length === 1 && s[0].endpoints.length === 2 ? s[0] : undefined;
    }, { what: 'a mirrored slice' });
    expect(mirrored.metadata?.labels?.[MANAGED_BY_LABEL]).toBe(MANAGED_BY_MIRRORING);
    expect(mirrored.endpoints.map((e) => e.addresses[0]).sort()).toEqual(['220.181.38.148', '39.156.69.79']);
    expect(mirrored.ports).toEqual([{ name: '', port: 80, protocol: 'TCP' }]);
    const ep = await endpoints('external-service');
    expect(ips(ep, 'addresses')).toEqual(['220.181.38.148', '39.156.69.79']);
  });

  it("deletes a Service's Endpoints with it", async () => {
    await client().delete(kinds.Service, { namespace: 'default', name: 'kubia' });
    await eventually(async () => (await endpoints('kubia')) === undefined, { what: 'Endpoints kubia deleted' });
  });
});
