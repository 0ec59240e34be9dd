import { createDefaultScheme, CustomResourceDefinition } from '@logbook/api';
import { GVK_EXTENSION, JSONSchema } from './definitions';
import { openApiHash, openApiV2Document, openApiV3Document, openApiV3Root, openApiV3Serialized } from './documents';
import { schemaRegistry } from './schema-registry';

type Op = Record<string, unknown> & { parameters?: JSONSchema[] };
const op = (doc: { paths: Record<string, Record<string, unknown>> }, path: string, method: string) => doc.paths[path]?.[method] as Op | undefined;

/** kubectl's supportsQueryParamV3: a patch operation with the kind's GVK and the query parameter. */
function supportsFieldValidation(doc: { paths: Record<string, Record<string, unknown>> }, gvk: { group: string; version: string; kind: string }): boolean {
  for (const item of Object.values(doc.paths)) {
    const patch = item.patch as Op | undefined;
    const ext = patch?.[GVK_EXTENSION] as Record<string, string> | undefined;
    if (!ext || ext.group !== gvk.group || ext.version !== gvk.version || ext.kind !== gvk.kind) continue;
    return (patch!.parameters ?? []).some((p) => p.name === 'fieldValidation' && p.in === 'query');
  }
  return false;
}

function refsIn(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, out));
  else if (node && typeof node === 'object') {
    const r = (node as JSONSchema).$ref;
    if (typeof r === 'string') out.add(r);
    Object.values(node).forEach((n) => refsIn(n, out));
  }
  return out;
}

const crontabs: CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'crontabs.stable.example.com' },
  spec: {
    group: 'stable.example.com',
    names: { plural: 'crontabs', kind: 'CronTab' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { cronSpec: { type: 'string' } } } } } },
      },
    ],
  },
};

describe('/openapi/v3', () => {
  const scheme = createDefaultScheme();

  it('lists every served group/version with the hash of its document', () => {
    const root = openApiV3Root(scheme);
    const expected = [...scheme.groupVersions().flatMap((g) => g.versions.map((v) => (g.group ? `apis/${g.group}/${v}` : `api/${v}`))), 'apis/logbook.io/v1'];
    expect(Object.keys(root.paths).sort()).toEqual(expected.sort());
    expect(root.paths['apis/apps/v1'].serverRelativeURL).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);
    const hash = root.paths['api/v1'].serverRelativeURL.split('hash=')[1];
    expect(hash).toBe(openApiHash(JSON.stringify(openApiV3Document(scheme, 'api/v1'))));
    expect(openApiV3Serialized(scheme, '/openapi/v3/api/v1?hash=x')).toEqual({ json: JSON.stringify(openApiV3Document(scheme, 'api/v1')), hash });
  });

  it('serves a document per group/version with every verb of every resource', () => {
    const doc = openApiV3Document(scheme, 'apis/apps/v1')!;
    expect(doc.openapi).toBe('3.0.0');
    expect(doc.info.title).toBe('Kubernetes');
    const item = '/apis/apps/v1/namespaces/{namespace}/deployments/{name}';
    const collection = '/apis/apps/v1/namespaces/{namespace}/deployments';
    const actions = {
      [`${collection} get`]: 'list',
      [`${collection} post`]: 'post',
      [`${collection} delete`]: 'deletecollection',
      [`${item} get`]: 'get',
      [`${item} put`]: 'put',
      [`${item} patch`]: 'patch',
      [`${item} delete`]: 'delete',
      ['/apis/apps/v1/deployments get']: 'list',
      ['/apis/apps/v1/watch/namespaces/{namespace}/deployments get']: 'watchlist',
      ['/apis/apps/v1/watch/namespaces/{namespace}/deployments/{name} get']: 'watch',
    };
    for (const [where, action] of Object.entries(actions)) {
      const [path, method] = where.split(' ');
      expect([where, op(doc, path, method)?.['x-kubernetes-action']]).toEqual([where, action]);
      expect(op(doc, path, method)?.[GVK_EXTENSION]).toEqual({ group: 'apps', kind: 'Deployment', version: 'v1' });
    }
    const patch = op(doc, item, 'patch')!;
    expect(patch.operationId).toBe('patchAppsV1NamespacedDeployment');
    expect(patch.parameters!.map((p) => p.name)).toEqual(['dryRun', 'fieldManager', 'fieldValidation', 'force']);
    expect(patch.parameters!.find((p) => p.name === 'fieldValidation')).toMatchObject({ in: 'query', schema: { type: 'string' } });
    expect(Object.keys((patch.requestBody as { content: object }).content)).toEqual(
      expect.arrayContaining(['application/strategic-merge-patch+json', 'application/apply-patch+yaml']),
    );
    expect((doc.paths[item].parameters as JSONSchema[]).map((p) => [p.name, p.in])).toEqual([['name', 'path'], ['namespace', 'path'], ['pretty', 'query']]);
    expect(op(doc, collection, 'get')!.parameters!.map((p) => p.name)).toEqual(expect.arrayContaining(['labelSelector', 'fieldSelector', 'limit', 'continue', 'watch']));
    // Subresources speak their own kind.
    expect(op(doc, `${item}/scale`, 'patch')![GVK_EXTENSION]).toEqual({ group: 'autoscaling', kind: 'Scale', version: 'v1' });
    expect(op(doc, `${item}/status`, 'put')![GVK_EXTENSION]).toEqual({ group: 'apps', kind: 'Deployment', version: 'v1' });
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['io.k8s.api.apps.v1.Deployment', 'io.k8s.api.apps.v1.DeploymentList', 'io.k8s.api.autoscaling.v1.Scale', 'io.k8s.api.core.v1.Container', 'io.k8s.apimachinery.pkg.apis.meta.v1.Status', 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch']),
    );
    expect(doc.components.schemas['io.k8s.api.batch.v1.Job']).toBeUndefined();
  });

  it('is self-contained: every $ref resolves inside the document', () => {
    for (const path of Object.keys(openApiV3Root(scheme).paths)) {
      const doc = openApiV3Document(scheme, path)!;
      const missing = [...refsIn(doc)].filter((r) => !doc.components.schemas[r.replace('#/components/schemas/', '')]);
      expect([path, missing]).toEqual([path, []]);
    }
  });

  it('advertises fieldValidation on the patch of every patchable kind, as kubectl checks it', () => {
    for (const d of scheme.all().filter((r) => r.verbs.includes('patch'))) {
      const doc = openApiV3Document(scheme, d.group ? `apis/${d.group}/${d.version}` : `api/${d.version}`)!;
      expect([d.kind, d.version, supportsFieldValidation(doc, d)]).toEqual([d.kind, d.version, true]);
    }
  });

  it('shapes cluster-scoped resources and limited verbs', () => {
    const doc = openApiV3Document(scheme, 'api/v1')!;
    expect(op(doc, '/api/v1/namespaces/{name}', 'patch')).toBeDefined();
    expect(op(doc, '/api/v1/namespaces', 'delete')).toBeUndefined(); // no deletecollection for namespaces
    expect(op(doc, '/api/v1/namespaces/{name}/finalize', 'put')).toBeDefined();
    expect(op(doc, '/api/v1/namespaces/{namespace}/bindings', 'post')).toBeDefined();
    expect(op(doc, '/api/v1/namespaces/{namespace}/bindings/{name}', 'get')).toBeUndefined();
    expect(op(doc, '/api/v1/namespaces/{namespace}/pods/{name}/exec', 'post')).toMatchObject({ 'x-kubernetes-action': 'connect' });
    expect(openApiV3Document(scheme, 'apis/nope/v1')).toBeUndefined();
  });

  it('is cached per generation and rebuilt when a CRD arrives', () => {
    const own = createDefaultScheme();
    const root = openApiV3Root(own);
    const apps = openApiV3Document(own, 'apis/apps/v1');
    expect(openApiV3Root(own)).toBe(root);
    expect(openApiV3Document(own, 'apis/apps/v1')).toBe(apps);
    schemaRegistry(own).registerCRD(crontabs);
    own.registerCRD(crontabs);
    const after = openApiV3Root(own);
    expect(after).not.toBe(root);
    expect(after.paths['apis/apps/v1']).toEqual(root.paths['apis/apps/v1']); // same content, same hash
    expect(after.paths['apis/stable.example.com/v1'].serverRelativeURL).toMatch(/hash=[0-9A-F]{128}$/);
    const doc = openApiV3Document(own, 'apis/stable.example.com/v1')!;
    expect(supportsFieldValidation(doc, { group: 'stable.example.com', version: 'v1', kind: 'CronTab' })).toBe(true);
    expect(doc.components.schemas['com.example.stable.v1.CronTab']).toMatchObject({ properties: { spec: { properties: { cronSpec: { type: 'string' } } } } });
    expect(op(doc, '/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}/status', 'patch')).toBeDefined();
  });
});

describe('/openapi/v2', () => {
  const scheme = createDefaultScheme();
  const doc = openApiV2Document(scheme);

  it('is Swagger 2.0 with every definition and refs into #/definitions', () => {
    expect(doc.swagger).toBe('2.0');
    expect(Object.keys(doc.definitions)).toEqual(expect.arrayContaining(Object.keys(schemaRegistry(scheme).definitions)));
    expect(JSON.stringify(doc)).not.toContain('#/components/');
    const pod = doc.definitions['io.k8s.api.core.v1.Pod'];
    expect((pod.properties as Record<string, JSONSchema>).metadata).toEqual({
      description: expect.stringMatching(/^Standard object's metadata/),
      $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    });
    expect([...refsIn(doc)].filter((r) => !doc.definitions[r.replace('#/definitions/', '')])).toEqual([]);
  });

  it('has operations with body and typed query parameters', () => {
    const patch = op(doc, '/api/v1/namespaces/{namespace}/pods/{name}', 'patch')!;
    expect(patch.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'fieldValidation', in: 'query', type: 'string' })]));
    expect(patch.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'body', in: 'body', schema: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' } })]));
    expect(patch.consumes).toContain('application/merge-patch+json');
    expect((patch.responses as Record<string, JSONSchema>)['200'].schema).toEqual({ $ref: '#/definitions/io.k8s.api.core.v1.Pod' });
    expect(patch[GVK_EXTENSION]).toEqual({ group: '', kind: 'Pod', version: 'v1' });
    expect(openApiV2Document(scheme)).toBe(doc);
  });
});
