import { TestCluster } from './cluster';

/**
 * Bad input gets the Status Kubernetes would give and writes nothing: the
 * log's head does not move, and the server stays up.
 */
describe('invalid manifests', () => {
  let c: TestCluster;
  let head: () => Promise<string>;
  beforeAll(async () => {
    c = await TestCluster.start();
    head = async () => JSON.parse(await c.ok(['get', '--raw', '/api/v1/namespaces/default/configmaps'])).metadata.resourceVersion;
  });
  afterAll(async () => c.stop());

  const post = (path: string, body: string | Buffer, contentType = 'application/json', query = '') =>
    fetch(`${c.url}${path}${query}`, { method: 'POST', body, headers: { 'Content-Type': contentType } });

  async function expectRefused(res: Response, code: number, reason: string, message: RegExp | string) {
    const status = await res.json();
    expect(res.status).toBe(code);
    expect(status).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason });
    if (typeof message === 'string') expect(status.message).toContain(message);
    else expect(status.message).toMatch(message);
    return status;
  }

  it('refuses each kind of bad input with its Status and writes nothing', async () => {
    const before = await head();
    const pod = (spec: object, name = 'p') => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec });

    const badName = await expectRefused(await post('/api/v1/namespaces/default/pods', pod({ containers: [{ name: 'c', image: 'i' }] }, 'Bad_Name')), 422, 'Invalid', 'Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain');
    expect(badName.details.causes[0]).toMatchObject({ reason: 'FieldValueInvalid', field: 'metadata.name' });

    const noContainers = await expectRefused(await post('/api/v1/namespaces/default/pods', pod({ containers: [] })), 422, 'Invalid', 'spec.containers: Required value');
    expect(noContainers.details).toMatchObject({ name: 'p', kind: 'Pod' });

    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    };
    await expectRefused(await post('/apis/apps/v1/namespaces/default/deployments', JSON.stringify(deployment)), 422, 'Invalid', '`selector` does not match template `labels`');

    const replicasAsString = { ...deployment, spec: { ...deployment.spec, replicas: 'three', template: { ...deployment.spec.template, metadata: { labels: { app: 'a' } } } } };
    await expectRefused(await post('/apis/apps/v1/namespaces/default/deployments', JSON.stringify(replicasAsString)), 400, 'BadRequest', /cannot unmarshal string into Go struct field .*replicas of type int32/);

    const unknownField = pod({ containers: [{ name: 'c', image: 'i' }], bogus: true });
    await expectRefused(await post('/api/v1/namespaces/default/pods', unknownField, 'application/json', '?fieldValidation=Strict'), 400, 'BadRequest', 'strict decoding error: unknown field "spec.bogus"');

    await expectRefused(await post('/api/v1/namespaces/default/configmaps', '{"apiVersion": "v1", "kind": "ConfigMap", '), 400, 'BadRequest', 'json parse error');
    await expectRefused(await post('/api/v1/namespaces/default/configmaps', 'a: [b', 'application/yaml'), 400, 'BadRequest', 'error converting YAML to JSON');

    const huge = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'huge' }, data: { blob: 'x'.repeat(3 * 1024 * 1024 + 1) } });
    await expectRefused(await post('/api/v1/namespaces/default/configmaps', huge), 413, 'RequestEntityTooLarge', 'Request entity too large');

    await expectRefused(await post('/api/v1/namespaces/default/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } })), 400, 'BadRequest', 'does not match the expected kind');

    expect(await head()).toBe(before);
    expect((await fetch(`${c.url}/readyz`)).status).toBe(200);
  });

  it('prints one bullet per cause through kubectl', async () => {
    const r = await c.kubectl(['create', '-f', '-'], {
      stdin: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: Bad_Name\nspec:\n  containers:\n  - name: Bad_Container\n    image: nginx\n',
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The Pod "Bad_Name" is invalid:');
    expect(r.stderr).toContain('* metadata.name: Invalid value: "Bad_Name"');
    expect(r.stderr).toContain('* spec.containers[0].name: Invalid value: "Bad_Container"');
  });

  it('answers unknown resources and methods with a Status', async () => {
    const res = await fetch(`${c.url}/api/v1/namespaces/default/nothings`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'NotFound' });
    const conflict = await fetch(`${c.url}/api/v1/namespaces/default/configmaps`, {
      method: 'POST',
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'once' } }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(conflict.status).toBe(201);
    const created = await conflict.json();
    const stale = await fetch(`${c.url}/api/v1/namespaces/default/configmaps/once`, {
      method: 'PUT',
      body: JSON.stringify({ ...created, data: { a: '1' }, metadata: { ...created.metadata, resourceVersion: '1' } }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ reason: 'Conflict', message: expect.stringContaining('the object has been modified') });
  });
});
