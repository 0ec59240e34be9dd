/**
 * Service and Endpoints cross-field validation (ValidateService,
 * ValidateServiceUpdate, ValidateEndpoints).
 */
import { FieldError, duplicate, forbidden, goQuote, invalid, printed, required } from '../../../validation/field-error';
import { isDNS1123Subdomain, isValidIP } from '../../../validation/names';
import { IP_ERROR } from '../service.types';

type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

export const NODE_PORT_RANGE = { min: 30000, max: 32767 };
const KUBELET_PORT = 10250;

const isHeadless = (spec: Obj): boolean => spec.clusterIP === 'None';
const externallyAccessible = (spec: Obj): boolean =>
  spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && (spec.externalIPs?.length ?? 0) > 0);

/** How Go prints the ServicePort key of a duplicate (protocol, port). */
function goServicePortKey(protocol: string, port: number): string {
  return `core.ServicePort{Name:"", Protocol:${goQuote(protocol)}, AppProtocol:(*string)(nil), Port:${port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;
}

export function validateServiceSpec(spec: unknown): FieldError[] {
  const s: Obj = isObj(spec) ? spec : {};
  const errs: FieldError[] = [];
  const ports = list(s.ports);
  const type = s.type ?? 'ClusterIP';
  if (ports.length === 0 && !isHeadless(s) && type !== 'ExternalName') errs.push(required('spec.ports', ''));
  switch (type) {
    case 'LoadBalancer':
      if (isHeadless(s)) errs.push(invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for LoadBalancer services"));
      ports.forEach((p, i) => {
        if (p.port === KUBELET_PORT) errs.push(invalid(`spec.ports[${i}]`, p.port, `may not expose port ${KUBELET_PORT} externally since it is used by kubelet`));
      });
      break;
    case 'NodePort':
      if (isHeadless(s)) errs.push(invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for NodePort services"));
      break;
    case 'ExternalName': {
      if ((Array.isArray(s.clusterIPs) && s.clusterIPs.length) || s.clusterIP)
        errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
      if (Array.isArray(s.ipFamilies) && s.ipFamilies.length) errs.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
      if (s.ipFamilyPolicy) errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
      const cname = String(s.externalName ?? '').replace(/\.$/, '');
      if (!cname) errs.push(required('spec.externalName', ''));
      else errs.push(...isDNS1123Subdomain(cname).map((m) => invalid('spec.externalName', cname, m)));
      break;
    }
  }
  const names = new Set<string>();
  ports.forEach((p, i) => {
    if (ports.length > 1 && !p.name) errs.push(required(`spec.ports[${i}].name`, ''));
    else if (p.name) {
      if (names.has(p.name)) errs.push(duplicate(`spec.ports[${i}].name`, p.name));
      names.add(p.name);
    }
    if (p.nodePort && (p.nodePort < NODE_PORT_RANGE.min || p.nodePort > NODE_PORT_RANGE.max) && type !== 'ClusterIP')
      errs.push(
        invalid(
          `spec.ports[${i}].nodePort`,
          p.nodePort,
          `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`,
        ),
      );
  });
  if (s.sessionAffinity === 'ClientIP' && isObj(s.sessionAffinityConfig) && !isObj(s.sessionAffinityConfig.clientIP))
    errs.push(required('spec.sessionAffinityConfig.clientIP', 'when session affinity type is ClientIP'));
  if (s.sessionAffinity === 'None' && s.sessionAffinityConfig)
    errs.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  errs.push(...validateClusterIPs(s));
  (Array.isArray(s.externalIPs) ? s.externalIPs : []).forEach((ip: unknown, i: number) => {
    if (typeof ip !== 'string' || !isValidIP(ip)) errs.push(invalid(`spec.externalIPs[${i}]`, ip, IP_ERROR));
  });
  if (type === 'ClusterIP')
    ports.forEach((p, i) => {
      if (p.nodePort) errs.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  const nodePorts = new Set<string>();
  const servicePorts = new Set<string>();
  ports.forEach((p, i) => {
    const protocol = p.protocol ?? 'TCP';
    if (p.nodePort) {
      const k = `${protocol}/${p.nodePort}`;
      if (nodePorts.has(k)) errs.push(duplicate(`spec.ports[${i}].nodePort`, p.nodePort));
      nodePorts.add(k);
    }
    const k = `${protocol}/${p.port}`;
    if (servicePorts.has(k)) errs.push(duplicate(`spec.ports[${i}]`, printed(goServicePortKey(protocol, p.port), { protocol, port: p.port })));
    servicePorts.add(k);
  });
  if (s.externalTrafficPolicy && !externallyAccessible(s))
    errs.push(invalid('spec.externalTrafficPolicy', s.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  if (s.healthCheckNodePort && !(type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local'))
    errs.push(invalid('spec.healthCheckNodePort', s.healthCheckNodePort, 'may only be set when `type` is \'LoadBalancer\' and `externalTrafficPolicy` is \'Local\''));
  if (s.allocateLoadBalancerNodePorts != null && type !== 'LoadBalancer')
    errs.push(forbidden('spec.allocateLoadBalancerNodePorts', 'may only be used when `type` is \'LoadBalancer\''));
  return errs;
}

function validateClusterIPs(s: Obj): FieldError[] {
  if (s.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ips: unknown[] = Array.isArray(s.clusterIPs) ? s.clusterIPs : [];
  if (s.clusterIP && ips.length && ips[0] !== s.clusterIP) errs.push(invalid('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  const all = ips.length ? ips : s.clusterIP ? [s.clusterIP] : [];
  all.forEach((ip, i) => {
    if (ip === 'None') {
      if (i > 0 || all.length > 1) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, "must not be 'None' or must be the only value"));
    } else if (typeof ip !== 'string' || !isValidIP(ip)) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, IP_ERROR));
  });
  if (all.length > 2) errs.push(invalid('spec.clusterIPs', all, 'may only hold up to 2 values'));
  return errs;
}

/** ValidateServiceUpdate: allocated addresses stay put (type changes to/from ExternalName aside). */
export function validateServiceSpecUpdate(spec: Obj, old: Obj): FieldError[] {
  if (spec.type === 'ExternalName' || old.type === 'ExternalName') return [];
  const before: string[] = old.clusterIPs?.length ? old.clusterIPs : old.clusterIP ? [old.clusterIP] : [];
  const now: string[] = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  if (before.length && now.length && now[0] !== before[0]) return [invalid('spec.clusterIPs[0]', now, 'may not change once set')];
  if (before.length && !now.length) return [invalid('spec.clusterIPs[0]', now, 'may not change once set')];
  return [];
}

export function validateEndpointsSubsets(subsets: unknown): FieldError[] {
  const errs: FieldError[] = [];
  list(subsets).forEach((ss, i) => {
    const p = `subsets[${i}]`;
    if (list(ss.addresses).length === 0 && list(ss.notReadyAddresses).length === 0)
      errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    const ports = list(ss.ports);
    ports.forEach((port, j) => {
      if (ports.length > 1 && !port.name) errs.push(required(`${p}.ports[${j}].name`, ''));
    });
  });
  return errs;
}
