import type { Endpoints, Service } from '@logbook/api';
import { isNotFound, LabelSelector } from '@logbook/machinery';
import { KubeObject, kinds, Reconciler, ReconcileContext, Request, Result, WatchMapContext, WatchSource } from '@logbook/sdk';
import { endpointSubsets, podEndpoints, serviceSelector } from './service-pods';

export const ENDPOINTS_CONTROLLER = 'endpoint-controller';
/** Set on the Endpoints of a headless Service, as Kubernetes does. */
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

/**
 * The Services a pod's change concerns: every Service of its namespace whose
 * selector matches its labels (old and new labels both arrive here, so a
 * pod that stopped matching is dropped too).
 */
export function servicesOfPod(pod: KubeObject, ctx: WatchMapContext): Request[] {
  const namespace = pod.metadata?.namespace ?? '';
  const labels = (pod.metadata?.labels ?? {}) as Record<string, string>;
  return ctx
    .lister(kinds.Service)
    .list(namespace)
    .filter((svc) => serviceSelector(svc)?.matches(labels))
    .map((svc) => ({ namespace, name: svc.metadata!.name! }));
}

/** The labels the Endpoints of `svc` carry: the Service's own, and the headless mark. */
export function endpointsLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
  if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  return labels;
}

/** What both endpoint controllers watch besides Services: the pods they select, and the Endpoints of the same name. */
export const SERVICE_ENDPOINT_WATCHES: WatchSource[] = [
  { kind: kinds.Pod, map: servicesOfPod },
  { kind: kinds.Endpoints, map: (ep) => ({ namespace: ep.metadata?.namespace ?? '', name: ep.metadata!.name! }) },
];

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Kubernetes' Endpoints controller: for each Service with a selector, an
 * Endpoints object of the same name listing the selected pods' IPs, ready
 * ones in `addresses` and the rest in `notReadyAddresses`, at the ports
 * each pod resolves (named targetPorts per pod). A Service without a
 * selector is left alone: its Endpoints are written by hand. When the
 * Service goes, its Endpoints go.
 */
@Reconciler({
  name: ENDPOINTS_CONTROLLER,
  for: kinds.Service,
  watches: SERVICE_ENDPOINT_WATCHES,
  maxConcurrentReconciles: 5,
})
export class EndpointsReconciler implements Reconciler {
  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const svc = await ctx.cache.get(kinds.Service, req);
    const existing = await ctx.cache.get(kinds.Endpoints, req);
    if (!svc) {
      if (existing) await ctx.client.delete(kinds.Endpoints, req, { preconditions: { uid: existing.metadata?.uid } }).catch((err) => {
        if (!isNotFound(err)) throw err;
      });
      return {};
    }
    const selector = serviceSelector(svc);
    if (!selector) return {};
    const pods = await ctx.cache.list(kinds.Pod, { namespace: req.namespace, labelSelector: selector as LabelSelector });
    const subsets = endpointSubsets(podEndpoints(svc, pods, false));
    const labels = endpointsLabels(svc);
    if (existing && sameJson(existing.subsets ?? [], subsets) && sameJson(existing.metadata?.labels ?? {}, labels)) return {};
    const next: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: existing ? { ...structuredClone(existing.metadata), labels } : { name: req.name, namespace: req.namespace, labels },
      subsets,
    };
    if (existing) await ctx.client.update(kinds.Endpoints, next);
    else await ctx.client.create(kinds.Endpoints, next);
    return {};
  }
}
