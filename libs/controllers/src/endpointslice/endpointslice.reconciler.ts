import type { Endpoint, EndpointSlice, EndpointSlicePort, Endpoints, Service } from '@logbook/api';
import { isNotFound } from '@logbook/machinery';
import { kindOf, kinds, Reconciler, ReconcileContext, Request, Result, setControllerReference } from '@logbook/sdk';
import { PodEndpoint, podEndpoints, serviceSelector, SERVICE_ENDPOINT_WATCHES } from '../endpoints';
import { isPodReady } from '../shared';

export const ENDPOINT_SLICE_CONTROLLER = 'endpointslice-controller';
export const endpointSliceKind = kindOf<EndpointSlice>('discovery.k8s.io/v1', 'EndpointSlice');
/** The label naming a slice's Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
/** Slices built from a Service's selector. */
export const MANAGED_BY_CONTROLLER = 'endpointslice-controller.k8s.io';
/** Slices mirrored from the hand-written Endpoints of a Service without a selector. */
export const MANAGED_BY_MIRRORING = 'endpointslicemirroring-controller.k8s.io';
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
/** Kubernetes' default --max-endpoints-per-slice. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

/** One slice to be: its ports and endpoints. */
interface DesiredSlice {
  ports: EndpointSlicePort[];
  endpoints: Endpoint[];
}

const portsKey = (ports: readonly EndpointSlicePort[]) => JSON.stringify(ports.map((p) => [p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? '']));
const sortPorts = (ports: EndpointSlicePort[]) => [...ports].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || (a.port ?? 0) - (b.port ?? 0));

/** A pod as an EndpointSlice endpoint: ready (takes new traffic), serving (passes readiness), terminating. */
export function sliceEndpoint(e: PodEndpoint, svc: Service): Endpoint {
  const terminating = !!e.pod.metadata?.deletionTimestamp;
  const serving = !!svc.spec?.publishNotReadyAddresses || isPodReady(e.pod);
  const endpoint: Endpoint = {
    addresses: [e.address.ip],
    // `e.ready` already leaves out terminating pods, unless the Service publishes not-ready addresses.
    conditions: { ready: e.ready, serving, terminating },
    targetRef: e.address.targetRef,
  };
  if (e.address.nodeName) endpoint.nodeName = e.address.nodeName;
  if (e.address.hostname) endpoint.hostname = e.address.hostname;
  return endpoint;
}

/** Endpoints grouped by their ports, in chunks of at most `max`; one empty placeholder when there are none. */
export function desiredSlices(groups: Map<string, DesiredSlice>, max = MAX_ENDPOINTS_PER_SLICE): DesiredSlice[] {
  const out: DesiredSlice[] = [];
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key)!;
    for (let i = 0; i < g.endpoints.length; i += max) out.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + max) });
  }
  return out.length ? out : [{ ports: [], endpoints: [] }];
}

function addTo(groups: Map<string, DesiredSlice>, ports: EndpointSlicePort[], endpoint: Endpoint): void {
  const sorted = sortPorts(ports);
  const key = portsKey(sorted);
  let g = groups.get(key);
  if (!g) groups.set(key, (g = { ports: sorted, endpoints: [] }));
  g.endpoints.push(endpoint);
}

/** The slices of a Service with a selector: its pods, grouped by the ports they resolve. */
export function slicesForPods(svc: Service, endpoints: readonly PodEndpoint[]): DesiredSlice[] {
  const groups = new Map<string, DesiredSlice>();
  for (const e of endpoints) addTo(groups, e.ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) })), sliceEndpoint(e, svc));
  return desiredSlices(groups);
}

/** The slices mirroring hand-written Endpoints (Kubernetes' EndpointSlice mirroring controller). */
export function slicesForEndpoints(ep: Endpoints): DesiredSlice[] {
  const groups = new Map<string, DesiredSlice>();
  for (const subset of ep.subsets ?? []) {
    const ports = (subset.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }));
    for (const [list, ready] of [[subset.addresses ?? [], true], [subset.notReadyAddresses ?? [], false]] as const) {
      for (const a of list) {
        const endpoint: Endpoint = { addresses: [a.ip], conditions: { ready, serving: ready, terminating: false } };
        if (a.hostname) endpoint.hostname = a.hostname;
        if (a.nodeName) endpoint.nodeName = a.nodeName;
        if (a.targetRef) endpoint.targetRef = a.targetRef;
        addTo(groups, ports, endpoint);
      }
    }
  }
  return desiredSlices(groups);
}

const addressType = (slices: DesiredSlice[]): EndpointSlice['addressType'] =>
  slices.some((s) => s.endpoints.some((e) => e.addresses[0]?.includes(':'))) ? 'IPv6' : 'IPv4';

/**
 * Kubernetes' EndpointSlice controller, with its mirroring controller:
 * a Service with a selector gets slices of its pods (`ready`, `serving`,
 * `terminating` per endpoint, grouped by resolved ports, at most 100 per
 * slice); a Service without one gets its hand-written Endpoints mirrored.
 * Slices carry `kubernetes.io/service-name` and are owned by the Service,
 * so they go with it.
 */
@Reconciler({
  name: ENDPOINT_SLICE_CONTROLLER,
  for: kinds.Service,
  owns: [endpointSliceKind],
  watches: SERVICE_ENDPOINT_WATCHES,
  maxConcurrentReconciles: 5,
})
export class EndpointSliceReconciler implements Reconciler {
  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const svc = await ctx.cache.get(kinds.Service, req);
    if (!svc || svc.metadata?.deletionTimestamp) return {}; // owned slices go with it (garbage collector)
    const selector = serviceSelector(svc);
    let desired: DesiredSlice[] = [];
    let managedBy = MANAGED_BY_CONTROLLER;
    if (selector) {
      const pods = await ctx.cache.list(kinds.Pod, { namespace: req.namespace, labelSelector: selector });
      desired = slicesForPods(svc, podEndpoints(svc, pods, true));
    } else if (svc.spec?.type !== 'ExternalName') {
      const ep = await ctx.cache.get(kinds.Endpoints, req);
      managedBy = MANAGED_BY_MIRRORING;
      // Endpoints labelled skip-mirror are not mirrored (Kubernetes' mirroring controller).
      if (ep && ep.metadata?.labels?.[SKIP_MIRROR_LABEL] !== 'true') desired = slicesForEndpoints(ep);
    }
    const existing = (await ctx.cache.list(endpointSliceKind, { namespace: req.namespace, labelSelector: `${SERVICE_NAME_LABEL}=${req.name}` }))
      .filter((s) => s.metadata?.ownerReferences?.some((r) => r.uid === svc.metadata?.uid && r.controller))
      .sort((a, b) => portsKey(a.ports ?? []).localeCompare(portsKey(b.ports ?? [])) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    const type = addressType(desired);
    const labels = { ...(svc.metadata?.labels ?? {}), [SERVICE_NAME_LABEL]: req.name, [MANAGED_BY_LABEL]: managedBy };
    const unused = [...existing];
    for (const want of desired) {
      // Reuse a slice with the same ports (and address type) if one is left, else create.
      const i = unused.findIndex((s) => portsKey(s.ports ?? []) === portsKey(want.ports) && s.addressType === type);
      const slice = i >= 0 ? unused.splice(i, 1)[0] : undefined;
      if (slice && JSON.stringify(slice.endpoints ?? []) === JSON.stringify(want.endpoints) && JSON.stringify(slice.metadata?.labels ?? {}) === JSON.stringify(labels)) continue;
      const next: EndpointSlice = {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: slice ? { ...structuredClone(slice.metadata), labels } : { generateName: `${req.name}-`, namespace: req.namespace, labels },
        addressType: type,
        endpoints: want.endpoints,
        ports: want.ports,
      };
      if (slice) await ctx.client.update(endpointSliceKind, next);
      else {
        setControllerReference(svc, next);
        await ctx.client.create(endpointSliceKind, next);
      }
    }
    for (const s of unused) {
      await ctx.client.delete(endpointSliceKind, { namespace: req.namespace, name: s.metadata!.name! }, { preconditions: { uid: s.metadata?.uid } }).catch((err) => {
        if (!isNotFound(err)) throw err;
      });
    }
    return {};
  }
}
