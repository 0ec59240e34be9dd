import type { Endpoints, Service } from '@logbook/api';
import { isAlreadyExists } from '@logbook/machinery';
import { kinds, KubeClient } from '@logbook/sdk';

/** Kubernetes' conventional cluster DNS address (the kubelet's `clusterDNS`): the tenth of the default service range. */
export const DEFAULT_CLUSTER_DNS_IP = '10.96.0.10';

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
