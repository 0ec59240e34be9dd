import type { Endpoints, Service } from '@logbook/api';
import { isAlreadyExists } from '@logbook/machinery';
import { kinds, KubeClient } from '@logbook/sdk';

/** Kubernetes' conventional cluster DNS address (the kubelet's `clusterDNS`): the tenth of the default service range. */
export const DEFAULT_CLUSTER_DNS_IP = '10.96.0.10';

/** The tenth address of a service CIDR (kubeadm's choice for the cluster DNS): `10.96.0.10` for `10.96.0.0/16`. */
export function clusterDnsIPOf(serviceCIDR: string | undefined): string {
  if (!serviceCIDR) return DEFAULT_CLUSTER_DNS_IP;
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(serviceCIDR.trim());
  if (!m || Number(m[5]) > 28) throw new Error(`service CIDR ${JSON.stringify(serviceCIDR)} must be an IPv4 CIDR of /28 or wider`);
  const size = 2 ** (32 - Number(m[5]));
  const n = (Number(m[1]) * 2 ** 24 + Number(m[2]) * 2 ** 16 + Number(m[3]) * 2 ** 8 + Number(m[4])) % 2 ** 32;
  const ip = n - (n % size) + 10;
  return [24, 16, 8, 0].map((s) => Math.floor(ip / 2 ** s) % 256).join('.');
}

/**
 * Publishes the DNS server as `kube-system/kube-dns` (as a cluster's
 * CoreDNS is): a Service at the clusterDNS address pods' resolv.conf names,
 * port 53 over UDP and TCP, and Endpoints pointing at where this server
 * really listens. The service proxy then serves `clusterDNS:53` to pods.
 * The Service has no selector: its Endpoints are ours.
 */
export async function publishKubeDns(client: KubeClient, clusterDnsIP: string, listen: { address: string; port: number }): Promise<void> {
  const meta = { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS' } };
  const svc: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta,
    spec: { clusterIP: clusterDnsIP, ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: listen.port }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: listen.port }] },
  };
  await client.create(kinds.Service, svc).catch((err) => {
    if (!isAlreadyExists(err)) throw err;
  });
  const ep: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: meta,
    subsets: [{ addresses: [{ ip: listen.address }], ports: [{ name: 'dns', port: listen.port, protocol: 'UDP' }, { name: 'dns-tcp', port: listen.port, protocol: 'TCP' }] }],
  };
  const existing = await client.get(kinds.Endpoints, { namespace: 'kube-system', name: 'kube-dns' }).catch(() => undefined);
  if (!existing) await client.create(kinds.Endpoints, ep);
  else if (JSON.stringify(existing.subsets) !== JSON.stringify(ep.subsets)) await client.update(kinds.Endpoints, { ...ep, metadata: existing.metadata });
}
