/**
 * Resource amounts as the scheduler compares them: CPU in millicores,
 * everything else (memory and ephemeral-storage in bytes, pods, extended
 * resources such as `nvidia.com/gpu`) in whole units — as kube-scheduler's
 * `framework.Resource` keeps them.
 */
import type { Container, Node, Pod } from '@logbook/api';
import { parseQuantity, quantityMilliValue, quantityValue } from '@logbook/machinery';

export type ResourceList = Record<string, number>;

export const CPU = 'cpu';
export const MEMORY = 'memory';
export const PODS = 'pods';

/**
 * What scoring assumes a container without requests uses
 * (kube-scheduler's `DefaultMilliCPURequest` and `DefaultMemoryRequest`),
 * so that pods without requests still spread by load.
 */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** One quantity in the scheduler's unit for that resource (a malformed quantity counts as 0). */
export function amountOf(resource: string, quantity: string | number | undefined): number {
  if (quantity === undefined || quantity === null) return 0;
  try {
    const q = parseQuantity(String(quantity));
    return resource === CPU ? quantityMilliValue(q) : quantityValue(q);
  } catch {
    return 0;
  }
}

export function toResourceList(list: Record<string, string | number> | undefined): ResourceList {
  const out: ResourceList = {};
  for (const [name, q] of Object.entries(list ?? {})) out[name] = amountOf(name, q);
  return out;
}

function add(into: ResourceList, more: ResourceList): void {
  for (const [k, v] of Object.entries(more)) into[k] = (into[k] ?? 0) + v;
}

function max(into: ResourceList, other: ResourceList): void {
  for (const [k, v] of Object.entries(other)) into[k] = Math.max(into[k] ?? 0, v);
}

const requestsOf = (c: Container): ResourceList => toResourceList(c.resources?.requests as Record<string, string> | undefined);

/**
 * The resources a pod asks for (kube's `PodRequests`): the sum of its
 * containers and sidecars, or the largest init container if that is more
 * (init containers run one at a time, before the others), plus the pod's
 * overhead.
 */
export function podRequests(pod: Pod): ResourceList {
  const spec = pod.spec;
  const total: ResourceList = {};
  for (const c of spec?.containers ?? []) add(total, requestsOf(c));
  const sidecars: ResourceList = {};
  for (const init of spec?.initContainers ?? []) {
    if (init.restartPolicy === 'Always') {
      add(sidecars, requestsOf(init));
      continue;
    }
    // A regular init container runs beside the sidecars started before it.
    const during: ResourceList = { ...sidecars };
    add(during, requestsOf(init));
    max(total, during);
  }
  add(total, sidecars);
  add(total, toResourceList(spec?.overhead));
  return total;
}

/** CPU and memory as scoring sees them: a container without a request counts the defaults. */
export function nonZeroRequests(pod: Pod): { milliCPU: number; memory: number } {
  let milliCPU = 0;
  let memory = 0;
  for (const c of pod.spec?.containers ?? []) {
    const r = requestsOf(c);
    milliCPU += r[CPU] || DEFAULT_MILLI_CPU_REQUEST;
    memory += r[MEMORY] || DEFAULT_MEMORY_REQUEST;
  }
  return { milliCPU, memory };
}

/** A node's allocatable resources (its capacity where allocatable is not reported). */
export function allocatableOf(node: Node): ResourceList {
  return toResourceList((node.status?.allocatable ?? node.status?.capacity) as Record<string, string> | undefined);
}
