import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InformerFactory, KubeClient, untilApiServerAnswers } from '@logbook/sdk';
import { ClusterDns, ClusterDnsOptions } from './dns-server';
import { DEFAULT_CLUSTER_DNS_IP, publishKubeDns } from './kube-dns-service';

export interface ClusterDnsModuleOptions extends ClusterDnsOptions {
  server: string;
  token?: string;
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
    this.client = new KubeClient({ server: opts.server, token: opts.token, userAgent: 'logbook-dns' });
    this.informers = new InformerFactory(this.client);
    this.dns = new ClusterDns(this.informers, opts);
  }

  onApplicationBootstrap(): void {
    this.starting = untilApiServerAnswers(this.client, this.abort.signal).then(
      async () => {
        try {
          await this.dns.start(this.abort.signal);
          await publishKubeDns(this.client, this.opts.clusterDnsIP ?? DEFAULT_CLUSTER_DNS_IP, this.dns.address);
        } catch (err) {
          if (!this.abort.signal.aborted) this.log.error(`start-up failed: ${(err as Error).message}`);
        }
      },
      () => undefined,
    );
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
