import { ago, headers, ref, row, table } from '../test-helpers';

const template = { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'exporter', image: 'nginx-exporter:1.1' }] } };
const meta = (name: string, extra: object = {}) => ({ name, namespace: 'default', creationTimestamp: ago('5d'), ...extra });

describe('deployments', () => {
  const DEPLOY = ref('apps', 'deployments', 'Deployment');
  it('headers', () => {
    expect(headers(table(DEPLOY, []))).toEqual({
      normal: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
      wide: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
    });
  });

  it('a deployment 2/3 ready mid-rollout', () => {
    const d = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('web'),
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
      status: { replicas: 3, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2 },
    };
    expect(row(DEPLOY, d)).toEqual({
      NAME: 'web',
      READY: '2/3',
      'UP-TO-DATE': 1,
      AVAILABLE: 2,
      AGE: '5d',
      CONTAINERS: 'web,exporter',
      IMAGES: 'nginx:1.27,nginx-exporter:1.1',
      SELECTOR: 'app=web',
    });
  });

  it('new deployment without status; replicas defaults to 1; selector expressions', () => {
    const d = {
      metadata: meta('api'),
      spec: {
        selector: {
          matchLabels: { tier: 'api' },
          matchExpressions: [
            { key: 'env', operator: 'In', values: ['staging', 'prod'] },
            { key: 'canary', operator: 'DoesNotExist' },
          ],
        },
        template,
      },
    };
    expect(row(DEPLOY, d)).toMatchObject({ READY: '0/1', 'UP-TO-DATE': 0, AVAILABLE: 0, SELECTOR: '!canary,env in (prod,staging),tier=api' });
  });
});

describe('replicasets', () => {
  const RS = ref('apps', 'replicasets', 'ReplicaSet');
  it('DESIRED, CURRENT, READY and wide selector', () => {
    expect(headers(table(RS, []))).toEqual({
      normal: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
      wide: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
    });
    const rs = {
      metadata: meta('web-7d4b9c8f5'),
      spec: { replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': '7d4b9c8f5' } }, template },
      status: { replicas: 3, readyReplicas: 2 },
    };
    expect(row(RS, rs)).toMatchObject({ DESIRED: 3, CURRENT: 3, READY: 2, SELECTOR: 'app=web,pod-template-hash=7d4b9c8f5' });
    const scaledDown = { metadata: meta('web-old'), spec: { replicas: 0, selector: {}, template }, status: { replicas: 0 } };
    expect(row(RS, scaledDown)).toMatchObject({ DESIRED: 0, CURRENT: 0, READY: 0, SELECTOR: '<none>' });
    const bad = { metadata: meta('bad'), spec: { selector: { matchExpressions: [{ key: 'a', operator: 'Gt' }] }, template } };
    expect(row(RS, bad).SELECTOR).toBe('<error>');
  });
});

describe('daemonsets', () => {
  const DS = ref('apps', 'daemonsets', 'DaemonSet');
  it('all counters and NODE SELECTOR', () => {
    expect(headers(table(DS, []))).toEqual({
      normal: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'],
      wide: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
    });
    const ds = {
      metadata: meta('kube-proxy', { namespace: 'kube-system' }),
      spec: {
        selector: { matchLabels: { 'k8s-app': 'kube-proxy' } },
        template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.32.4' }] } },
      },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
    };
    expect(row(DS, ds)).toEqual({
      NAME: 'kube-proxy',
      DESIRED: 3,
      CURRENT: 3,
      READY: 2,
      'UP-TO-DATE': 3,
      AVAILABLE: 2,
      'NODE SELECTOR': 'kubernetes.io/os=linux',
      AGE: '5d',
      CONTAINERS: 'kube-proxy',
      IMAGES: 'registry.k8s.io/kube-proxy:v1.32.4',
      SELECTOR: 'k8s-app=kube-proxy',
    });
  });
});

describe('statefulsets', () => {
  const STS = ref('apps', 'statefulsets', 'StatefulSet');
  it('READY is ready/desired', () => {
    expect(headers(table(STS, []))).toEqual({ normal: ['NAME', 'READY', 'AGE'], wide: ['NAME', 'READY', 'AGE', 'CONTAINERS', 'IMAGES'] });
    const sts = { metadata: meta('db'), spec: { replicas: 3, template }, status: { replicas: 2, readyReplicas: 1 } };
    expect(row(STS, sts)).toEqual({ NAME: 'db', READY: '1/3', AGE: '5d', CONTAINERS: 'web,exporter', IMAGES: 'nginx:1.27,nginx-exporter:1.1' });
  });
});

describe('controllerrevisions', () => {
  const CR = ref('apps', 'controllerrevisions', 'ControllerRevision');
  it('CONTROLLER is kind.group/name of the controlling owner', () => {
    expect(headers(table(CR, [])).wide).toEqual(['NAME', 'CONTROLLER', 'REVISION', 'AGE']);
    const owned = {
      metadata: meta('db-6c9f8d7b5', {
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u1', controller: true }],
      }),
      revision: 2,
    };
    expect(row(CR, owned)).toEqual({ NAME: 'db-6c9f8d7b5', CONTROLLER: 'statefulset.apps/db', REVISION: 2, AGE: '5d' });
    const coreOwner = { metadata: meta('x', { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', controller: true }] }), revision: 1 };
    expect(row(CR, coreOwner).CONTROLLER).toBe('pod/p');
    const orphan = { metadata: meta('y', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'd' }] }), revision: 1 };
    expect(row(CR, orphan).CONTROLLER).toBe('<none>');
  });
});
