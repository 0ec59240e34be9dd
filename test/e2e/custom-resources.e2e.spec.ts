import * as path from 'path';
import { TestCluster } from './cluster';

/** CustomResourceDefinitions: served at once, validated against their schema, printed with their columns. */
describe('custom resources', () => {
  let c: TestCluster;
  beforeAll(async () => (c = await TestCluster.start()));
  afterAll(async () => c.stop());

  const site = (name: string, spec: object) =>
    `apiVersion: extensions.example.com/v1\nkind: Website\nmetadata:\n  name: ${name}\nspec: ${JSON.stringify(spec)}\n`;

  it('serves a CRD as soon as it is created, with its printer columns', async () => {
    expect(await c.ok(['apply', '-f', path.join(__dirname, 'manifests', 'website-crd.yaml')])).toBe(
      'customresourcedefinition.apiextensions.k8s.io/websites.extensions.example.com created\n',
    );
    const crd = JSON.parse(await c.ok(['get', 'crd', 'websites.extensions.example.com', '-o', 'json']));
    expect(crd.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Established', status: 'True' })]));
    expect(await c.ok(['apply', '-f', '-'], { stdin: site('kubia', { gitRepo: 'https://github.com/luksa/kubia-website-example.git', replicas: 2 }) })).toBe(
      'website.extensions.example.com/kubia created\n',
    );
    const table = await c.ok(['get', 'websites']);
    expect(table).toMatch(/^NAME\s+REPLICAS\s+READY\s+AGE\n/);
    expect(table).toMatch(/^kubia\s+2\s+\S*\s+\d+s\n/m);
    expect(await c.ok(['get', 'ws', '-o', 'name'])).toBe('website.extensions.example.com/kubia\n');
    expect(await c.ok(['api-resources', '--api-group=extensions.example.com'])).toMatch(/websites\s+ws\s+extensions.example.com\/v1\s+true\s+Website/);
  });

  it('rejects an object that violates the schema with a 422 naming the field', async () => {
    const r = await c.kubectl(['apply', '-f', '-'], { stdin: site('bad', { gitRepo: 'x', replicas: 'two' }) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The Website "bad" is invalid');
    expect(r.stderr).toContain('spec.replicas');
    const missing = await fetch(`${c.url}/apis/extensions.example.com/v1/namespaces/default/websites`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'extensions.example.com/v1', kind: 'Website', metadata: { name: 'nogit' }, spec: { replicas: -1 } }),
    });
    expect(missing.status).toBe(422);
    const status = await missing.json();
    expect(status.reason).toBe('Invalid');
    expect(status.details.causes.map((x: { field: string }) => x.field).sort()).toEqual(['spec.gitRepo', 'spec.replicas']);
  });

  it('prunes unknown fields and keeps status to its subresource', async () => {
    const created = await fetch(`${c.url}/apis/extensions.example.com/v1/namespaces/default/websites?fieldValidation=Ignore`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'extensions.example.com/v1', kind: 'Website', metadata: { name: 'pruned' }, spec: { gitRepo: 'g', color: 'blue' }, status: { x: 1 } }),
    });
    const body = await created.json();
    expect(body.spec).toEqual({ gitRepo: 'g' });
    expect(body.status).toBeUndefined();
    expect(body.metadata.generation).toBe(1);
    const status = await fetch(`${c.url}/apis/extensions.example.com/v1/namespaces/default/websites/pruned/status`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'True' }] } }),
    });
    expect((await status.json()).status.conditions[0].type).toBe('Ready');
    expect(await c.ok(['get', 'website', 'pruned', '-o', 'jsonpath={.status.conditions[0].status}'])).toBe('True');
  });

  it('deletes the objects with their CRD, then stops serving it', async () => {
    await c.ok(['delete', 'crd', 'websites.extensions.example.com']);
    const gone = await c.kubectl(['get', 'websites']);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toMatch(/the server doesn't have a resource type "websites"|the server could not find the requested resource/);
    const list = await fetch(`${c.url}/apis/extensions.example.com/v1/namespaces/default/websites`);
    expect(list.status).toBe(404);
    expect(await list.json()).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'the server could not find the requested resource' });
    const res = await fetch(`${c.url}/apis/extensions.example.com/v1/namespaces/default/websites/kubia`);
    expect(res.status).toBe(404);
  });
});
