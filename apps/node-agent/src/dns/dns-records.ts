import type { Endpoints, Service } from '@logbook/api';
import type { Answer } from 'dns-packet';

/**
 * Kubernetes' DNS schema (as CoreDNS's kubernetes plugin answers it), a
 * pure function of the Services and Endpoints:
 *
 * | name | answer |
 * |---|---|
 * | `<svc>.<ns>.svc.<zone>` A | the ClusterIP; for a headless Service one A per ready endpoint |
 * | `<svc>.<ns>.svc.<zone>` (ExternalName) | CNAME to `externalName` |
 * | `<hostname>.<svc>.<ns>.svc.<zone>` A | the endpoint with that hostname (StatefulSet pods, `spec.subdomain`) |
 * | `_<port>._<proto>.<svc>.<ns>.svc.<zone>` SRV | named ports: the Service, or each ready endpoint of a headless one |
 * | `<a-b-c-d>.<ns>.pod.<zone>` A | a.b.c.d |
 */

export const DNS_TTL = 5;

export interface DnsView {
  service(namespace: string, name: string): Service | undefined;
  endpoints(namespace: string, name: string): Endpoints | undefined;
  namespaceExists(namespace: string): boolean;
}

export interface DnsResult {
  /** NOERROR with answers (maybe none: the name exists, not that type), or NXDOMAIN. */
  rcode: 'NOERROR' | 'NXDOMAIN';
  answers: Answer[];
}

const NX: DnsResult = { rcode: 'NXDOMAIN', answers: [] };
const ok = (answers: Answer[]): DnsResult => ({ rcode: 'NOERROR', answers });

/** Whether `name` is in the cluster zone (queries outside it are forwarded). */
export function inZone(name: string, zone: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  return n === zone || n.endsWith(`.${zone}`);
}

/** An endpoint's DNS label: its hostname, or its IP with dashes (CoreDNS's endpoint naming). */
const endpointLabel = (a: { ip: string; hostname?: string }) => a.hostname ?? a.ip.replace(/[.:]/g, '-');

function readyAddresses(ep: Endpoints | undefined): Array<{ ip: string; hostname?: string; ports: Array<{ name?: string; port: number; protocol?: string }> }> {
  return (ep?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => ({ ip: a.ip, hostname: a.hostname, ports: s.ports ?? [] })));
}

/** Answers one question of type A, AAAA, CNAME, SRV or ANY for a name in `zone`. */
export function resolveInZone(qname: string, qtype: string, zone: string, view: DnsView): DnsResult {
  const name = qname.toLowerCase().replace(/\.$/, '');
  const labels = name.slice(0, name.length - zone.length).replace(/\.$/, '').split('.').filter(Boolean);
  const a = (ip: string): Answer => ({ type: 'A', name: qname, ttl: DNS_TTL, data: ip });
  const wantsA = qtype === 'A' || qtype === 'ANY';

  // <a-b-c-d>.<ns>.pod.<zone>
  if (labels.length === 3 && labels[2] === 'pod') {
    const ip = labels[0].replace(/-/g, '.');
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip) || !view.namespaceExists(labels[1])) return NX;
    return ok(wantsA ? [a(ip)] : []);
  }
  const svcIndex = labels.lastIndexOf('svc');
  if (svcIndex !== labels.length - 1 || labels.length < 3) return labels.length <= 1 ? ok([]) : NX;
  const ns = labels[labels.length - 2];
  const svcName = labels[labels.length - 3];
  const rest = labels.slice(0, labels.length - 3);
  const svc = view.service(ns, svcName);
  if (!svc) return NX;
  const fqdn = `${svcName}.${ns}.svc.${zone}`;
  const headless = svc.spec?.clusterIP === 'None';

  if (svc.spec?.type === 'ExternalName') {
    if (rest.length) return NX;
    return ok(qtype === 'SRV' ? [] : [{ type: 'CNAME', name: qname, ttl: DNS_TTL, data: String(svc.spec.externalName).replace(/\.$/, '') }]);
  }

  // _<port>._<proto>.<svc>.<ns>.svc.<zone>
  if (rest.length === 2 && rest[0].startsWith('_') && rest[1].startsWith('_')) {
    const portName = rest[0].slice(1);
    const proto = rest[1].slice(1).toUpperCase();
    const port = (svc.spec?.ports ?? []).find((p) => p.name === portName && (p.protocol ?? 'TCP') === proto);
    if (!port) return NX;
    if (qtype !== 'SRV' && qtype !== 'ANY') return ok([]);
    if (!headless) return ok([{ type: 'SRV', name: qname, ttl: DNS_TTL, data: { priority: 0, weight: 100, port: port.port, target: fqdn } }]);
    const srv: Answer[] = [];
    for (const e of readyAddresses(view.endpoints(ns, svcName))) {
      const p = e.ports.find((x) => x.name === portName && (x.protocol ?? 'TCP') === proto);
      if (p) srv.push({ type: 'SRV', name: qname, ttl: DNS_TTL, data: { priority: 0, weight: 100, port: p.port, target: `${endpointLabel(e)}.${fqdn}` } });
    }
    return ok(srv);
  }

  // <hostname>.<svc>.<ns>.svc.<zone>: one endpoint of a headless Service
  if (rest.length === 1) {
    const found = readyAddresses(view.endpoints(ns, svcName)).filter((e) => endpointLabel(e) === rest[0]);
    if (!found.length) return NX;
    return ok(wantsA ? found.map((e) => a(e.ip)) : []);
  }
  if (rest.length) return NX;

  if (!wantsA) return ok([]);
  if (!headless) return ok(svc.spec?.clusterIP ? [a(svc.spec.clusterIP)] : []);
  const ips = [...new Set(readyAddresses(view.endpoints(ns, svcName)).map((e) => e.ip))];
  return ok(ips.map(a));
}
