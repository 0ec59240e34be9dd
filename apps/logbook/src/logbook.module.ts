import { DynamicModule, Module } from '@nestjs/common';
import { EventStoreModule } from '@logbook/event-store';
import { ApiServerModule, eventStoreOptions } from '@logbook/apiserver';
import { ControllersModule } from '@logbook/controllers';
import { ClusterDnsModule, clusterDnsIPOf, clusterDnsOptionsFromEnv, IngressModule, ingressOptionsFromEnv, NodeAgentModule, NodeAgentOptions } from '@logbook/node-agent';
import { SchedulerModule } from '@logbook/scheduler';
import { ClientConfig, LogbookSdkModule } from '@logbook/sdk';

export interface LogbookOptions {
  databaseUrl: string;
  /**
   * This process's own API address: the in-process controller-manager,
   * scheduler and nodes are clients of it over HTTP, exactly as separate
   * processes would be. Default https://127.0.0.1:6443.
   */
  server?: string;
  /** Each component's credentials (see componentIdentities); without them they send none. */
  identities?: { controllerManager?: ClientConfig; scheduler?: ClientConfig; nodes?: ClientConfig; nodeClients?: Record<string, ClientConfig> };
  /** Nodes to run in this process (LOGBOOK_RUNTIME=simulated); none when unset. */
  nodes?: NodeAgentOptions;
}

/**
 * Whether the all-in-one runs a networking component (cluster DNS,
 * Ingress): `true`/`false` in `variable`, else only with nodes on the
 * process runtime — simulated pods have no reachable address to route to.
 */
function networkingOn(variable: string, nodes: NodeAgentOptions | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env[variable];
  return v === 'true' || (v !== 'false' && nodes?.runtime.kind === 'process');
}

/** Process-runtime nodes name the cluster DNS in their pods' resolv.conf (unless LOGBOOK_CLUSTER_DNS already said which). */
function withClusterDns(nodes: NodeAgentOptions | undefined, clusterDNS: string): NodeAgentOptions | undefined {
  if (nodes?.runtime.kind !== 'process' || nodes.runtime.process?.clusterDNS) return nodes;
  return { ...nodes, runtime: { ...nodes.runtime, process: { ...nodes.runtime.process, clusterDNS } } };
}

/**
 * The all-in-one control plane: the API server over the event store, the
 * built-in controllers (leader-elected on kube-system/kube-controller-manager),
 * the scheduler (kube-system/kube-scheduler) and, with the simulated
 * runtime, the nodes.
 *
 * On shutdown the clients stop first (module destroy: controllers,
 * scheduler and nodes hand back their leases while the API still serves),
 * then the HTTP server closes, then the event store (application shutdown).
 */
@Module({})
export class LogbookModule {
  static forRoot(opts: LogbookOptions): DynamicModule {
    const server = opts.server ?? 'https://127.0.0.1:6443';
    const ids = opts.identities ?? {};
    const dns = networkingOn('LOGBOOK_DNS', opts.nodes);
    // The address kube-dns is published at, which the kubelets write into pods' resolv.conf (the kubelet's clusterDNS).
    const clusterDnsIP = process.env.LOGBOOK_CLUSTER_DNS || clusterDnsIPOf(process.env.LOGBOOK_SERVICE_CIDR);
    const nodes = dns ? withClusterDns(opts.nodes, clusterDnsIP) : opts.nodes;
    return {
      module: LogbookModule,
      imports: [
        // Secrets sealed at rest with the key file's keys, as the standalone API server does.
        EventStoreModule.forRoot(eventStoreOptions(opts.databaseUrl)),
        ApiServerModule,
        LogbookSdkModule.forRoot({
          ...ids.controllerManager,
          server,
          userAgent: 'logbook-controller-manager',
          leaderElection: { leaseName: 'kube-controller-manager' },
          // The API server serves /healthz and /readyz here; the manager starts when it answers.
          endpoints: false,
          autoStart: 'whenServerAnswers',
        }),
        ControllersModule,
        SchedulerModule.forRoot({ ...ids.scheduler, server }),
        ...(nodes ? [NodeAgentModule.forRoot({ ...ids.nodes, ...nodes, server, nodeClients: ids.nodeClients })] : []),
        // Cluster DNS, published as kube-system/kube-dns; it reads and writes as the controller manager.
        ...(dns ? [ClusterDnsModule.forRoot({ ...ids.controllerManager, ...clusterDnsOptionsFromEnv(), server, clusterDnsIP })] : []),
        // The Ingress controller on 127.0.0.1:80/443 (LOGBOOK_INGRESS_PORT, LOGBOOK_INGRESS_TLS_PORT), as the controller manager.
        ...(networkingOn('LOGBOOK_INGRESS', opts.nodes) ? [IngressModule.forRoot({ ...ids.controllerManager, ...ingressOptionsFromEnv(), server })] : []),
      ],
    };
  }
}
