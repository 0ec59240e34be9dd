import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ClientConfig, InformerFactory, KubeClient, realClock, sleep, untilApiServerAnswers } from '@logbook/sdk';
import { ClusterDns, ClusterDnsOptions } from './dns-server';
import { DEFAULT_CLUSTER_DNS_IP, publishKubeDns } from './kube-dns-service';

/** Where to serve, and the API client's settings (server and credentials: in the all-in-one, the controller manager's certificate). */
export interface ClusterDnsModuleOptions extends ClusterDnsOptions, ClientConfig {
  server: string;
  /** The address pods' resolv.conf names (default 10.96.0.10), published as kube-system/kube-dns. */
  clusterDnsIP?: string;
}

const CLUSTER_DNS_OPTIONS = Symbol('CLUSTER_DNS_OPTIONS');

/** Runs the cluster DNS once the API server answers (in the all-in-one, that is this application), and publishes it. */
@Injectable()
export class ClusterDnsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('ClusterDns');
  private readonly client: KubeClient;
  private readonly informers: InformerFactory;
  readonly dns: ClusterDns;
  private readonly abort = new AbortController();
  private starting?: Promise<void>;

  constructor(@Inject(CLUSTER_DNS_OPTIONS) private readonly opts: ClusterDnsModuleOptions) {
    this.client = new KubeClient({ ...opts, userAgent: 'logbook-dns' });
    this.informers = new InformerFactory(this.client);
    this.dns = new ClusterDns(this.informers, opts);
  }

  onApplicationBootstrap(): void {
    this.starting = untilApiServerAnswers(this.client, this.abort.signal).then(
      async () => {
        try {
          await this.dns.start(this.abort.signal);
        } catch (err) {
          if (!this.abort.signal.aborted) this.log.error(`start-up failed: ${(err as Error).message}`);
          return;
        }
        await this.publish();
      },
      () => undefined,
    );
  }

  /**
   * Publishes kube-system/kube-dns, retrying until it is written: right
   * after start-up the authorizer may not have the bootstrap RBAC policy
   * yet (it follows the log), and a DNS nobody can find is no DNS.
   */
  private async publish(): Promise<void> {
    for (let delay = 500; !this.abort.signal.aborted; delay = Math.min(delay * 2, 10_000)) {
      try {
        await publishKubeDns(this.client, this.opts.clusterDnsIP ?? DEFAULT_CLUSTER_DNS_IP, this.dns.address);
        this.log.log(`serving ${this.dns.zone} on ${this.dns.address.address}:${this.dns.address.port}, published as kube-system/kube-dns at ${this.opts.clusterDnsIP ?? DEFAULT_CLUSTER_DNS_IP}`);
        return;
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.log.warn(`publishing kube-system/kube-dns: ${(err as Error).message}; retrying in ${delay} ms`);
        await sleep(delay, realClock, this.abort.signal);
      }
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.abort.abort();
    await this.starting;
    await this.dns.stop();
    await this.informers.stop();
  }
}

/** The cluster DNS as a Nest module (the all-in-one imports it). */
@Module({})
export class ClusterDnsModule {
  static forRoot(options: ClusterDnsModuleOptions): DynamicModule {
    return { module: ClusterDnsModule, providers: [{ provide: CLUSTER_DNS_OPTIONS, useValue: options }, ClusterDnsService], exports: [ClusterDnsService] };
  }
}
