export { ClusterDns, clusterDnsOptionsFromEnv, upstreamFromResolvConf } from './dns-server';
export type { ClusterDnsOptions } from './dns-server';
export { resolveInZone, inZone, DNS_TTL } from './dns-records';
export type { DnsView, DnsResult } from './dns-records';
export { publishKubeDns, clusterDnsIPOf, DEFAULT_CLUSTER_DNS_IP } from './kube-dns-service';
export { ClusterDnsModule, ClusterDnsService } from './cluster-dns.module';
export type { ClusterDnsModuleOptions } from './cluster-dns.module';
