/**
 * The cluster DNS server against a real apiserver, asked by Node's resolver
 * (c-ares, as nslookup would ask): Services, headless Services, StatefulSet-
 * style hostnames, ExternalName, SRV, pod names, forwarding, TCP fallback.
 */
import { Resolver } from 'dns/promises';
import type { Endpoints, Service } from '@logbook/api';
import { InformerFactory, kinds, KubeClient } from '@logbook/sdk';
import { eventually, startTestApiServer, TestApiServer } from '@logbook/sdk/testing';
import { freeTcpPort } from '../proxy/testing/local-backends';
import { ClusterDns } from './dns-server';
import { publishKubeDns } from './kube-dns-service';

jest.setTimeout(120_000);

describe('ClusterDns', () => {
  let server: TestApiServer;
  let client: KubeClient;
  let informers: InformerFactory;
  let dns: ClusterDns;
  let upstreamInformers: InformerFactory;
  let upstream: ClusterDns;
  const resolver = new Resolver({ timeout: 2_000, tries: 1 });

  const service = (name: string, spec: Service['spec']): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec });
  const endpoints = (name: string, ready: Array<{ ip: string; hostname?: string }>, notReady: string[] = []): Endpoints => ({
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: 'default' },
    subsets: [{ addresses: ready, ...(notReady.length ? { notReadyAddresses: notReady.map((ip) => ({ ip })) } : {}), ports: [{ name: 'http', port: 8080 }] }],
  });

  beforeAll(async () => {
    server = await startTestApiServer();
    client = server.client;
    // A second server for another zone stands in for the upstream resolver.
    upstreamInformers = new InformerFactory(client);
    upstream = new ClusterDns(upstreamInformers, { port: await freeTcpPort(), zone: 'upstream.test', upstream: [] });
    await upstream.start();
    informers = new InformerFactory(client);
    dns = new ClusterDns(informers, { port: await freeTcpPort(), upstream: [`127.0.0.1:${upstream.address.port}`] });
    await dns.start();
    resolver.setServers([`127.0.0.1:${dns.address.port}`]);

    await client.create(kinds.Service, service('kubia', { selector: { app: 'kubia' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] }));
    await client.create(kinds.Service, service('kubia-headless', { clusterIP: 'None', ports: [{ name: 'http', port: 80, targetPort: 8080 }] }));
    await client.create(kinds.Endpoints, endpoints('kubia-headless', [{ ip: '10.244.1.5', hostname: 'kubia-0' }, { ip: '10.244.2.7', hostname: 'kubia-1' }], ['10.244.3.9']));
    await client.create(kinds.Service, service('baidu', { type: 'ExternalName', externalName: 'www.baidu.com' }));
    await client.create(kinds.Service, service('many', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }));
    await client.create(kinds.Endpoints, endpoints('many', Array.from({ length: 60 }, (_, i) => ({ ip: `10.244.9.${i + 1}` }))));
    await eventually(async () => (await resolver.resolve4('many.default.svc.cluster.local').catch(() => [])).length === 60, { what: 'the caches caught up' });
  });
  afterAll(async () => {
    await dns?.stop();
    await upstream?.stop();
    await informers?.stop();
    await upstreamInformers?.stop();
    await server?.stop();
  });

  it("answers a Service's name with its ClusterIP", async () => {
    const svc = await client.get(kinds.Service, { namespace: 'default', name: 'kubia' });
    expect(await resolver.resolve4('kubia.default.svc.cluster.local')).toEqual([svc.spec!.clusterIP]);
  });

  it('answers a headless Service with every ready pod IP, not the not-ready ones', async () => {
    expect((await resolver.resolve4('kubia-headless.default.svc.cluster.local')).sort()).toEqual(['10.244.1.5', '10.244.2.7']);
  });

  it('answers a StatefulSet pod by <hostname>.<service>', async () => {
    expect(await resolver.resolve4('kubia-1.kubia-headless.default.svc.cluster.local')).toEqual(['10.244.2.7']);
    await expect(resolver.resolve4('kubia-9.kubia-headless.default.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('answers SRV for named ports: the Service, or each endpoint of a headless one', async () => {
    expect(await resolver.resolveSrv('_http._tcp.kubia.default.svc.cluster.local')).toEqual([{ name: 'kubia.default.svc.cluster.local', port: 80, priority: 0, weight: 100 }]);
    const srv = await resolver.resolveSrv('_http._tcp.kubia-headless.default.svc.cluster.local');
    expect(srv.map((s) => [s.name, s.port]).sort()).toEqual([
      ['kubia-0.kubia-headless.default.svc.cluster.local', 8080],
      ['kubia-1.kubia-headless.default.svc.cluster.local', 8080],
    ]);
  });

  it('answers an ExternalName Service with a CNAME', async () => {
    expect(await resolver.resolveCname('baidu.default.svc.cluster.local')).toEqual(['www.baidu.com']);
  });

  it('answers pod names and says NXDOMAIN for what does not exist', async () => {
    expect(await resolver.resolve4('10-244-1-5.default.pod.cluster.local')).toEqual(['10.244.1.5']);
    await expect(resolver.resolve4('nothing.default.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('falls back to TCP when the answer does not fit a UDP datagram', async () => {
    // 60 A records are over 512 bytes: the UDP answer is truncated, c-ares asks again over TCP.
    expect(await resolver.resolve4('many.default.svc.cluster.local')).toHaveLength(60);
  });

  it('forwards names outside the cluster zone upstream', async () => {
    const svc = await client.get(kinds.Service, { namespace: 'default', name: 'kubia' });
    expect(await resolver.resolve4('kubia.default.svc.upstream.test')).toEqual([svc.spec!.clusterIP]);
  });

  it('publishes itself as kube-system/kube-dns at the clusterDNS address', async () => {
    await publishKubeDns(client, '10.96.0.10', dns.address);
    const svc = await client.get(kinds.Service, { namespace: 'kube-system', name: 'kube-dns' });
    expect(svc.spec).toMatchObject({ clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] });
    const ep = await client.get(kinds.Endpoints, { namespace: 'kube-system', name: 'kube-dns' });
    expect(ep.subsets![0]).toMatchObject({ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'dns', port: dns.address.port, protocol: 'UDP' }, { name: 'dns-tcp', port: dns.address.port, protocol: 'TCP' }] });
  });
});
