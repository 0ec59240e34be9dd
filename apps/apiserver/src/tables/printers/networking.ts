// networking.k8s.io and discovery.k8s.io printers: ingresses, ingressclasses,
// networkpolicies, endpointslices.

import { since } from '../duration';
import { ObjectMetaJSON, Printer } from '../types';
import { ageColumn, column, formatLabelSelector, LabelSelector, listWithMore, nameColumn, nameOf, sortedUnique } from '../util';

interface Meta {
  metadata?: ObjectMetaJSON;
}

interface Ingress extends Meta {
  spec?: { ingressClassName?: string | null; rules?: Array<{ host?: string }>; tls?: unknown[] };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

/** formatHosts: up to three hosts then ` + N more...`; `*` when none. */
export function ingressHosts(rules: Array<{ host?: string }> | null | undefined): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  const all = rules ?? [];
  for (const rule of all) {
    if (list.length === max) more = true;
    if (!more && rule.host) list.push(rule.host);
  }
  if (list.length === 0) return '*';
  const joined = list.join(',');
  return more ? `${joined} + ${all.length - max} more...` : joined;
}

export const ingressPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    column('Ports', 'string', 'Ports of TLS configurations that open'),
    ageColumn(),
  ],
  cells: (ing: Ingress, ctx) => [
    nameOf(ing),
    ing.spec?.ingressClassName ?? '<none>',
    ingressHosts(ing.spec?.rules),
    // ingressLoadBalancerStatusStringer, wide (untruncated) as the server prints it.
    sortedUnique((ing.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter((s) => s)).join(','),
    (ing.spec?.tls ?? []).length > 0 ? '80, 443' : '80',
    since(ing.metadata?.creationTimestamp, ctx.now),
  ],
};

interface IngressClass extends Meta {
  spec?: { controller?: string; parameters?: { apiGroup?: string | null; kind?: string; name?: string } | null };
}

export const ingressClassPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Controller', 'string', 'Controller that is responsible for handling this class'),
    column('Parameters', 'string', 'A reference to a resource with additional parameters'),
    ageColumn(),
  ],
  cells(ic: IngressClass, ctx) {
    const p = ic.spec?.parameters;
    let parameters = '<none>';
    if (p) parameters = `${p.kind ?? ''}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name ?? ''}`;
    return [nameOf(ic), ic.spec?.controller ?? '', parameters, since(ic.metadata?.creationTimestamp, ctx.now)];
  },
};

export const networkPolicyPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Pod-Selector', 'string', 'Selects the pods to which this NetworkPolicy object applies.'),
    ageColumn(),
  ],
  cells: (np: Meta & { spec?: { podSelector?: LabelSelector } }, ctx) => [
    nameOf(np),
    // podSelector is a non-pointer struct in Go: never nil, so {} means everything (<none>).
    formatLabelSelector(np.spec?.podSelector ?? {}),
    since(np.metadata?.creationTimestamp, ctx.now),
  ],
};

interface EndpointSlice extends Meta {
  addressType?: string;
  ports?: Array<{ name?: string | null; port?: number | null }> | null;
  endpoints?: Array<{ addresses?: string[] }> | null;
}

export const endpointSlicePrinter: Printer = {
  columns: [
    nameColumn(),
    column('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.'),
    column('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    column('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
    ageColumn(),
  ],
  cells(es: EndpointSlice, ctx) {
    const ports = (es.ports ?? []).map((p) =>
      p.port !== undefined && p.port !== null ? String(p.port) : p.name !== undefined && p.name !== null ? p.name : '*',
    );
    const addresses = (es.endpoints ?? []).flatMap((e) => e.addresses ?? []);
    return [nameOf(es), es.addressType ?? '', listWithMore(ports), listWithMore(addresses), since(es.metadata?.creationTimestamp, ctx.now)];
  },
};
