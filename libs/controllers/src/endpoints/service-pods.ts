import type { EndpointAddress, EndpointPort, EndpointSubset, Pod, Service, ServicePort } from '@logbook/api';
import { LabelSelector } from '@logbook/machinery';
import { isPodReady } from '../shared';

/**
 * What the Endpoints and EndpointSlice controllers share: which pods back a
 * Service, at which ports (Kubernetes' pkg/controller/util/endpoint and
 * endpointslice/util). Pure functions of the Service and the pods.
 */

/** The pods a Service selects, or undefined for a Service that keeps hand-written Endpoints. */
export function serviceSelector(svc: Service): LabelSelector | undefined {
  const selector = svc.spec?.selector;
  if (!selector || svc.spec?.type === 'ExternalName') return undefined;
  // An empty map selects nothing here (kube: a nil or empty selector gets no endpoints from the controller).
  if (Object.keys(selector).length === 0) return undefined;
  return LabelSelector.fromSet(selector);
}

/** Kubernetes' FindPort: the container port a service port reaches on this pod, or undefined. */
export function findPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = port.protocol ?? 'TCP';
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const c of [...(pod.spec?.containers ?? []), ...sidecars]) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/**
 * Kubernetes' ShouldPodBeInEndpoints: the pod has an IP, is not finished
 * (by its restart policy) and, unless terminating pods are wanted, is not
 * being deleted.
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (!pod.status?.podIP && !pod.status?.podIPs?.length) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  const phase = pod.status?.phase;
  switch (pod.spec?.restartPolicy) {
    case 'Never':
      return phase !== 'Failed' && phase !== 'Succeeded';
    case 'OnFailure':
      return phase !== 'Succeeded';
    default:
      return true;
  }
}

/** The address a pod gets in its Service's Endpoints; the hostname only when the pod's subdomain is the Service. */
export function podAddress(pod: Pod, svc: Service): EndpointAddress {
  const address: EndpointAddress = {
    ip: pod.status?.podIP ?? pod.status!.podIPs![0].ip,
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  };
  if (pod.spec?.nodeName) address.nodeName = pod.spec.nodeName;
  if (pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace) address.hostname = pod.spec.hostname;
  return address;
}

/** One pod behind a Service: its address, whether it takes traffic, and the ports it resolved (by service port). */
export interface PodEndpoint {
  pod: Pod;
  address: EndpointAddress;
  ready: boolean;
  /** Only the service ports the pod resolves (a named targetPort it lacks is left out). */
  ports: EndpointPort[];
}

/** The endpoint ports of a Service as seen on one pod. */
export function podPorts(pod: Pod, svc: Service): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
    if (sp.name) ep.name = sp.name;
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

/**
 * The pods behind a Service, in name order. `includeTerminating` keeps pods
 * being deleted (EndpointSlices report them with terminating=true).
 */
export function podEndpoints(svc: Service, pods: readonly Pod[], includeTerminating: boolean): PodEndpoint[] {
  const publishNotReady = !!svc.spec?.publishNotReadyAddresses;
  const out: PodEndpoint[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, includeTerminating || publishNotReady)) continue;
    const ports = podPorts(pod, svc);
    const headlessWithoutPorts = (svc.spec?.ports ?? []).length === 0 && svc.spec?.clusterIP === 'None';
    if (ports.length === 0 && !headlessWithoutPorts) continue;
    const ready = publishNotReady || (isPodReady(pod) && !pod.metadata?.deletionTimestamp);
    out.push({ pod, address: podAddress(pod, svc), ready, ports });
  }
  return out.sort((a, b) => (a.pod.metadata?.name ?? '').localeCompare(b.pod.metadata?.name ?? ''));
}

const portsKey = (ports: readonly EndpointPort[]) =>
  JSON.stringify([...ports].map((p) => [p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? '']).sort());

/**
 * Kubernetes' RepackSubsets: pods with the same resolved ports share one
 * subset; ready and not-ready addresses kept apart; sorted so that an
 * unchanged set of pods gives an identical object.
 */
export function endpointSubsets(endpoints: readonly PodEndpoint[]): EndpointSubset[] {
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const e of endpoints) {
    const key = portsKey(e.ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports: [...e.ports].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port), ready: [], notReady: [] }));
    (e.ready ? g.ready : g.notReady).push(e.address);
  }
  const byIp = (a: EndpointAddress, b: EndpointAddress) => a.ip.localeCompare(b.ip, 'en', { numeric: true });
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, g]) => {
      const subset: EndpointSubset = {};
      if (g.ready.length) subset.addresses = g.ready.sort(byIp);
      if (g.notReady.length) subset.notReadyAddresses = g.notReady.sort(byIp);
      if (g.ports.length) subset.ports = g.ports;
      return subset;
    });
}
