import type { Service } from '@logbook/api';
import type { KubeClient } from '@logbook/sdk';
import { isNotFound } from '@logbook/machinery';
import { kinds } from '@logbook/sdk';
import type { ContainerRuntime } from './container-runtime';
import type { ConfigSource } from './process/container-env';
import { ProcessRuntime, ProcessRuntimeOptions } from './process/process-runtime';
import { SimulatedRuntime, SimulatedRuntimeOptions } from './simulated/simulated-runtime';
import { VolumeManager } from '../volumes';

export type RuntimeKind = 'simulated' | 'process';

export interface RuntimeSettings {
  kind: RuntimeKind;
  /** Options of the simulated runtime (the pod CIDR comes from the node). */
  simulated?: Omit<SimulatedRuntimeOptions, 'podCIDR'>;
  /** Options of the process runtime (node name, CIDR, config source and allocatable come from the node). */
  process?: Omit<ProcessRuntimeOptions, 'nodeName' | 'podCIDR' | 'config' | 'allocatable' | 'stateDir' | 'volumes'> & {
    /** Pod state lives under `<stateDir>/<node name>`. Default: a fresh temporary directory per node. */
    stateDir?: string;
  };
}

/**
 * ConfigMaps and Secrets read through the API (for `env` and `envFrom`); a
 * missing one is undefined. Services (for the containers' service links)
 * are listed once for all the containers that ask while a list is under
 * way: a hundred pods starting at once cost one LIST, not a hundred.
 */
export function configSourceOf(client: KubeClient): ConfigSource {
  const orUndefined = <T>(p: Promise<T>) => p.catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
  let listing: Promise<Service[]> | undefined;
  return {
    configMap: (namespace, name) => orUndefined(client.get(kinds.ConfigMap, { namespace, name })),
    secret: (namespace, name) => orUndefined(client.get(kinds.Secret, { namespace, name })),
    services: () =>
      (listing ??= client
        .list(kinds.Service)
        .then((l) => l.items)
        .finally(() => (listing = undefined))),
  };
}

/** The runtime for one node. */
export function createRuntime(
  settings: RuntimeSettings,
  node: { name: string; podCIDR: string; allocatable: Record<string, string> },
  client?: KubeClient,
): ContainerRuntime {
  switch (settings.kind) {
    case 'simulated':
      return new SimulatedRuntime({ ...settings.simulated, podCIDR: node.podCIDR });
    case 'process': {
      if (!client) throw new Error('the process runtime needs an API client');
      const { stateDir, ...rest } = settings.process ?? {};
      return new ProcessRuntime({
        ...rest,
        nodeName: node.name,
        podCIDR: node.podCIDR,
        allocatable: node.allocatable,
        config: configSourceOf(client),
        // Pods' volumes (emptyDir, hostPath, configMap, secret, downwardAPI, projected, PVCs) by the node's VolumeManager.
        volumes: (rootDir) => {
          const manager = new VolumeManager({ client, rootDir, nodeName: node.name });
          return { setUp: (pod) => manager.setUpWhenReady(pod), tearDown: (uid) => manager.tearDown(uid), close: () => manager.close() };
        },
        ...(stateDir ? { stateDir: `${stateDir}/${node.name}` } : {}),
      });
    }
    default:
      throw new Error(`unknown runtime ${JSON.stringify(settings.kind)} (expected simulated or process)`);
  }
}

/** The Node's osImage for a runtime. */
export function osImageOf(kind: RuntimeKind): string {
  return kind === 'simulated' ? 'Logbook simulated node' : 'Logbook node';
}
