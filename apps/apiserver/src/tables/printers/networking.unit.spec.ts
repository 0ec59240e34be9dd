import { ago, headers, ref, row, table } from '../test-helpers';

const meta = (name: string) => ({ name, namespace: 'default', creationTimestamp: ago('7h59m') });

describe('ingresses', () => {
  const ING = ref('networking.k8s.io', 'ingresses', 'Ingress');
  it('headers', () => expect(headers(table(ING, [])).wide).toEqual(['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']));

  it('ingress with TLS, class and load balancer address', () => {
    const ing = {
      metadata: meta('shop'),
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
        rules: [{ host: 'shop.example.com' }, { host: 'api.shop.example.com' }],
      },
      status: { loadBalancer: { ingress: [{ ip: '203.0.113.20' }, { hostname: 'a1b2c3.elb.amazonaws.com' }] } },
    };
    expect(row(ING, ing)).toEqual({
      NAME: 'shop',
      CLASS: 'nginx',
      HOSTS: 'shop.example.com,api.shop.example.com',
      ADDRESS: '203.0.113.20,a1b2c3.elb.amazonaws.com',
      PORTS: '80, 443',
      AGE: '7h59m',
    });
  });

  it('no class, no hosts, no address; more than three hosts', () => {
    expect(row(ING, { metadata: meta('default-backend'), spec: { defaultBackend: {} } })).toMatchObject({ CLASS: '<none>', HOSTS: '*', ADDRESS: '', PORTS: '80' });
    const many = { metadata: meta('m'), spec: { rules: ['a', 'b', 'c', 'd', 'e'].map((h) => ({ host: `${h}.example.com` })) } };
    expect(row(ING, many).HOSTS).toBe('a.example.com,b.example.com,c.example.com + 2 more...');
  });
});

describe('ingressclasses and networkpolicies', () => {
  it('ingressclass PARAMETERS', () => {
    const IC = ref('networking.k8s.io', 'ingressclasses', 'IngressClass');
    const ic = { metadata: meta('nginx'), spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' } } };
    expect(row(IC, ic)).toEqual({ NAME: 'nginx', CONTROLLER: 'k8s.io/ingress-nginx', PARAMETERS: 'IngressParameters.k8s.example.com/external-lb', AGE: '7h59m' });
    expect(row(IC, { metadata: meta('plain'), spec: { controller: 'x' } }).PARAMETERS).toBe('<none>');
  });

  it('networkpolicy POD-SELECTOR', () => {
    const NP = ref('networking.k8s.io', 'networkpolicies', 'NetworkPolicy');
    expect(row(NP, { metadata: meta('deny-all'), spec: { podSelector: {} } })).toEqual({ NAME: 'deny-all', 'POD-SELECTOR': '<none>', AGE: '7h59m' });
    expect(row(NP, { metadata: meta('db'), spec: { podSelector: { matchLabels: { role: 'db' } } } })['POD-SELECTOR']).toBe('role=db');
  });
});

describe('endpointslices', () => {
  const ES = ref('discovery.k8s.io', 'endpointslices', 'EndpointSlice');
  it('headers', () => expect(headers(table(ES, [])).wide).toEqual(['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']));

  it('ports and endpoints with "+ N more..."', () => {
    const es = {
      metadata: meta('web-abc12'),
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9090 }],
      endpoints: [
        { addresses: ['10.244.1.5'], conditions: { ready: true } },
        { addresses: ['10.244.2.6'] },
        { addresses: ['10.244.3.7'] },
        { addresses: ['10.244.4.8'] },
        { addresses: ['10.244.5.9'] },
      ],
    };
    expect(row(ES, es)).toEqual({
      NAME: 'web-abc12',
      ADDRESSTYPE: 'IPv4',
      PORTS: '8080,9090',
      ENDPOINTS: '10.244.1.5,10.244.2.6,10.244.3.7 + 2 more...',
      AGE: '7h59m',
    });
  });

  it('<unset> when empty; named or wildcard ports', () => {
    expect(row(ES, { metadata: meta('e'), addressType: 'IPv6', endpoints: [] })).toMatchObject({ PORTS: '<unset>', ENDPOINTS: '<unset>' });
    expect(row(ES, { metadata: meta('e'), addressType: 'FQDN', ports: [{ name: 'http' }, {}] }).PORTS).toBe('http,*');
  });
});
