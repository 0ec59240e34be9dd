import type { Pod } from '@logbook/api';
import { hostsFile, resolvConf } from './pod-files';

const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({ metadata: { name: 'kubia-0', namespace: 'shop' }, spec: { containers: [], ...spec } });

describe("a pod's /etc files", () => {
  it('resolv.conf: the cluster DNS with the namespace search path and ndots:5 (as the seed shows)', () => {
    expect(resolvConf(pod(), '10.96.0.10', 'cluster.local')).toBe('search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
  });

  it("resolv.conf: the host's for dnsPolicy Default, host-network pods and without cluster DNS; dnsConfig merged", () => {
    expect(resolvConf(pod({ dnsPolicy: 'Default' }), '10.96.0.10', 'cluster.local')).toBeUndefined();
    expect(resolvConf(pod({ hostNetwork: true }), '10.96.0.10', 'cluster.local')).toBeUndefined();
    expect(resolvConf(pod(), undefined, 'cluster.local')).toBeUndefined();
    const custom = resolvConf(pod({ dnsConfig: { searches: ['corp'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }), '10.96.0.10', 'cluster.local');
    expect(custom).toBe('search shop.svc.cluster.local svc.cluster.local cluster.local corp\nnameserver 10.96.0.10\noptions ndots:2 edns0\n');
  });

  it("hosts: localhost and the pod's IP with its hostname, or its FQDN with a subdomain", () => {
    expect(hostsFile(pod(), '10.244.1.7', 'cluster.local')).toMatch(/^# Kubernetes-managed hosts file\.\n127\.0\.0\.1\tlocalhost\n[\s\S]*\n10\.244\.1\.7\tkubia-0\n$/);
    expect(hostsFile(pod({ subdomain: 'kubia' }), '10.244.1.7', 'cluster.local')).toContain('10.244.1.7\tkubia-0.kubia.shop.svc.cluster.local\tkubia-0\n');
  });
});
