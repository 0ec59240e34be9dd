/* eslint-disable @typescript-eslint/no-explicit-any */
import { ApiError } from '@logbook/machinery';
import type { Scheme } from '@logbook/api';
import type { RequestContext } from './context';
import type { Obj, ResourceStore } from './resource-store';
import type { ServiceAllocator } from './service-allocation';

/** Where this apiserver is reached from the machine: `LOGBOOK_ADVERTISE_ADDRESS`, else its bind address, else 127.0.0.1. */
export function advertisedAddress(env: NodeJS.ProcessEnv = process.env): { ip: string; port: number } {
  const bind = env.LOGBOOK_BIND_ADDRESS;
  const ip = env.LOGBOOK_ADVERTISE_ADDRESS || (bind && bind !== '0.0.0.0' ? bind : '127.0.0.1');
  // The secure port (serve.ts: PORT, default 6443). PORT=0 lets the OS choose
  // it at listen, after this runs: the development port stands in.
  const secure = Number(env.PORT ?? 6443);
  return { ip, port: secure > 0 ? secure : Number(env.LOGBOOK_INSECURE_PORT) || 443 };
}

const ignoreExists = (err: unknown) => {
  if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
};

/**
 * Kubernetes' bootstrap controller, at start: the `kubernetes` Service in
 * `default` (the service range's first address, port 443 named https) and
 * its Endpoints, to which each apiserver adds its own address (its TLS
 * port).
 */
export async function ensureKubernetesService(store: ResourceStore, scheme: Scheme, allocator: ServiceAllocator, ctx: RequestContext, self = advertisedAddress()): Promise<void> {
  const services = scheme.byGroupVersionResource('', 'v1', 'services')!;
  const endpoints = scheme.byGroupVersionResource('', 'v1', 'endpoints')!;
  const port = { name: 'https', port: 443, protocol: 'TCP', targetPort: self.port };
  if (!(await store.tryGet(services, 'default', 'kubernetes'))) {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { type: 'ClusterIP', clusterIP: allocator.clusterIPs.at(0), ports: [port], sessionAffinity: 'None' },
    };
    await store.create(services, 'default', svc as Obj, ctx).catch(async (err: unknown) => {
      // Another replica starting at the same moment won: its Service (and the
      // address it took, hence a 422 rather than AlreadyExists here) is there now.
      if (await store.tryGet(services, 'default', 'kubernetes')) return;
      ignoreExists(err);
    });
  }
  const address = { ip: self.ip };
  const epPort = { name: 'https', port: self.port, protocol: 'TCP' };
  const existing = await store.tryGet(endpoints, 'default', 'kubernetes');
  if (!existing) {
    const ep = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default' }, subsets: [{ addresses: [address], ports: [epPort] }] };
    await store.create(endpoints, 'default', ep as Obj, ctx).catch(ignoreExists);
    if (!(await store.tryGet(endpoints, 'default', 'kubernetes'))) return;
  }
  await store.modify(endpoints, 'default', 'kubernetes', ctx, (ep) => {
    const subsets: Array<Record<string, any>> = ep.subsets ?? [];
    const same = subsets.find((s) => s.ports?.length === 1 && s.ports[0].port === self.port);
    if (same?.addresses?.some((a: { ip: string }) => a.ip === self.ip)) return ep;
    if (same) same.addresses = [...(same.addresses ?? []), address];
    else subsets.push({ addresses: [address], ports: [epPort] });
    return { ...ep, subsets };
  });
}
