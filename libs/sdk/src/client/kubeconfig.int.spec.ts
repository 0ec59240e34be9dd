import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startTestApiServer, TestApiServer } from '../testing';
import { kinds, KubeClient } from '.';

jest.setTimeout(120_000);

/** The client over the server's TLS port, configured by a kubeconfig (CA data and a token). */
describe('KubeClient with a kubeconfig', () => {
  let server: TestApiServer;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdk-kubeconfig-'));
    // An admin (system:masters): what is under test is TLS and the kubeconfig, not authorization.
    fs.writeFileSync(path.join(dir, 'tokens.csv'), 'sdk-secret,sdk-user,u-1,"system:masters"\n');
    server = await startTestApiServer({ env: { LOGBOOK_TOKEN_FILE: path.join(dir, 'tokens.csv') } });
  });
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const kubeconfig = (name: string, ca: string, user: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: test',
        'contexts: [{name: test, context: {cluster: c, user: u}}]',
        `clusters: [{name: c, cluster: {server: '${server.secureUrl}', certificate-authority-data: ${Buffer.from(ca).toString('base64')}}}]`,
        `users: [{name: u, user: ${user}}]`,
      ].join('\n'),
    );
    return file;
  };

  it('verifies the server with the CA and authenticates with the token', async () => {
    const client = new KubeClient({ kubeconfig: kubeconfig('ok.yaml', server.caCert(), '{token: sdk-secret}') });
    expect(client.server).toBe(server.secureUrl);
    await client.create(kinds.ConfigMap, { metadata: { name: 'via-tls', namespace: 'default' }, data: { a: '1' } });
    expect((await client.get(kinds.ConfigMap, { namespace: 'default', name: 'via-tls' })).data).toEqual({ a: '1' });
  });

  it('fails on a server its CA did not sign, and with 401 without credentials', async () => {
    // A bundle without the cluster CA (the server's own leaf certificate is no CA).
    const otherCa = fs.readFileSync(path.join(server.pkiDir, 'apiserver.crt'), 'utf8');
    const distrustful = new KubeClient({ kubeconfig: kubeconfig('bad-ca.yaml', otherCa, '{}'), requestTimeoutMs: 5_000 });
    await expect(distrustful.list(kinds.ConfigMap, { namespace: 'default' })).rejects.toMatchObject({ name: 'TransportError' });
    const anonymous = new KubeClient({ kubeconfig: kubeconfig('anon.yaml', server.caCert(), '{}') });
    await expect(anonymous.list(kinds.ConfigMap, { namespace: 'default' })).rejects.toMatchObject({ code: 401 });
  });
});
