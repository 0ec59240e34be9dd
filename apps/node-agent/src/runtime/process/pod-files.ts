import type { Pod } from '@logbook/api';

/**
 * The /etc/hosts the kubelet writes for a pod (its "Kubernetes-managed hosts
 * file"): localhost, then the pod's IP with its hostname (and its FQDN when
 * the pod has a subdomain), then `spec.hostAliases`.
 */
export function hostsFile(pod: Pod, podIP: string, clusterDomain: string): string {
  const hostname = pod.spec?.hostname ?? pod.metadata?.name ?? '';
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  const sub = pod.spec?.subdomain;
  lines.push(sub ? `${podIP}\t${hostname}.${sub}.${pod.metadata?.namespace}.svc.${clusterDomain}\t${hostname}` : `${podIP}\t${hostname}`);
  for (const alias of pod.spec?.hostAliases ?? []) {
    if (alias.ip && alias.hostnames?.length) lines.push(`\n# Entries added by HostAliases.\n${alias.ip}\t${alias.hostnames.join('\t')}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * The pod's /etc/resolv.conf for dnsPolicy ClusterFirst (the default) when
 * the node knows the cluster DNS server: that server, the search path
 * `<ns>.svc.<domain> svc.<domain> <domain>`, `ndots:5`, then the pod's
 * `dnsConfig`. Undefined (the host's file stays) for dnsPolicy Default, for
 * host-network pods without ClusterFirstWithHostNet, and without cluster DNS.
 */
export function resolvConf(pod: Pod, clusterDNS: string | undefined, clusterDomain: string): string | undefined {
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  const config = pod.spec?.dnsConfig;
  const clusterFirst = (policy === 'ClusterFirst' && !pod.spec?.hostNetwork) || policy === 'ClusterFirstWithHostNet';
  let nameservers: string[] = [];
  let searches: string[] = [];
  let options: string[] = [];
  if (clusterFirst) {
    if (!clusterDNS) return undefined;
    const ns = pod.metadata?.namespace ?? 'default';
    nameservers = [clusterDNS];
    searches = [`${ns}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain];
    options = ['ndots:5'];
  } else if (policy !== 'None') {
    return undefined;
  }
  nameservers.push(...(config?.nameservers ?? []));
  searches.push(...(config?.searches ?? []));
  for (const o of config?.options ?? []) {
    if (!o.name) continue;
    const text = o.value !== undefined ? `${o.name}:${o.value}` : o.name;
    options = options.filter((x) => x.split(':')[0] !== o.name);
    options.push(text);
  }
  const lines = [...(searches.length ? [`search ${searches.join(' ')}`] : []), ...nameservers.map((n) => `nameserver ${n}`), ...(options.length ? [`options ${options.join(' ')}`] : [])];
  return lines.join('\n') + '\n';
}
