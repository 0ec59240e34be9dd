import { ago, headers, ref, row, table } from '../test-helpers';

const meta = (name: string, extra: object = {}) => ({ name, namespace: 'default', creationTimestamp: ago('3h'), ...extra });

describe('services', () => {
  const SVC = ref('', 'services', 'Service');
  const svc = (spec: object, status: object = {}) => ({ apiVersion: 'v1', kind: 'Service', metadata: meta('web'), spec, status });

  it('headers', () => {
    expect(headers(table(SVC, []))).toEqual({
      normal: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
      wide: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR'],
    });
  });

  it('ClusterIP service with two ports and a selector', () => {
    const s = svc({
      type: 'ClusterIP',
      clusterIP: '10.96.12.34',
      clusterIPs: ['10.96.12.34'],
      selector: { tier: 'frontend', app: 'web' },
      ports: [
        { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
        { name: 'dns', port: 53, protocol: 'UDP' },
      ],
    });
    expect(row(SVC, s)).toEqual({
      NAME: 'web',
      TYPE: 'ClusterIP',
      'CLUSTER-IP': '10.96.12.34',
      'EXTERNAL-IP': '<none>',
      'PORT(S)': '80/TCP,53/UDP',
      AGE: '3h',
      SELECTOR: 'app=web,tier=frontend',
    });
  });

  it('NodePort service prints port:nodePort/protocol', () => {
    const s = svc({
      type: 'NodePort',
      clusterIP: '10.96.0.20',
      ports: [
        { port: 80, nodePort: 30123, protocol: 'TCP' },
        { port: 443, protocol: 'TCP' },
      ],
    });
    expect(row(SVC, s)).toMatchObject({ TYPE: 'NodePort', 'EXTERNAL-IP': '<none>', 'PORT(S)': '80:30123/TCP,443/TCP', SELECTOR: '<none>' });
  });

  it('LoadBalancer without ingress is <pending>', () => {
    const s = svc({ type: 'LoadBalancer', clusterIP: '10.96.0.30', ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] });
    expect(row(SVC, s)).toMatchObject({ 'EXTERNAL-IP': '<pending>', 'PORT(S)': '443:31443/TCP' });
  });

  it('LoadBalancer with ingress lists sorted IPs/hostnames, then externalIPs', () => {
    const status = { loadBalancer: { ingress: [{ ip: '203.0.113.9' }, { hostname: 'lb.example.com' }, { ip: '203.0.113.10' }] } };
    expect(row(SVC, svc({ type: 'LoadBalancer', clusterIP: '10.96.0.30', ports: [] }, status))['EXTERNAL-IP']).toBe(
      '203.0.113.10,203.0.113.9,lb.example.com',
    );
    const withExternal = svc({ type: 'LoadBalancer', externalIPs: ['198.51.100.1'] }, { loadBalancer: { ingress: [{ ip: '203.0.113.9' }] } });
    expect(row(SVC, withExternal)['EXTERNAL-IP']).toBe('203.0.113.9,198.51.100.1');
  });

  it('ExternalName service shows the external name and no cluster IP', () => {
    const s = svc({ type: 'ExternalName', externalName: 'db.example.com' });
    expect(row(SVC, s)).toMatchObject({ 'CLUSTER-IP': '<none>', 'EXTERNAL-IP': 'db.example.com', 'PORT(S)': '<none>' });
  });

  it('headless service, externalIPs on ClusterIP, API defaults for type and protocol', () => {
    const s = svc({ clusterIP: 'None', externalIPs: ['198.51.100.7', '198.51.100.8'], ports: [{ port: 5432 }] });
    expect(row(SVC, s)).toMatchObject({ TYPE: 'ClusterIP', 'CLUSTER-IP': 'None', 'EXTERNAL-IP': '198.51.100.7,198.51.100.8', 'PORT(S)': '5432/TCP' });
  });
});

describe('endpoints', () => {
  const EP = ref('', 'endpoints', 'Endpoints');
  const ep = (subsets?: object[]) => ({ metadata: meta('web'), subsets });

  it('headers', () => expect(headers(table(EP, [])).wide).toEqual(['NAME', 'ENDPOINTS', 'AGE']));

  it('shows three endpoints then "+ N more..."', () => {
    const e = ep([
      {
        addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }, { ip: '10.0.0.4' }],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
    expect(row(EP, e).ENDPOINTS).toBe('10.0.0.1:8080,10.0.0.2:8080,10.0.0.3:8080 + 1 more...');
  });

  it('counts every address per port', () => {
    const e = ep([{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] }]);
    expect(row(EP, e).ENDPOINTS).toBe('10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...');
  });

  it('headless endpoints without ports, IPv6, and none at all', () => {
    expect(row(EP, ep([{ addresses: [{ ip: '10.0.0.1' }] }])).ENDPOINTS).toBe('10.0.0.1');
    expect(row(EP, ep([{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }])).ENDPOINTS).toBe('[fd00::1]:80');
    expect(row(EP, ep()).ENDPOINTS).toBe('<none>');
  });
});

describe('namespaces', () => {
  const NS = ref('', 'namespaces', 'Namespace');
  it('NAME, STATUS, AGE', () => {
    expect(headers(table(NS, [])).wide).toEqual(['NAME', 'STATUS', 'AGE']);
    expect(row(NS, { metadata: { name: 'kube-system', creationTimestamp: ago('45d') }, status: { phase: 'Active' } })).toEqual({
      NAME: 'kube-system',
      STATUS: 'Active',
      AGE: '45d',
    });
    expect(row(NS, { metadata: { name: 'old', creationTimestamp: ago('10m') }, status: { phase: 'Terminating' } }).STATUS).toBe('Terminating');
  });
});

describe('nodes', () => {
  const NODE = ref('', 'nodes', 'Node');
  const node = (conditions: object[], extra: { unschedulable?: boolean; labels?: object } = {}) => ({
    metadata: { name: 'node-1', creationTimestamp: ago('3y45d'), labels: extra.labels ?? {} },
    spec: { unschedulable: extra.unschedulable },
    status: {
      conditions,
      addresses: [
        { type: 'Hostname', address: 'node-1' },
        { type: 'InternalIP', address: '192.168.1.10' },
      ],
      nodeInfo: { kubeletVersion: 'v1.32.4', osImage: 'Ubuntu 24.04 LTS', kernelVersion: '6.8.0-45-generic', containerRuntimeVersion: 'containerd://1.7.22' },
    },
  });
  const ready = [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }];

  it('headers', () => {
    expect(headers(table(NODE, []))).toEqual({
      normal: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
      wide: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
    });
  });

  it('Ready node with roles', () => {
    const n = node(ready, { labels: { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/control-plane': '' } });
    expect(row(NODE, n)).toEqual({
      NAME: 'node-1',
      STATUS: 'Ready',
      ROLES: 'control-plane,worker',
      AGE: '3y45d',
      VERSION: 'v1.32.4',
      'INTERNAL-IP': '192.168.1.10',
      'EXTERNAL-IP': '<none>',
      'OS-IMAGE': 'Ubuntu 24.04 LTS',
      'KERNEL-VERSION': '6.8.0-45-generic',
      'CONTAINER-RUNTIME': 'containerd://1.7.22',
    });
  });

  it('NotReady, SchedulingDisabled, Unknown, kubernetes.io/role', () => {
    expect(row(NODE, node([{ type: 'Ready', status: 'False' }])).STATUS).toBe('NotReady');
    expect(row(NODE, node([{ type: 'Ready', status: 'Unknown' }])).STATUS).toBe('NotReady');
    expect(row(NODE, node(ready, { unschedulable: true })).STATUS).toBe('Ready,SchedulingDisabled');
    expect(row(NODE, node([], { unschedulable: true })).STATUS).toBe('Unknown,SchedulingDisabled');
    expect(row(NODE, node(ready, { labels: { 'kubernetes.io/role': 'master' } })).ROLES).toBe('master');
    expect(row(NODE, node(ready)).ROLES).toBe('<none>');
  });

  it('missing node info prints <unknown>', () => {
    const n = { metadata: { name: 'bare' }, status: { conditions: ready } };
    expect(row(NODE, n)).toMatchObject({ AGE: '<unknown>', VERSION: '', 'INTERNAL-IP': '<none>', 'OS-IMAGE': '<unknown>', 'CONTAINER-RUNTIME': '<unknown>' });
  });
});

describe('configmaps, secrets, serviceaccounts', () => {
  it('configmap DATA counts data and binaryData', () => {
    const CM = ref('', 'configmaps', 'ConfigMap');
    expect(headers(table(CM, [])).wide).toEqual(['NAME', 'DATA', 'AGE']);
    expect(row(CM, { metadata: meta('settings'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } })).toEqual({ NAME: 'settings', DATA: 3, AGE: '3h' });
    expect(row(CM, { metadata: meta('empty') }).DATA).toBe(0);
  });

  it('secret TYPE and DATA', () => {
    const SECRET = ref('', 'secrets', 'Secret');
    expect(headers(table(SECRET, [])).wide).toEqual(['NAME', 'TYPE', 'DATA', 'AGE']);
    const tls = { metadata: meta('tls'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==', 'tls.key': 'eQ==' } };
    expect(row(SECRET, tls)).toEqual({ NAME: 'tls', TYPE: 'kubernetes.io/tls', DATA: 2, AGE: '3h' });
    expect(row(SECRET, { metadata: meta('s'), stringData: { password: 'x' }, data: { user: 'eA==' } })).toMatchObject({ TYPE: 'Opaque', DATA: 2 });
  });

  it('serviceaccount SECRETS', () => {
    const SA = ref('', 'serviceaccounts', 'ServiceAccount');
    expect(headers(table(SA, [])).wide).toEqual(['NAME', 'SECRETS', 'AGE']);
    expect(row(SA, { metadata: meta('default') })).toEqual({ NAME: 'default', SECRETS: 0, AGE: '3h' });
    expect(row(SA, { metadata: meta('builder'), secrets: [{ name: 'builder-token' }] }).SECRETS).toBe(1);
  });
});

describe('replicationcontrollers and podtemplates', () => {
  const RC = ref('', 'replicationcontrollers', 'ReplicationController');
  it('RC columns with wide containers, images and selector', () => {
    expect(headers(table(RC, []))).toEqual({
      normal: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
      wide: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
    });
    const rc = {
      metadata: meta('legacy'),
      spec: {
        replicas: 3,
        selector: { app: 'legacy' },
        template: { spec: { containers: [{ name: 'app', image: 'legacy:1' }, { name: 'log', image: 'fluent-bit:3' }] } },
      },
      status: { replicas: 3, readyReplicas: 2 },
    };
    expect(row(RC, rc)).toEqual({
      NAME: 'legacy',
      DESIRED: 3,
      CURRENT: 3,
      READY: 2,
      AGE: '3h',
      CONTAINERS: 'app,log',
      IMAGES: 'legacy:1,fluent-bit:3',
      SELECTOR: 'app=legacy',
    });
  });

  it('podtemplate', () => {
    const PT = ref('', 'podtemplates', 'PodTemplate');
    const pt = { metadata: meta('tpl'), template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } };
    expect(row(PT, pt)).toEqual({ NAME: 'tpl', CONTAINERS: 'c', IMAGES: 'busybox', 'POD LABELS': 'app=x' });
  });
});
