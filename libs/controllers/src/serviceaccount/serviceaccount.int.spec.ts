import { ControllerManager, kinds, KubeClient } from '@logbook/sdk';
import { eventually, startTestApiServer, TestApiServer } from '@logbook/sdk/testing';
import { DEFAULT_SERVICE_ACCOUNT, ROOT_CA_CONFIGMAP, ServiceAccountReconciler } from '.';

jest.setTimeout(120_000);

describe('service account controller and root CA publisher', () => {
  let server: TestApiServer;
  let client: KubeClient;
  let manager: ControllerManager;
  let ca: string;

  beforeAll(async () => {
    server = await startTestApiServer();
    ca = server.caCert();
    // The manager trusts the cluster CA: that is the CA it publishes.
    client = new KubeClient({ server: server.url, ca });
    manager = new ControllerManager({ client });
    manager.add(new ServiceAccountReconciler());
    await manager.start();
  });
  afterAll(async () => {
    await manager?.stop();
    await server?.stop();
  });

  const sa = (namespace: string) => client.get(kinds.ServiceAccount, { namespace, name: DEFAULT_SERVICE_ACCOUNT }).catch(() => undefined);
  const rootCa = (namespace: string) => client.get(kinds.ConfigMap, { namespace, name: ROOT_CA_CONFIGMAP }).catch(() => undefined);

  it('gives every namespace, old and new, a default ServiceAccount and the kube-root-ca.crt ConfigMap', async () => {
    await client.create(kinds.Namespace, { metadata: { name: 'fresh' } });
    for (const ns of ['default', 'kube-system', 'kube-public', 'fresh']) {
      await eventually(async () => !!(await sa(ns)) && (await rootCa(ns))?.data?.['ca.crt'] === ca, { what: `${ns}'s account and CA` });
    }
    expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(Object.keys((await rootCa('fresh'))!.data!)).toEqual(['ca.crt']);
  });

  it('recreates a deleted default ServiceAccount and restores a changed CA ConfigMap', async () => {
    await eventually(async () => !!(await sa('default')), { what: 'the default account' });
    const first = await sa('default');
    await client.delete(kinds.ServiceAccount, { namespace: 'default', name: DEFAULT_SERVICE_ACCOUNT });
    await eventually(async () => {
      const again = await sa('default');
      return !!again && again.metadata?.uid !== first?.metadata?.uid;
    }, { what: 'a new default account' });

    await eventually(async () => !!(await rootCa('default')), { what: 'the CA ConfigMap' });
    const cm = (await rootCa('default'))!;
    await client.update(kinds.ConfigMap, { ...cm, data: { 'ca.crt': 'not a CA', extra: 'x' } });
    await eventually(async () => JSON.stringify((await rootCa('default'))?.data) === JSON.stringify({ 'ca.crt': ca }), { what: 'the CA restored' });
  });
});
