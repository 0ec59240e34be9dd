/**
 * The Ingress controller against a real apiserver, with local HTTP servers
 * standing in for two Services' pods: two hosts and two paths, Exact and
 * Prefix, the default backend, the seed's v1beta1 form, TLS by SNI, status.
 */
import { execFile } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { request as httpRequest } from 'http';
import { request as httpsRequest } from 'https';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import type { Endpoints, Ingress, Service } from '@logbook/api';
import { InformerFactory, kindOf, kinds, KubeClient } from '@logbook/sdk';
import { eventually, startTestApiServer, TestApiServer } from '@logbook/sdk/testing';
import { LocalBackends, startLocalBackends } from '../proxy/testing/local-backends';
import { IngressController } from './ingress-controller';

jest.setTimeout(120_000);

describe('IngressController', () => {
  let server: TestApiServer;
  let client: KubeClient;
  let informers: InformerFactory;
  let ingress: IngressController;
  let kubia: LocalBackends;
  let foo: LocalBackends;

  const publish = async (name: string, pods: LocalBackends) => {
    await client.create(kinds.Service, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80, targetPort: pods.port }] } } as Service);
    await client.create(kinds.Endpoints, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: 'default' }, subsets: [{ addresses: pods.ips.map((ip) => ({ ip })), ports: [{ name: 'http', port: pods.port }] }] } as Endpoints);
  };
  const backend = (name: string) => ({ service: { name, port: { number: 80 } } });
  /** GET with a Host header (fetch would not send ours). */
  const ask = (host: string, path: string) =>
    new Promise<{ status: number; who: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: ingress.ports.http, path, headers: { host }, timeout: 5_000 }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, who: body.split(' ')[2] }));
      });
      req.on('error', reject);
      req.end();
    });

  beforeAll(async () => {
    kubia = await startLocalBackends(2, { firstIp: 20, prefix: 'kubia' });
    foo = await startLocalBackends(2, { firstIp: 30, prefix: 'foo' });
    server = await startTestApiServer();
    client = server.client;
    informers = new InformerFactory(client);
    ingress = new IngressController(client, informers, { port: 0, tlsPort: 0 });
    await ingress.start();
    await publish('kubia', kubia);
    await publish('foo', foo);
    await client.create(kinds.Ingress, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'kubia', namespace: 'default' },
      spec: {
        defaultBackend: backend('foo'),
        rules: [
          { host: 'kubia.example.com', http: { paths: [{ path: '/kubia', pathType: 'Prefix', backend: backend('kubia') }, { path: '/foo', pathType: 'Exact', backend: backend('foo') }] } },
          { host: 'foo.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('foo') }] } },
        ],
      },
    } as Ingress);
  });
  afterAll(async () => {
    await ingress?.stop();
    await informers?.stop();
    await server?.stop();
    await kubia?.stop();
    await foo?.stop();
  });

  it('routes two hosts and two paths to two Services, round robin over their pods', async () => {
    await eventually(async () => (await ask('kubia.example.com', '/kubia')).status === 200, { what: 'the rule is served' });
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add((await ask('kubia.example.com', '/kubia/x')).who);
    expect([...seen].sort()).toEqual(['kubia-0', 'kubia-1']);
    expect((await ask('kubia.example.com', '/foo')).who).toMatch(/^foo-/);
    expect((await ask('foo.example.com', '/anything')).who).toMatch(/^foo-/);
  });

  it('matches Prefix by path element and Exact exactly; the rest goes to the default backend', async () => {
    // /kubiax is not under the /kubia element, /foo/bar is not Exact /foo: both fall to defaultBackend (foo).
    expect((await ask('kubia.example.com', '/kubiax')).who).toMatch(/^foo-/);
    expect((await ask('kubia.example.com', '/foo/bar')).who).toMatch(/^foo-/);
    expect((await ask('other.example.com', '/kubia')).who).toMatch(/^foo-/);
  });

  it('sets status.loadBalancer.ingress', async () => {
    await eventually(async () => (await client.get(kinds.Ingress, { namespace: 'default', name: 'kubia' })).status?.loadBalancer?.ingress?.[0]?.ip === '127.0.0.1', { what: 'status set' });
  });

  it("serves the seed's v1beta1 Ingress (serviceName/servicePort); 404 without a default backend; 503 without endpoints", async () => {
    const v1beta1 = kindOf<Record<string, unknown>>('networking.k8s.io/v1beta1', 'Ingress');
    await client.create(v1beta1, {
      apiVersion: 'networking.k8s.io/v1beta1',
      kind: 'Ingress',
      metadata: { name: 'beta', namespace: 'default' },
      spec: { rules: [{ host: 'beta.example.com', http: { paths: [{ path: '/', backend: { serviceName: 'kubia', servicePort: 80 } }, { path: '/empty', backend: { serviceName: 'empty', servicePort: 80 } }] } }] },
    } as never);
    await client.create(kinds.Service, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'empty', namespace: 'default' }, spec: { ports: [{ port: 80 }] } } as Service);
    await eventually(async () => (await ask('beta.example.com', '/')).who?.startsWith('kubia-'), { what: 'v1beta1 rule served' });
    await eventually(async () => (await ask('beta.example.com', '/empty')).status === 503, { what: '503 without endpoints' });
    await client.delete(kinds.Ingress, { namespace: 'default', name: 'kubia' });
    await eventually(async () => (await ask('nowhere.example.com', '/')).status === 404, { what: '404 once no default backend' });
  });

  it('terminates TLS with the Secret of the tls entry naming the server (SNI)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ingress-tls-'));
    try {
      await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k'), '-out', join(dir, 'c'), '-days', '1', '-subj', '/CN=secure.example.com']);
      const b64 = (f: string) => readFileSync(join(dir, f)).toString('base64');
      await client.create(kinds.Secret, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls-secret', namespace: 'default' }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c'), 'tls.key': b64('k') } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await client.create(kinds.Ingress, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'secure', namespace: 'default' },
      spec: { tls: [{ hosts: ['secure.example.com'], secretName: 'tls-secret' }], rules: [{ host: 'secure.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('kubia') }] } }] },
    } as Ingress);
    const get = () =>
      new Promise<{ cn: string; body: string }>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port: ingress.ports.https, servername: 'secure.example.com', headers: { host: 'secure.example.com' }, rejectUnauthorized: false, path: '/' }, (res) => {
          const cn = String((res.socket as import('tls').TLSSocket).getPeerCertificate().subject?.CN);
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ cn, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const got = await eventually(async () => (await get().catch(() => undefined)) ?? undefined, { what: 'an HTTPS answer' });
    expect(got.cn).toBe('secure.example.com');
    expect(got.body).toMatch(/^You've hit kubia-/);
  });
});
