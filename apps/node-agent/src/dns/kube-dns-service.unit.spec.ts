import { clusterDnsIPOf } from './kube-dns-service';

describe('clusterDnsIPOf', () => {
  it("is the tenth address of the service range (kubeadm's choice), 10.96.0.10 by default", () => {
    expect(clusterDnsIPOf(undefined)).toBe('10.96.0.10');
    expect(clusterDnsIPOf('10.96.0.0/16')).toBe('10.96.0.10');
    expect(clusterDnsIPOf('10.77.112.0/20')).toBe('10.77.112.10');
    expect(clusterDnsIPOf('10.77.113.5/20')).toBe('10.77.112.10');
    expect(clusterDnsIPOf('172.20.0.0/28')).toBe('172.20.0.10');
  });

  it('refuses what is not an IPv4 range with room for a tenth address', () => {
    expect(() => clusterDnsIPOf('fd00::/108')).toThrow('must be an IPv4 CIDR of /28 or wider');
    expect(() => clusterDnsIPOf('10.96.0.0/29')).toThrow('must be an IPv4 CIDR of /28 or wider');
  });
});
