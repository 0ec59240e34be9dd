import 'reflect-metadata';
import '../../../logbook/src/register-paths';
import { Logger } from '@nestjs/common';
import { InformerFactory, KubeClient } from '@logbook/sdk';
import { clusterDnsOptionsFromEnv, ClusterDns } from './dns-server';
import { clusterDnsIPOf, publishKubeDns } from './kube-dns-service';

/**
 * The cluster DNS server as its own process, against LOGBOOK_SERVER:
 * `node dist/apps/node-agent/src/dns/main.js`. Publishes itself as
 * kube-system/kube-dns at LOGBOOK_CLUSTER_DNS (default: the tenth address of
 * LOGBOOK_SERVICE_CIDR, 10.96.0.10).
 */
async function main(): Promise<void> {
  const log = new Logger('ClusterDns');
  const client = new KubeClient({ server: process.env.LOGBOOK_SERVER, token: process.env.LOGBOOK_TOKEN, userAgent: 'logbook-dns' });
  const informers = new InformerFactory(client);
  const dns = new ClusterDns(informers, clusterDnsOptionsFromEnv());
  await dns.start();
  await publishKubeDns(client, process.env.LOGBOOK_CLUSTER_DNS || clusterDnsIPOf(process.env.LOGBOOK_SERVICE_CIDR), dns.address);
  const stop = async () => {
    await dns.stop();
    await informers.stop();
    log.log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
