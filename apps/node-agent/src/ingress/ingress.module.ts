import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ClientConfig, InformerFactory, KubeClient, untilApiServerAnswers } from '@logbook/sdk';
import { IngressController, IngressControllerOptions } from './ingress-controller';

/** Where to listen, and the API client's settings (server and credentials: in the all-in-one, the controller manager's certificate). */
export interface IngressModuleOptions extends IngressControllerOptions, ClientConfig {
  server: string;
}

const INGRESS_OPTIONS = Symbol('INGRESS_OPTIONS');

/** Runs the Ingress controller once the API server answers; a port it cannot bind is logged, not fatal. */
@Injectable()
export class IngressService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('IngressController');
  private readonly informers: InformerFactory;
  private readonly client: KubeClient;
  readonly controller: IngressController;
  private readonly abort = new AbortController();
  private starting?: Promise<void>;

  constructor(@Inject(INGRESS_OPTIONS) opts: IngressModuleOptions) {
    this.client = new KubeClient({ ...opts, userAgent: 'logbook-ingress' });
    this.informers = new InformerFactory(this.client);
    this.controller = new IngressController(this.client, this.informers, opts);
  }

  onApplicationBootstrap(): void {
    this.starting = untilApiServerAnswers(this.client, this.abort.signal).then(
      () => this.controller.start(this.abort.signal).catch((err: Error) => this.log.error(`start-up failed: ${err.message}`)),
      () => undefined,
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.abort.abort();
    await this.starting;
    await this.controller.stop();
    await this.informers.stop();
  }
}

/** The Ingress controller as a Nest module (the all-in-one imports it). */
@Module({})
export class IngressModule {
  static forRoot(options: IngressModuleOptions): DynamicModule {
    return { module: IngressModule, providers: [{ provide: INGRESS_OPTIONS, useValue: options }, IngressService], exports: [IngressService] };
  }
}
