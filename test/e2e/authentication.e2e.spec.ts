import { generateKeyPairSync } from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import { createCa, issueCert } from '../../apps/apiserver/src/auth/pki';
import { ServiceAccountTokens } from '../../apps/apiserver/src/auth/tokens';
import { TestCluster } from './cluster';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Authentication over the real TLS port: client certificates from the
 * cluster CA, ServiceAccount tokens from the TokenRequest API (and their
 * binding to a pod), and what is refused with 401.
 */
describe('authentication', () => {
  let c: TestCluster;
  let ca: string;

  /** A request to the TLS port trusting the cluster CA, with optional credentials. */
  function call(method: string, p: string, creds: { token?: string; cert?: string; key?: string } = {}, body?: unknown): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (creds.token) headers.Authorization = `Bearer ${creds.token}`;
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const req = https.request(`${c.secureUrl}${p}`, { method, headers, ca, cert: creds.cert, key: creds.key }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  const whoami = async (creds: { token?: string; cert?: string; key?: string }) => {
    const r = await call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', creds, { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
    return r.status === 201 ? (r.body.status as { userInfo: Record<string, unknown> }).userInfo : r;
  };

  const tokenRequest = async (sa: string, spec: Record<string, unknown>) =>
    call('POST', `/api/v1/namespaces/default/serviceaccounts/${sa}/token`, await certOf(c.kubeconfig), { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec });

  beforeAll(async () => {
    c = await TestCluster.start();
    ca = fs.readFileSync(path.join(c.pkiDir, 'ca.crt'), 'utf8');
    await c.ok(['create', 'serviceaccount', 'robot']);
    // Authentication is under test here, not authorization: the users these tests make (group dev, the robot account) may do anything.
    await c.ok(['create', 'clusterrolebinding', 'authn-e2e', '--clusterrole=cluster-admin', '--group=dev', '--serviceaccount=default:robot']);
  }, 90_000);
  afterAll(() => c?.stop());

  it('answers a request without credentials with 401 and a Status', async () => {
    const r = await call('GET', '/api/v1/namespaces/default/pods');
    expect(r).toEqual({ status: 401, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 } });
  });

  it('knows a client certificate user by CN and groups by O, and records it in the history', async () => {
    const kubeconfig = await c.kubeconfigFor('jane', ['dev', 'ops']);
    const me = JSON.parse(await c.ok(['auth', 'whoami', '-o', 'json'], { kubeconfig }));
    expect(me.status.userInfo).toEqual({ username: 'jane', groups: ['dev', 'ops', 'system:authenticated'] });
    await c.ok(['create', 'configmap', 'by-jane', '--from-literal=a=b'], { kubeconfig });
    const history = await call('GET', '/apis/logbook.io/v1/namespaces/default/history?kind=ConfigMap&name=by-jane', {
      ...(await certOf(kubeconfig)),
    });
    expect((history.body.items as Array<{ actor: unknown }>)[0].actor).toEqual({ username: 'jane', groups: ['dev', 'ops', 'system:authenticated'] });
  });

  it('refuses a client certificate another CA signed', async () => {
    const otherCa = await createCa('not-the-cluster-ca');
    const stranger = await issueCert(otherCa, { commonName: 'admin', organizations: ['system:masters'] });
    expect((await call('GET', '/api/v1/namespaces', stranger)).status).toBe(401);
  });

  it('mints ServiceAccount tokens (kubectl create token) that authenticate as the service account', async () => {
    const token = (await c.ok(['create', 'token', 'robot', '--duration', '10m'])).trim();
    expect(await whoami({ token })).toMatchObject({
      username: 'system:serviceaccount:default:robot',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
    });
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: 'https://kubernetes.default.svc.cluster.local', sub: 'system:serviceaccount:default:robot', aud: ['https://kubernetes.default.svc.cluster.local'] });
    expect((claims.exp as number) - (claims.iat as number)).toBe(600);
    expect((await call('GET', '/api/v1/namespaces/default/configmaps', { token })).status).toBe(200);
  });

  it('voids a token bound to a pod once the pod is deleted', async () => {
    await c.ok(['apply', '-f', '-'], {
      stdin: 'apiVersion: v1\nkind: Pod\nmetadata: {name: holder}\nspec:\n  serviceAccountName: robot\n  containers: [{name: c, image: busybox}]\n',
    });
    const token = (await c.ok(['create', 'token', 'robot', '--bound-object-kind', 'Pod', '--bound-object-name', 'holder'])).trim();
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { 'kubernetes.io': { pod: { name: string } } };
    expect(claims['kubernetes.io'].pod.name).toBe('holder');
    expect(await whoami({ token })).toMatchObject({ username: 'system:serviceaccount:default:robot', extra: { 'authentication.kubernetes.io/pod-name': ['holder'] } });
    await c.ok(['delete', 'pod', 'holder', '--grace-period=0', '--force']);
    await c.until(['get', 'pods', '-o', 'name'], (out) => !out.includes('holder'));
    expect((await call('GET', '/api/v1/namespaces/default/configmaps', { token })).status).toBe(401);
  });

  it('voids a token (cached after its first use) at once when its service account is deleted', async () => {
    await c.ok(['create', 'serviceaccount', 'doomed']);
    const token = (await c.ok(['create', 'token', 'doomed'])).trim();
    // Authenticated (and, with no role, forbidden): not 401.
    for (let i = 0; i < 3; i++) expect((await call('GET', '/api/v1/namespaces/default/configmaps', { token })).status).toBe(403);
    await c.ok(['delete', 'serviceaccount', 'doomed']);
    // Well within the cache's 10 s: the deletion itself voids the cached token.
    const start = Date.now();
    while ((await call('GET', '/api/v1/namespaces/default/configmaps', { token })).status !== 401) {
      if (Date.now() - start > 2_000) throw new Error('the token still works 2 s after its account was deleted');
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it('rejects forged, tampered and expired tokens', async () => {
    const saKey = fs.readFileSync(path.join(c.pkiDir, 'sa.key'), 'utf8');
    const uid = JSON.parse(await c.ok(['get', 'sa', 'robot', '-o', 'json'])).metadata.uid as string;
    const spec = { namespace: 'default', serviceAccount: { name: 'robot', uid }, expirationSeconds: 600 };
    // The cluster's key, valid claims: accepted (the control for the cases below).
    expect((await call('GET', '/api/v1/namespaces/default/configmaps', { token: new ServiceAccountTokens(saKey).issue(spec).token })).status).toBe(200);
    const foreignKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const forged = new ServiceAccountTokens(foreignKey).issue(spec).token;
    const expired = new ServiceAccountTokens(saKey, undefined, () => Date.now() - 3600_000).issue(spec).token;
    const valid = new ServiceAccountTokens(saKey).issue(spec).token;
    const [h, , s] = valid.split('.');
    const longer = { ...decode(valid), exp: (decode(valid).exp as number) + 10 * 365 * 86400 };
    const tampered = [h, Buffer.from(JSON.stringify(longer)).toString('base64url'), s].join('.');
    for (const token of [forged, expired, tampered, 'not-a-token']) {
      const r = await call('GET', '/api/v1/namespaces/default/configmaps', { token });
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized' });
    }
  });

  it('answers bad TokenRequests as kube-apiserver does', async () => {
    const short = await tokenRequest('robot', { expirationSeconds: 60 });
    expect(short.status).toBe(422);
    expect(short.body.message).toBe('TokenRequest.authentication.k8s.io "robot" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes');
    const missing = await tokenRequest('nobody', {});
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('serviceaccounts "nobody" not found');
    await c.ok(['create', 'secret', 'generic', 'anchor', '--from-literal=k=v']);
    const stale = await tokenRequest('robot', { boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 'anchor', uid: 'not-its-uid' } });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toContain('does not match the UID in record');
    const ok = await tokenRequest('robot', { boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 'anchor' } });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ kind: 'TokenRequest', spec: { expirationSeconds: 3600, audiences: ['https://kubernetes.default.svc.cluster.local'] } });
  });
});

function decode(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
}

/** The client certificate and key inside a kubeconfig written by TestCluster. */
async function certOf(kubeconfig: string): Promise<{ cert: string; key: string }> {
  const text = fs.readFileSync(kubeconfig, 'utf8');
  const field = (name: string) => Buffer.from(new RegExp(`${name}: (\\S+)`).exec(text)![1], 'base64').toString();
  return { cert: field('client-certificate-data'), key: field('client-key-data') };
}
