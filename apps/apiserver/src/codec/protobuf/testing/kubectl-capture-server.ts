import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';

/**
 * A tiny HTTP server that answers just enough of the Kubernetes API for real
 * kubectl to send its write requests, and records every request body. Used to
 * capture the protobuf bodies `kubectl create ...` sends.
 */

export interface CapturedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: string;
  contentType: string;
  body: Buffer;
}

/** How the test answers a write: status code and JSON body. */
export type WriteHandler = (req: CapturedRequest) => { status: number; body: unknown };

interface ResourceInfo {
  name: string;
  kind: string;
  namespaced: boolean;
  /** For subresources served in another group (serviceaccounts/token). */
  group?: string;
  version?: string;
  verbs?: string[];
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** group/version → resources; '' group is the core API at /api/v1. */
export const DISCOVERY: Readonly<Record<string, ResourceInfo[]>> = {
  v1: [
    { name: 'namespaces', kind: 'Namespace', namespaced: false },
    { name: 'configmaps', kind: 'ConfigMap', namespaced: true },
    { name: 'secrets', kind: 'Secret', namespaced: true },
    { name: 'services', kind: 'Service', namespaced: true },
    { name: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
    {
      name: 'serviceaccounts/token',
      kind: 'TokenRequest',
      namespaced: true,
      group: 'authentication.k8s.io',
      version: 'v1',
      verbs: ['create'],
    },
    { name: 'resourcequotas', kind: 'ResourceQuota', namespaced: true },
    { name: 'pods', kind: 'Pod', namespaced: true },
  ],
  'apps/v1': [{ name: 'deployments', kind: 'Deployment', namespaced: true }],
  'batch/v1': [
    { name: 'jobs', kind: 'Job', namespaced: true },
    { name: 'cronjobs', kind: 'CronJob', namespaced: true },
  ],
  'rbac.authorization.k8s.io/v1': [
    { name: 'roles', kind: 'Role', namespaced: true },
    { name: 'clusterroles', kind: 'ClusterRole', namespaced: false },
    { name: 'rolebindings', kind: 'RoleBinding', namespaced: true },
    { name: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false },
  ],
  'scheduling.k8s.io/v1': [{ name: 'priorityclasses', kind: 'PriorityClass', namespaced: false }],
  'policy/v1': [{ name: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true }],
  'networking.k8s.io/v1': [{ name: 'ingresses', kind: 'Ingress', namespaced: true }],
};

export class KubectlCaptureServer {
  readonly requests: CapturedRequest[] = [];
  /** Objects answered to GET by path, e.g. a CronJob for `create job --from`. */
  readonly objects = new Map<string, unknown>();
  private server?: Server;

  constructor(private readonly onWrite: WriteHandler) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('server not started');
    return `http://127.0.0.1:${address.port}`;
  }

  /** Bodies written since `from` (an index into {@link requests}). */
  writesSince(from: number): CapturedRequest[] {
    return this.requests.slice(from).filter((r) => r.method !== 'GET');
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const captured: CapturedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.search,
        contentType: req.headers['content-type'] ?? '',
        body: Buffer.concat(chunks),
      };
      this.requests.push(captured);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (captured.method !== 'GET') {
        let answer: { status: number; body: unknown };
        try {
          answer = this.onWrite(captured);
        } catch (err) {
          answer = { status: 500, body: status(500, 'InternalError', String(err)) };
        }
        return send(answer.status, answer.body);
      }
      const found = this.get(url.pathname);
      if (found === undefined) return send(404, status(404, 'NotFound', `${url.pathname} not found`));
      return send(200, found);
    });
  }

  private get(path: string): unknown {
    if (this.objects.has(path)) return this.objects.get(path);
    if (path === '/version') return { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' };
    if (path === '/api') {
      return {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
      };
    }
    if (path === '/apis') {
      return {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: Object.keys(DISCOVERY)
          .filter((gv) => gv.includes('/'))
          .map((gv) => {
            const [name, version] = gv.split('/');
            const v = { groupVersion: gv, version };
            return { name, versions: [v], preferredVersion: v };
          }),
      };
    }
    const gv = path === '/api/v1' ? 'v1' : /^\/apis\/([^/]+\/[^/]+)$/.exec(path)?.[1];
    const resources = gv === undefined ? undefined : DISCOVERY[gv];
    if (!resources) return undefined;
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: gv,
      resources: resources.map((r) => ({
        name: r.name,
        singularName: r.name.includes('/') ? '' : r.kind.toLowerCase(),
        namespaced: r.namespaced,
        ...(r.group ? { group: r.group, version: r.version } : {}),
        kind: r.kind,
        verbs: r.verbs ?? VERBS,
        ...(r.name.includes('/') ? {} : { categories: ['all'] }),
      })),
    };
  }
}

export function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}
