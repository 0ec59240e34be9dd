/**
 * Real kubectl, real bytes: runs `kubectl create ...` against a tiny capture
 * server, decodes the protobuf body kubectl sent, and checks it equals the
 * JSON kubectl prints for the same command with `--dry-run=client -o json`.
 *
 * With UPDATE_PROTOBUF_FIXTURES=1 it also rewrites
 * testing/fixtures/kubectl-create-v1.32.json, which the unit test replays
 * without kubectl.
 */
import { execFile } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { decodeKubernetesProtobuf, isKubernetesProtobuf, KubernetesProtobufError } from './index';
import { CapturedRequest, KubectlCaptureServer, status } from './testing/kubectl-capture-server';
import {
  KUBECTL_FIXTURES_FILE,
  KubectlCreateFixture,
  loadKubectlFixtures,
  withoutNullCreationTimestamps,
} from './testing/kubectl-fixtures';

const run = promisify(execFile);

interface Case {
  /** Arguments after `kubectl create`; `$TMP` is replaced by a scratch directory. */
  args: string[];
  /** Where kubectl POSTs. */
  path: string;
  /** What kubectl prints after the real create. */
  stdout: string;
  /** For commands without `--dry-run` (create token): the expected JSON, as Go prints it. */
  expected?: Record<string, unknown>;
}

const NS = '/api/v1/namespaces/default';

const CRONJOB_UID = '6f0e7b9a-2c1d-4e5f-8a9b-0c1d2e3f4a5b';
/** Served to GET, for `create job --from=cronjob/nightly`. */
const CRONJOB = {
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'nightly', namespace: 'default', uid: CRONJOB_UID, resourceVersion: '7' },
  spec: {
    schedule: '0 3 * * *',
    jobTemplate: {
      metadata: { labels: { team: 'data' }, annotations: { owner: 'alice' } },
      spec: {
        backoffLimit: 2,
        template: {
          spec: {
            restartPolicy: 'OnFailure',
            containers: [
              {
                name: 'etl',
                image: 'busybox',
                command: ['sh', '-c', 'echo run'],
                env: [{ name: 'MODE', value: 'full' }],
                resources: { limits: { cpu: '500m', memory: '64Mi' } },
              },
            ],
          },
        },
      },
    },
  },
};

const CASES: Record<string, Case> = {
  'create namespace': { args: ['namespace', 'x'], path: '/api/v1/namespaces', stdout: 'namespace/x created' },
  'create deployment': {
    args: ['deployment', 'd', '--image=nginx', '--replicas=2', '--port=80'],
    path: '/apis/apps/v1/namespaces/default/deployments',
    stdout: 'deployment.apps/d created',
  },
  // replicas is a *int32: a present 0 must survive (omitempty does not apply to a set pointer).
  'create deployment with zero replicas and two images': {
    args: ['deployment', 'd0', '--image=nginx', '--image=busybox', '--replicas=0'],
    path: '/apis/apps/v1/namespaces/default/deployments',
    stdout: 'deployment.apps/d0 created',
  },
  'create configmap': {
    args: ['configmap', 'c', '--from-literal=a=b'],
    path: `${NS}/configmaps`,
    stdout: 'configmap/c created',
  },
  // A file that is not UTF-8 goes to binaryData (map<string, bytes> → base64).
  'create configmap with binary data in another namespace': {
    args: ['configmap', 'cb', '--from-file=blob=$TMP/blob.bin', '--from-literal=text=héllo', '-n', 'team-a'],
    path: '/api/v1/namespaces/team-a/configmaps',
    stdout: 'configmap/cb created',
  },
  'create secret generic': {
    args: ['secret', 'generic', 's', '--from-literal=p=q'],
    path: `${NS}/secrets`,
    stdout: 'secret/s created',
  },
  'create secret generic with type and binary file': {
    args: ['secret', 'generic', 'sb', '--type=example.com/blob', '--from-file=blob=$TMP/blob.bin'],
    path: `${NS}/secrets`,
    stdout: 'secret/sb created',
  },
  'create secret docker-registry': {
    args: ['secret', 'docker-registry', 'dr', '--docker-username=u', '--docker-password=p', '--docker-server=r.io'],
    path: `${NS}/secrets`,
    stdout: 'secret/dr created',
  },
  'create service clusterip': {
    args: ['service', 'clusterip', 'svc', '--tcp=80:8080'],
    path: `${NS}/services`,
    stdout: 'service/svc created',
  },
  'create service clusterip headless': {
    args: ['service', 'clusterip', 'headless', '--clusterip=None'],
    path: `${NS}/services`,
    stdout: 'service/headless created',
  },
  'create service nodeport': {
    args: ['service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080'],
    path: `${NS}/services`,
    stdout: 'service/np created',
  },
  // targetPort "https" is the string arm of IntOrString.
  'create service loadbalancer with a named target port': {
    args: ['service', 'loadbalancer', 'lb', '--tcp=443:https'],
    path: `${NS}/services`,
    stdout: 'service/lb created',
  },
  'create service externalname': {
    args: ['service', 'externalname', 'ext', '--external-name=example.com'],
    path: `${NS}/services`,
    stdout: 'service/ext created',
  },
  'create job': {
    args: ['job', 'j', '--image=busybox', '--', 'echo', 'hi'],
    path: '/apis/batch/v1/namespaces/default/jobs',
    stdout: 'job.batch/j created',
  },
  // ownerReferences with controller: true (*bool), annotations, env, resource limits (Quantity).
  'create job from cronjob': {
    args: ['job', 'manual', '--from=cronjob/nightly'],
    path: '/apis/batch/v1/namespaces/default/jobs',
    stdout: 'job.batch/manual created',
  },
  'create cronjob': {
    args: ['cronjob', 'cj', '--image=busybox', '--schedule=*/1 * * * *', '--', 'date'],
    path: '/apis/batch/v1/namespaces/default/cronjobs',
    stdout: 'cronjob.batch/cj created',
  },
  'create cronjob with restart Never': {
    args: ['cronjob', 'cjn', '--image=busybox', '--schedule=0 0 * * 0', '--restart=Never'],
    path: '/apis/batch/v1/namespaces/default/cronjobs',
    stdout: 'cronjob.batch/cjn created',
  },
  'create quota': {
    args: ['quota', 'q', '--hard=cpu=1,memory=1Gi,pods=2,requests.storage=500m', '--scopes=BestEffort,NotTerminating'],
    path: `${NS}/resourcequotas`,
    stdout: 'resourcequota/q created',
  },
  'create role': {
    args: ['role', 'r', '--verb=get', '--verb=list', '--resource=pods', '--resource=deployments.apps', '--resource-name=web'],
    path: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles',
    stdout: 'role.rbac.authorization.k8s.io/r created',
  },
  'create clusterrole': {
    args: ['clusterrole', 'cr', '--verb=get', '--resource=pods', '--non-resource-url=/logs/*', '--non-resource-url=/healthz'],
    path: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
    stdout: 'clusterrole.rbac.authorization.k8s.io/cr created',
  },
  // No rules: ClusterRole.rules has no omitempty, so JSON says "rules": null.
  'create clusterrole with an aggregation rule': {
    args: ['clusterrole', 'agg', '--aggregation-rule=rbac.example.com/aggregate-to-monitoring=true'],
    path: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
    stdout: 'clusterrole.rbac.authorization.k8s.io/agg created',
  },
  'create rolebinding': {
    args: ['rolebinding', 'rb', '--role=r', '--user=u', '--group=g', '--serviceaccount=default:sa'],
    path: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings',
    stdout: 'rolebinding.rbac.authorization.k8s.io/rb created',
  },
  'create clusterrolebinding': {
    args: ['clusterrolebinding', 'crb', '--clusterrole=cr', '--user=u'],
    path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    stdout: 'clusterrolebinding.rbac.authorization.k8s.io/crb created',
  },
  'create priorityclass': {
    args: ['priorityclass', 'pc', '--value=1000', '--global-default=true', '--description=high', '--preemption-policy=Never'],
    path: '/apis/scheduling.k8s.io/v1/priorityclasses',
    stdout: 'priorityclass.scheduling.k8s.io/pc created',
  },
  'create poddisruptionbudget': {
    args: ['poddisruptionbudget', 'pdb', '--selector=app=x', '--max-unavailable=50%'],
    path: '/apis/policy/v1/namespaces/default/poddisruptionbudgets',
    stdout: 'poddisruptionbudget.policy/pdb created',
  },
  'create ingress': {
    args: [
      'ingress',
      'ing',
      '--class=nginx',
      '--rule=foo.com/bar=svc1:8080',
      '--rule=foo.com/*=svc2:http,tls=cert',
      '--default-backend=defsvc:http',
      '--annotation=a=b',
    ],
    path: '/apis/networking.k8s.io/v1/namespaces/default/ingresses',
    stdout: 'ingress.networking.k8s.io/ing created',
  },
  'create serviceaccount': {
    args: ['serviceaccount', 'sa'],
    path: `${NS}/serviceaccounts`,
    stdout: 'serviceaccount/sa created',
  },
  // No --dry-run for tokens: the expected JSON is written out from the Go types
  // (TokenRequestSpec.audiences has no omitempty; expirationSeconds is *int64;
  // status.token and status.expirationTimestamp are printed even when zero).
  'create token': {
    args: [
      'token',
      'sa',
      '--duration=10m',
      '--audience=api',
      '--audience=vault',
      '--bound-object-kind=Pod',
      '--bound-object-name=web-0',
      '--bound-object-uid=0b9b3b0e-1f2a-4c5d-9e8f-7a6b5c4d3e2f',
    ],
    path: `${NS}/serviceaccounts/sa/token`,
    stdout: 'token-from-capture-server',
    expected: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: {},
      spec: {
        audiences: ['api', 'vault'],
        expirationSeconds: 600,
        boundObjectRef: {
          kind: 'Pod',
          apiVersion: 'v1',
          name: 'web-0',
          uid: '0b9b3b0e-1f2a-4c5d-9e8f-7a6b5c4d3e2f',
        },
      },
      status: { token: '', expirationTimestamp: null },
    },
  },
};

/** Not UTF-8, so kubectl puts it in binaryData; includes 0x00, 0xff, 0x80. */
const BLOB = Buffer.from([0x00, 0xff, 0x80, 0x7f, 0x0a, 0xc3, 0x28, 0x01, 0xfe, 0x10]);

describe('decoding the protobuf bodies real kubectl sends', () => {
  const server = new KubectlCaptureServer(answer);
  let tmp: string;
  let kubectlVersion = '';
  const captured: KubectlCreateFixture[] = [];

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'logbook-kubectl-protobuf-'));
    writeFileSync(join(tmp, 'blob.bin'), BLOB);
    server.objects.set('/apis/batch/v1/namespaces/default/cronjobs/nightly', CRONJOB);
    await server.start();
    const { stdout } = await run('kubectl', ['version', '--client', '-o', 'json'], { env: kubectlEnv() });
    kubectlVersion = (JSON.parse(stdout) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion;
  });

  afterAll(async () => {
    await server.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  function kubectlEnv(): NodeJS.ProcessEnv {
    // No kubeconfig, no discovery cache from an earlier run.
    return { ...process.env, KUBECONFIG: join(tmp ?? tmpdir(), 'no-kubeconfig'), HOME: tmp ?? tmpdir() };
  }

  async function kubectl(args: string[]): Promise<string> {
    const argv = [
      '--server',
      server.url,
      '--cache-dir',
      join(tmp, 'cache'),
      '--request-timeout=20s',
      'create',
      ...args.map((a) => a.replace('$TMP', tmp)),
    ];
    try {
      const { stdout } = await run('kubectl', argv, { env: kubectlEnv(), timeout: 30_000 });
      return stdout;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`kubectl ${argv.join(' ')} failed: ${e.stderr || e.message}`);
    }
  }

  it('kubectl is installed (its version goes into the fixtures)', () => {
    expect(kubectlVersion).toMatch(/^v1\.\d+\./);
  });

  it.each(Object.keys(CASES))('%s', async (name) => {
    const c = CASES[name];
    const before = server.requests.length;
    const out = await kubectl(c.args);
    // kubectl printed the name from our 201 answer, which echoes the decoded object.
    expect(out.trim()).toBe(c.stdout);

    const writes = server.writesSince(before);
    expect(writes).toHaveLength(1);
    const [write] = writes as [CapturedRequest];
    expect(write.method).toBe('POST');
    expect(write.path).toBe(c.path);
    expect(isKubernetesProtobuf(write.contentType)).toBe(true);
    expect(write.body.subarray(0, 4)).toEqual(Buffer.from('k8s\0', 'latin1'));

    let expected: Record<string, unknown>;
    if (c.expected) {
      expected = c.expected;
    } else {
      const beforeDry = server.requests.length;
      expected = JSON.parse(await kubectl(withFlags(c.args, '--dry-run=client', '-o', 'json'))) as Record<string, unknown>;
      expect(server.writesSince(beforeDry)).toHaveLength(0);
    }

    const decoded = decodeKubernetesProtobuf(write.body);
    expect(decoded).toStrictEqual(withoutNullCreationTimestamps(expected));

    captured.push({
      name,
      args: c.args,
      kubectlVersion,
      method: write.method,
      path: write.path,
      contentType: write.contentType,
      body: write.body.toString('base64'),
      expected,
      expectedFrom: c.expected ? 'written in the test' : 'kubectl --dry-run=client -o json',
    });
  });

  it('every case has a recorded fixture for the unit test (regenerate with UPDATE_PROTOBUF_FIXTURES=1)', () => {
    if (process.env['UPDATE_PROTOBUF_FIXTURES'] === '1') {
      expect(captured.map((f) => f.name)).toEqual(Object.keys(CASES));
      writeFileSync(KUBECTL_FIXTURES_FILE, `${JSON.stringify(captured, null, 2)}\n`);
    }
    const recorded = new Set(loadKubectlFixtures().map((f) => f.name));
    expect(Object.keys(CASES).filter((n) => !recorded.has(n))).toEqual([]);
  });
});

/** Adds flags before a `--` that starts the container command. */
function withFlags(args: string[], ...flags: string[]): string[] {
  const dashes = args.indexOf('--');
  return dashes < 0 ? [...args, ...flags] : [...args.slice(0, dashes), ...flags, ...args.slice(dashes)];
}

/** The capture server's answer to a write: 201 with the decoded object, as an apiserver would. */
function answer(req: CapturedRequest): { status: number; body: unknown } {
  if (!isKubernetesProtobuf(req.contentType)) {
    return { status: 415, body: status(415, 'UnsupportedMediaType', `expected protobuf, got ${req.contentType}`) };
  }
  try {
    const object = decodeKubernetesProtobuf(req.body);
    if (object['kind'] === 'TokenRequest') {
      return {
        status: 201,
        body: { ...object, status: { token: 'token-from-capture-server', expirationTimestamp: '2030-01-01T00:00:00Z' } },
      };
    }
    return { status: 201, body: object };
  } catch (err) {
    if (err instanceof KubernetesProtobufError) {
      return { status: err.statusCode, body: status(err.statusCode, err.reason, err.message) };
    }
    throw err;
  }
}
