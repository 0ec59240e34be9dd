/**
 * Real kubectl v1.32 against a tiny HTTP server that serves discovery for
 * pods and deployments plus the documents of this folder: `kubectl explain`
 * must print what the generated schemas say, and `kubectl create` must
 * switch to server-side field validation (`fieldValidation=Strict`) because
 * the v3 documents advertise it, then print the strict decoding error the
 * server renders with this folder's formatters.
 */
import { execFile } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { createDefaultScheme, parseApiVersion, Scheme } from '@logbook/api';
import { checkObject, decodeErrorMessage, fieldValidationMode, strictDecodingMessage, unknownFieldWarnings } from './decode-check';
import { openApiV3Root, openApiV3Serialized } from './documents';
import { schemaRegistry } from './schema-registry';

interface Captured {
  method: string;
  url: URL;
  body: string;
}

const resourceList = (groupVersion: string, resources: Record<string, unknown>[]) => ({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources });
const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const DISCOVERY: Record<string, unknown> = {
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] },
  '/apis': {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } }],
  },
  '/api/v1': resourceList('v1', [
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: VERBS, shortNames: ['po'], categories: ['all'] },
    { name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] },
  ]),
  '/apis/apps/v1': resourceList('apps/v1', [
    { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', verbs: VERBS, shortNames: ['deploy'], categories: ['all'] },
    { name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] },
    { name: 'deployments/status', singularName: '', namespaced: true, kind: 'Deployment', verbs: ['get', 'patch', 'update'] },
  ]),
  '/version': { major: '1', minor: '32', gitVersion: 'v1.32.0' },
};

/** Discovery, /openapi/v3 from this folder, and POST answered the way the apiserver will: decode checks first. */
class OpenApiTestServer {
  readonly requests: Captured[] = [];
  private server?: Server;

  constructor(private readonly scheme: Scheme) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => this.handle(req, res, body));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    this.requests.push({ method: req.method ?? 'GET', url, body });
    const json = (code: number, obj: unknown, headers: Record<string, string | string[]> = {}) => {
      res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
      res.end(typeof obj === 'string' ? obj : JSON.stringify(obj));
    };
    if (req.method === 'GET' && DISCOVERY[url.pathname]) return json(200, DISCOVERY[url.pathname]);
    if (req.method === 'GET' && url.pathname === '/openapi/v3') return json(200, openApiV3Root(this.scheme));
    if (req.method === 'GET' && url.pathname.startsWith('/openapi/v3/')) {
      const doc = openApiV3Serialized(this.scheme, url.pathname);
      return doc ? json(200, doc.json, { ETag: `"${doc.hash}"` }) : json(404, status(404, 'NotFound', 'not found'));
    }
    if (req.method === 'POST' && url.pathname === '/api/v1/namespaces/default/pods') return this.create(url, body, json);
    json(404, status(404, 'NotFound', 'the server could not find the requested resource'));
  }

  private create(url: URL, body: string, json: (code: number, obj: unknown, headers?: Record<string, string | string[]>) => void): void {
    const obj = JSON.parse(body) as Record<string, unknown>;
    const gvk = { ...parseApiVersion(String(obj.apiVersion)), kind: String(obj.kind) };
    const mode = fieldValidationMode(url.searchParams.get('fieldValidation'))!;
    const { typeErrors, unknownFields } = checkObject(obj, gvk, schemaRegistry(this.scheme), { unknownFields: mode });
    if (typeErrors.length) return json(400, status(400, 'BadRequest', decodeErrorMessage(gvk, typeErrors[0])));
    if (mode === 'Strict' && unknownFields.length) return json(400, status(400, 'BadRequest', decodeErrorMessage(gvk, strictDecodingMessage(unknownFields))));
    const warnings = mode === 'Warn' ? unknownFieldWarnings(unknownFields) : [];
    json(201, { ...obj, metadata: { ...(obj.metadata as object), namespace: 'default', uid: 'u-1' } }, warnings.length ? { Warning: warnings } : {});
  }
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

describe('kubectl v1.32 against the generated OpenAPI documents', () => {
  const scheme = createDefaultScheme();
  const server = new OpenApiTestServer(scheme);
  let base: string;
  let dir: string;

  const kubectl = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        'kubectl',
        ['--server', base, '--cache-dir', join(dir, 'cache'), ...args],
        { env: { ...process.env, KUBECONFIG: join(dir, 'kubeconfig'), HOME: dir }, timeout: 30_000 },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'logbook-openapi-'));
    writeFileSync(join(dir, 'kubeconfig'), '');
    base = await server.start();
  });

  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('explains pods.spec.containers from the Container schema, with the descriptions of libs/api', async () => {
    const { code, stdout, stderr } = await kubectl('explain', 'pods.spec.containers');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/KIND:\s+Pod/);
    expect(stdout).toMatch(/FIELD:\s+containers <\[\]Container>/);
    // A doc comment of libs/api's Container class, through the schema.
    expect(stdout).toMatch(/restartPolicy\s+<string>\s+enum: Always\s+Only on init containers: `Always` makes it a sidecar\./);
    expect(stdout).toMatch(/name\s+<string> -required-/);
    for (const field of ['image', 'ports', 'env', 'livenessProbe', 'volumeMounts']) expect(stdout).toMatch(new RegExp(`^\\s+${field}\\s+<`, 'm'));
    expect(server.requests.some((r) => r.url.pathname === '/openapi/v3/api/v1' && r.url.searchParams.get('hash'))).toBe(true);
  });

  it('explains deployment.spec.strategy, with enum values and nested types', async () => {
    const { code, stdout } = await kubectl('explain', 'deployment.spec.strategy');
    expect(code).toBe(0);
    expect(stdout).toMatch(/GROUP:\s+apps/);
    expect(stdout).toMatch(/KIND:\s+Deployment/);
    expect(stdout).toMatch(/FIELD:\s+strategy <DeploymentStrategy>/);
    expect(stdout).toMatch(/rollingUpdate\s+<RollingUpdateDeployment>/);
    expect(stdout).toMatch(/type\s+<string>\s+enum: Recreate, RollingUpdate/);
  });

  it('explains the standard descriptions of a kind', async () => {
    const { stdout } = await kubectl('explain', 'deployment');
    expect(stdout).toMatch(/spec\s+<DeploymentSpec>\s+Specification of the desired behavior of the Deployment\./);
    expect(stdout).toMatch(/apiVersion\s+<string>\s+APIVersion defines the versioned schema/);
  });

  const manifest = (extra: Record<string, unknown>) => {
    const file = join(dir, `pod-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx', ...extra }] } }));
    return file;
  };
  const posts = () => server.requests.filter((r) => r.method === 'POST');

  it('sends fieldValidation=Strict on create and prints the strict decoding error', async () => {
    const before = posts().length;
    const { code, stderr } = await kubectl('create', '-f', manifest({ bogus: 1 }), '--dry-run=server', '-o', 'json');
    const sent = posts().slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0].url.searchParams.get('fieldValidation')).toBe('Strict');
    expect(sent[0].url.searchParams.get('dryRun')).toBe('All');
    expect(JSON.parse(sent[0].body).spec.containers[0].bogus).toBe(1);
    expect(code).not.toBe(0);
    expect(stderr).toContain('Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].bogus"');
  });

  it('creates a valid pod and prints what the server answered', async () => {
    const { code, stdout } = await kubectl('create', '-f', manifest({}), '--dry-run=server', '-o', 'json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).metadata.uid).toBe('u-1');
  });

  it('prints the warnings of --validate=warn', async () => {
    const before = posts().length;
    const { code, stderr } = await kubectl('create', '-f', manifest({ bogus: 1 }), '--dry-run=server', '--validate=warn', '-o', 'name');
    expect(posts()[before].url.searchParams.get('fieldValidation')).toBe('Warn');
    expect(code).toBe(0);
    expect(stderr).toContain('Warning: unknown field "spec.containers[0].bogus"');
  });

  it('reports a type error with the words of kube', async () => {
    const { code, stderr } = await kubectl('create', '-f', manifest({ ports: [{ containerPort: '80' }] }), '--dry-run=server', '--validate=false');
    expect(code).not.toBe(0);
    expect(stderr).toContain(
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
    );
  });
});
