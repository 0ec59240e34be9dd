import type { ContainerRuntime } from './container-runtime';
import { SimulatedRuntime, SimulatedRuntimeOptions } from './simulated/simulated-runtime';

export type RuntimeKind = 'simulated' | 'process';

export interface RuntimeSettings {
  kind: RuntimeKind;
  /** Options of the simulated runtime (the pod CIDR comes from the node). */
  simulated?: Omit<SimulatedRuntimeOptions, 'podCIDR'>;
}

/** The runtime for one node. */
export function createRuntime(settings: RuntimeSettings, node: { podCIDR: string }): ContainerRuntime {
  switch (settings.kind) {
    case 'simulated':
      return new SimulatedRuntime({ ...settings.simulated, podCIDR: node.podCIDR });
    case 'process':
      throw new Error('the process runtime is not available yet: run with LOGBOOK_RUNTIME=simulated');
    default:
      throw new Error(`unknown runtime ${JSON.stringify(settings.kind)} (expected simulated or process)`);
  }
}

/** The Node's osImage for a runtime. */
export function osImageOf(kind: RuntimeKind): string {
  return kind === 'simulated' ? 'Logbook simulated node' : 'Logbook node';
}
