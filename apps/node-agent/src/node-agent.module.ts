import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { KubeClient, untilApiServerAnswers } from '@logbook/sdk';
import { NodeAgent, NodeAgentOptions } from './node-agent';

export const NODE_AGENT_OPTIONS = Symbol('NODE_AGENT_OPTIONS');

/**
 * Runs a NodeAgent in a Nest application: started once the API server
 * answers — without holding up the application's start, since in the
 * all-in-one process that server is this very application — and stopped
 * when the application closes (before the API server stops serving).
 */
@Injectable()
export class NodeAgentService implements OnApplicationBootstrap, OnModuleDestroy {
  readonly agent: NodeAgent;
  private readonly log = new Logger('NodeAgent');
  private readonly abort = new AbortController();
  private starting?: Promise<void>;

  constructor(@Inject(NODE_AGENT_OPTIONS) options: NodeAgentOptions) {
    this.agent = new NodeAgent(options);
  }

  onApplicationBootstrap(): void {
    this.starting = untilApiServerAnswers(this.agent.client, this.abort.signal).then(
      () =>
        this.agent.start().then(
          () => this.log.log(`running ${this.agent.nodeNames.join(', ')} against ${this.agent.client.server}`),
          (err) => this.log.error(`start-up failed: ${(err as Error).message}`),
        ),
      () => undefined,
    );
  }

  /** Stops the nodes, including ones still registering (which give up instead of retrying on). */
  async onModuleDestroy(): Promise<void> {
    this.abort.abort();
    await Promise.all([this.agent.stop(), this.starting]);
    await this.agent.stop();
  }
}

/** The node agent as a Nest module: `NodeAgentModule.forRoot(nodeAgentOptionsFromEnv())`. */
@Module({})
export class NodeAgentModule {
  static forRoot(options: NodeAgentOptions): DynamicModule {
    return {
      module: NodeAgentModule,
      providers: [{ provide: NODE_AGENT_OPTIONS, useValue: options }, NodeAgentService],
      exports: [NodeAgentService],
    };
  }
}
