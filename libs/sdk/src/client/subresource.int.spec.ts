import { isNotFound } from '@logbook/machinery';
import { startTestApiServer, TestApiServer } from '../testing';
import { kinds, KubeClient } from '.';

describe('KubeClient.createSubresource against a real apiserver', () => {
  let server: TestApiServer;
  let client: KubeClient;

  beforeAll(async () => {
    server = await startTestApiServer();
    client = server.client;
  });
  afterAll(() => server?.stop());

  it('POSTs to a subresource of an object (a pod binding) and resolves with the answer', async () => {
    await client.create(kinds.Pod, { metadata: { name: 'to-bind', namespace: 'default' }, spec: { containers: [{ name: 'main', image: 'busybox' }] } });
    await client.createSubresource(kinds.Pod, { namespace: 'default', name: 'to-bind' }, 'binding', {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'to-bind', namespace: 'default' },
      target: { apiVersion: 'v1', kind: 'Node', name: 'node-9' },
    });
    expect((await client.get(kinds.Pod, { namespace: 'default', name: 'to-bind' })).spec?.nodeName).toBe('node-9');
  });

  it("rejects with the server's Status, and refuses a malformed subresource name before sending", async () => {
    const err = await client
      .createSubresource(kinds.Pod, { namespace: 'default', name: 'no-such-pod' }, 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'no-such-pod' }, target: { name: 'n' } })
      .catch((e: unknown) => e);
    expect(isNotFound(err)).toBe(true);
    expect(() => client.createSubresource(kinds.Pod, { namespace: 'default', name: 'x' }, '../status', {})).toThrow('not a subresource name');
  });
});
