import type { Endpoints, Service } from '@logbook/api';
import { BackendPicker } from './backend-picker';
import { backendsOf, proxyRules } from './proxy-rules';

describe('BackendPicker', () => {
  const a = { ip: '10.244.1.2', port: 8080 };
  const b = { ip: '10.244.2.2', port: 8080 };

  it('takes turns without affinity', () => {
    const p = new BackendPicker(undefined);
    p.update([a, b], undefined);
    expect([p.pick('1.1.1.1'), p.pick('1.1.1.1'), p.pick('1.1.1.1')]).toEqual([a, b, a]);
  });

  it('keeps a client on its backend until the timeout passes, or the backend goes', () => {
    let now = 0;
    const p = new BackendPicker(10_000, () => now);
    p.update([a, b], 10_000);
    const first = p.pick('1.1.1.1');
    now = 9_000;
    expect(p.pick('1.1.1.1')).toEqual(first);
    now = 9_000 + 10_001;
    p.pick('2.2.2.2');
    // Expired: a fresh turn, which after 2.2.2.2's turn lands on the other backend.
    expect(p.pick('1.1.1.1')).not.toBeUndefined();
    const sticky = p.pick('3.3.3.3')!;
    p.update([sticky === a ? b : a], 10_000);
    expect(p.pick('3.3.3.3')).toEqual(sticky === a ? b : a);
  });

  it('skips backends that failed for this connection, and has none when all did', () => {
    const p = new BackendPicker(undefined);
    p.update([a, b], undefined);
    expect(p.pick('c', new Set(['10.244.1.2:8080']))).toEqual(b);
    expect(p.pick('c', new Set(['10.244.1.2:8080', '10.244.2.2:8080']))).toBeUndefined();
  });
});

describe('proxyRules', () => {
  const endpoints: Endpoints = {
    metadata: { name: 'kubia', namespace: 'default' },
    subsets: [
      { addresses: [{ ip: '10.244.1.2' }], notReadyAddresses: [{ ip: '10.244.1.9' }], ports: [{ name: 'http', port: 8080 }, { name: 'https', port: 8443 }] },
      { addresses: [{ ip: '10.244.2.2' }], ports: [{ name: 'http', port: 9090 }] },
    ],
  };

  it('takes the ready addresses of the subsets carrying the port, at that subset\'s port', () => {
    expect(backendsOf(endpoints, 'http', 'TCP')).toEqual([{ ip: '10.244.1.2', port: 8080 }, { ip: '10.244.2.2', port: 9090 }]);
    expect(backendsOf(endpoints, 'https', 'TCP')).toEqual([{ ip: '10.244.1.2', port: 8443 }]);
    expect(backendsOf(endpoints, 'http', 'UDP')).toEqual([]);
  });

  it('listens on the ClusterIP, NodePort and LoadBalancer address of each port; none for headless and ExternalName', () => {
    const svc = (name: string, spec: Service['spec'], status?: Service['status']): Service => ({ metadata: { name, namespace: 'default' }, spec, status });
    const rules = proxyRules(
      [
        svc('kubia', { type: 'LoadBalancer', clusterIP: '10.96.0.20', sessionAffinity: 'ClientIP', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }, { loadBalancer: { ingress: [{ ip: '127.1.0.5' }] } }),
        svc('headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
        svc('ext', { type: 'ExternalName', externalName: 'example.com' }),
      ],
      (_ns, name) => (name === 'kubia' ? endpoints : undefined),
      { nodePortAddress: '0.0.0.0', clusterIPs: true },
    );
    expect(rules).toEqual([
      {
        name: 'default/kubia:http',
        protocol: 'TCP',
        listeners: [
          { kind: 'clusterIP', address: '10.96.0.20', port: 80 },
          { kind: 'nodePort', address: '0.0.0.0', port: 30080 },
          { kind: 'loadBalancer', address: '127.1.0.5', port: 80 },
        ],
        backends: [{ ip: '10.244.1.2', port: 8080 }, { ip: '10.244.2.2', port: 9090 }],
        affinityTimeoutMs: 10_800_000,
      },
    ]);
  });
});
