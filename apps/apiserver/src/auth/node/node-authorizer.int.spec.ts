/**
 * The Node authorizer and NodeRestriction through a real apiserver process:
 * node identities from a token file (`system:node:<name>` in
 * `system:nodes`), objects written by the local admin.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { eventually, startTestApiServer, TestApiServer } from '@logbook/sdk/testing';
import { tokenCall } from '../testing/token-call';

jest.setTimeout(120_000);

const TOKENS = [
  'a-token,system:node:node-a,n1,"system:nodes"',
  'b-token,system:node:node-b,n2,"system:nodes"',
  'impostor-token,someone,n3,"system:nodes"',
].join('\n');

const pod = (name: string, node: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }], ...spec },
});

describe('Node authorizer and NodeRestriction', () => {
  let server: TestApiServer;
  let dir: string;

  const call = (token: string | undefined, method: string, p: string, body?: unknown) => tokenCall(server.url, token, method, p, body);
  const admin = async (method: string, p: string, body?: unknown) => {
    const r = await call(undefined, method, p, body);
    if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const status = async (token: string, method: string, p: string, body?: unknown) => (await call(token, method, p, body)).status;
  const ns = '/api/v1/namespaces/default';

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-authz-'));
    fs.writeFileSync(path.join(dir, 'tokens.csv'), TOKENS);
    server = await startTestApiServer({ env: { LOGBOOK_TOKEN_FILE: path.join(dir, 'tokens.csv') } });
    for (const name of ['node-a', 'node-b']) await admin('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name } });
    await admin('POST', `${ns}/secrets`, { metadata: { name: 'a-secret' }, data: { k: 'dg==' } });
    await admin('POST', `${ns}/secrets`, { metadata: { name: 'a-env-secret' }, data: { k: 'dg==' } });
    await admin('POST', `${ns}/secrets`, { metadata: { name: 'b-secret' }, data: { k: 'dg==' } });
    await admin('POST', `${ns}/secrets`, { metadata: { name: 'nobodys' }, data: { k: 'dg==' } });
    await admin('POST', `${ns}/configmaps`, { metadata: { name: 'a-config' }, data: { k: 'v' } });
    await admin('POST', `${ns}/serviceaccounts`, { metadata: { name: 'robot' } });
    await admin('POST', '/api/v1/persistentvolumes', { metadata: { name: 'a-volume' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/a-volume' } } });
    await admin('POST', '/api/v1/persistentvolumes', { metadata: { name: 'other-volume' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/other-volume' } } });
    await admin('POST', `${ns}/persistentvolumeclaims`, { metadata: { name: 'a-claim' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeName: 'a-volume', storageClassName: '' } });
    await admin(
      'POST',
      `${ns}/pods`,
      pod('on-a', 'node-a', {
        serviceAccountName: 'robot',
        volumes: [
          { name: 's', secret: { secretName: 'a-secret' } },
          { name: 'p', projected: { sources: [{ configMap: { name: 'a-config' } }] } },
          { name: 'd', persistentVolumeClaim: { claimName: 'a-claim' } },
        ],
        containers: [{ name: 'c', image: 'busybox', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'a-env-secret', key: 'k' } } }] }],
      }),
    );
    await admin('POST', `${ns}/pods`, pod('on-b', 'node-b', { volumes: [{ name: 's', secret: { secretName: 'b-secret' } }] }));
    // The graph follows the log: wait until node-a may read what its pod uses.
    await eventually(async () => (await status('a-token', 'GET', `${ns}/secrets/a-secret`)) === 200, { what: 'the node graph' });
  });
  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lets a node read the Secrets, ConfigMaps, claims and volumes its pods use, and nothing else of them', async () => {
    for (const p of [`${ns}/secrets/a-secret`, `${ns}/secrets/a-env-secret`, `${ns}/configmaps/a-config`, `${ns}/persistentvolumeclaims/a-claim`, '/api/v1/persistentvolumes/a-volume']) {
      expect([p, await status('a-token', 'GET', p)]).toEqual([p, 200]);
    }
    // A list or watch of one object by name, as kubelet's informers ask.
    const one = await call('a-token', 'GET', `${ns}/secrets?fieldSelector=metadata.name%3Da-secret`);
    expect(one.status).toBe(200);
    expect(one.body.items.map((s: { metadata: { name: string } }) => s.metadata.name)).toEqual(['a-secret']);

    const denied = await call('a-token', 'GET', `${ns}/secrets/b-secret`);
    expect(denied).toMatchObject({
      status: 403,
      body: {
        reason: 'Forbidden',
        message: `secrets "b-secret" is forbidden: User "system:node:node-a" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'node-a' and this object`,
      },
    });
    for (const p of [`${ns}/secrets/nobodys`, `${ns}/secrets`, '/api/v1/secrets', `${ns}/configmaps`, '/api/v1/persistentvolumes/other-volume', `${ns}/secrets?watch=true&fieldSelector=metadata.name%3Dnobodys`]) {
      expect([p, await status('a-token', 'GET', p)]).toEqual([p, 403]);
    }
    expect(await status('b-token', 'GET', `${ns}/secrets/b-secret`)).toBe(200);
    expect(await status('b-token', 'GET', `${ns}/secrets/a-secret`)).toBe(403);
    // In system:nodes without a node's name: nothing a node's pods give.
    expect(await status('impostor-token', 'GET', `${ns}/secrets/a-secret`)).toBe(403);
  });

  it("issues tokens only for the service accounts of the node's pods", async () => {
    const request = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } };
    expect(await status('a-token', 'POST', `${ns}/serviceaccounts/robot/token`, request)).toBe(201);
    expect(await status('b-token', 'POST', `${ns}/serviceaccounts/robot/token`, request)).toBe(403);
  });

  it('lets a node write only its own Node and Lease, and the pods bound to it', async () => {
    const nodeA = await admin('GET', '/api/v1/nodes/node-a');
    const nodeB = await admin('GET', '/api/v1/nodes/node-b');
    const ready = (n: any) => ({ ...n, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: new Date().toISOString() }] } }); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(await status('a-token', 'PUT', '/api/v1/nodes/node-a/status', ready(nodeA))).toBe(200);
    const other = await call('a-token', 'PUT', '/api/v1/nodes/node-b/status', ready(nodeB));
    expect(other.status).toBe(403);
    expect(other.body.message).toContain('node "node-a" is not allowed to modify node "node-b"');
    expect(await status('a-token', 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-c' } })).toBe(403);
    expect(await status('a-token', 'DELETE', '/api/v1/nodes/node-b')).toBe(403);

    const lease = (name: string, namespace = 'kube-node-lease') => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: { holderIdentity: name, leaseDurationSeconds: 40 } });
    expect(await status('a-token', 'POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', lease('node-a'))).toBe(201);
    expect(await status('a-token', 'POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', lease('node-b'))).toBe(403);
    expect(await status('a-token', 'POST', '/apis/coordination.k8s.io/v1/namespaces/default/leases', lease('node-a', 'default'))).toBe(403);

    const onA = await admin('GET', `${ns}/pods/on-a`);
    const onB = await admin('GET', `${ns}/pods/on-b`);
    const running = (p: any) => ({ ...p, status: { phase: 'Running' } }); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(await status('a-token', 'PUT', `${ns}/pods/on-a/status`, running(onA))).toBe(200);
    const foreign = await call('a-token', 'PUT', `${ns}/pods/on-b/status`, running(onB));
    expect(foreign.status).toBe(403);
    expect(foreign.body.message).toContain('node "node-a" can only update pod status for pods with spec.nodeName set to itself');
    expect(await status('a-token', 'DELETE', `${ns}/pods/on-b`)).toBe(403);
    expect(await status('a-token', 'POST', `${ns}/pods`, pod('sneaky', 'node-a'))).toBe(403);
    // Nothing the refusals touched changed.
    expect((await admin('GET', `${ns}/pods/on-b`)).metadata.resourceVersion).toBe(onB.metadata.resourceVersion);
    expect((await admin('GET', '/api/v1/nodes/node-b')).metadata.resourceVersion).toBe(nodeB.metadata.resourceVersion);
  });

  it('takes a Secret away from the node once the pod that used it is gone', async () => {
    expect(await status('a-token', 'DELETE', `${ns}/pods/on-a?gracePeriodSeconds=0`)).toBe(200);
    await eventually(async () => (await status('a-token', 'GET', `${ns}/secrets/a-secret`)) === 403, { what: 'the secret taken away' });
    expect(await status('a-token', 'GET', `${ns}/configmaps/a-config`)).toBe(403);
  });
});
