import type { Namespace } from '@logbook/api';
import { eventually, startTestApiServer, TestApiServer } from '../testing';
import { customKind, kinds } from '.';

describe('KubeClient.discover and updateSubresource against a real apiserver', () => {
  let server: TestApiServer;

  beforeAll(async () => {
    server = await startTestApiServer();
  });
  afterAll(() => server?.stop());

  it('discovers built-in resources at their preferred versions, with verbs and subresources', async () => {
    const { resources, failedGroupVersions } = await server.client.discover();
    expect(failedGroupVersions).toEqual([]);
    const pods = resources.find((r) => r.kind.group === '' && r.kind.plural === 'pods');
    expect(pods?.kind).toMatchObject({ version: 'v1', kind: 'Pod', namespaced: true });
    expect(pods?.verbs).toEqual(expect.arrayContaining(['list', 'watch', 'delete']));
    expect(pods?.subresources).toContain('status');
    const rs = resources.find((r) => r.kind.group === 'apps' && r.kind.plural === 'replicasets');
    expect(rs?.kind).toMatchObject({ version: 'v1', kind: 'ReplicaSet', namespaced: true });
    expect(rs?.subresources).toContain('scale');
    const ns = resources.find((r) => r.kind.plural === 'namespaces');
    expect(ns?.kind.namespaced).toBe(false);
    expect(ns?.subresources).toContain('finalize');
    // No subresource is listed as a resource of its own.
    expect(resources.some((r) => r.kind.plural.includes('/'))).toBe(false);
  });

  it('discovers a custom resource once its CRD is established', async () => {
    await server.client.create(kinds.CustomResourceDefinition, {
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        scope: 'Namespaced',
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    } as never);
    const widget = await eventually(async () => (await server.client.discover()).resources.find((r) => r.kind.kind === 'Widget'), { what: 'Widget in discovery' });
    expect(widget.kind).toEqual(customKind({ group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: true }));
  });

  it('finalizes a terminating namespace through PUT .../finalize, after which the server deletes it', async () => {
    await server.client.create(kinds.Namespace, { metadata: { name: 'going' } });
    await server.client.delete(kinds.Namespace, { name: 'going' });
    const terminating = await server.client.get(kinds.Namespace, { name: 'going' });
    expect(terminating.status?.phase).toBe('Terminating');
    expect(terminating.spec?.finalizers).toEqual(['kubernetes']);

    const finalized = await server.client.updateSubresource<Namespace>(kinds.Namespace, { ...terminating, spec: { finalizers: [] } }, 'finalize');
    expect(finalized.spec?.finalizers ?? []).toEqual([]);
    await eventually(async () => server.client.get(kinds.Namespace, { name: 'going' }).then(() => false, () => true), { what: 'the namespace gone' });
  });

  it('refuses a subresource name that is not one', () => {
    expect(() => server.client.updateSubresource(kinds.Namespace, { metadata: { name: 'x' } }, '../pods')).toThrow(/not a subresource/);
  });
});
