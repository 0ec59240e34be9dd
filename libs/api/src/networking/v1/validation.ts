/**
 * networking.k8s.io/v1 Ingress and IngressClass validation
 * (pkg/apis/networking/validation). v1beta1 Ingresses are converted to v1
 * first, so their errors name v1 fields.
 */
import { FieldError, invalid, notSupported, required, tooLong } from '../../validation/field-error';
import { isDNS1035Label, isDNS1123Subdomain, isValidIP, isValidPortName, isValidPortNum, isWildcardDNS1123Subdomain } from '../../validation/names';
import { PATH_TYPES } from './types';

type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];

function validateHost(host: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (isValidIP(host)) errs.push(invalid(path, host, 'must be a DNS name, not an IP address'));
  const check = host.includes('*') ? isWildcardDNS1123Subdomain : isDNS1123Subdomain;
  for (const m of check(host)) errs.push(invalid(path, host, m));
  return errs;
}

function validateBackend(b: unknown, path: string): FieldError[] {
  const backend: Obj = isObj(b) ? b : {};
  const hasResource = isObj(backend.resource);
  const hasService = isObj(backend.service);
  if (hasResource && hasService) return [invalid(path, '', 'cannot set both resource and service backends')];
  if (hasResource) {
    const errs: FieldError[] = [];
    if (!backend.resource.kind) errs.push(required(`${path}.resource.kind`, ''));
    if (!backend.resource.name) errs.push(required(`${path}.resource.name`, ''));
    return errs;
  }
  if (!hasService) return [invalid(path, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  const svc = backend.service;
  if (!svc.name) errs.push(required(`${path}.service.name`, ''));
  else for (const m of isDNS1035Label(svc.name)) errs.push(invalid(`${path}.service.name`, svc.name, m));
  const port: Obj = isObj(svc.port) ? svc.port : {};
  const hasName = typeof port.name === 'string' && port.name.length > 0;
  const hasNumber = typeof port.number === 'number' && port.number !== 0;
  if (hasName && hasNumber) errs.push(invalid(path, '', 'cannot set both port name & port number'));
  else if (hasName) for (const m of isValidPortName(port.name)) errs.push(invalid(`${path}.service.port.name`, port.name, m));
  else if (hasNumber) for (const m of isValidPortNum(port.number)) errs.push(invalid(`${path}.service.port.number`, port.number, m));
  else errs.push(required(path, 'port name or number is required'));
  return errs;
}

function validatePath(p: Obj, path: string): FieldError[] {
  if (p.pathType === undefined || p.pathType === null) return [required(`${path}.pathType`, 'pathType must be specified')];
  const errs: FieldError[] = [];
  const value: string = typeof p.path === 'string' ? p.path : '';
  switch (p.pathType) {
    case 'Exact':
    case 'Prefix':
      if (!value.startsWith('/')) errs.push(invalid(`${path}.path`, value, 'must be an absolute path'));
      if (value) {
        for (const seq of INVALID_PATH_SEQUENCES) if (value.includes(seq)) errs.push(invalid(`${path}.path`, value, `must not contain '${seq}'`));
        for (const suf of INVALID_PATH_SUFFIXES) if (value.endsWith(suf)) errs.push(invalid(`${path}.path`, value, `cannot end with '${suf}'`));
      }
      break;
    case 'ImplementationSpecific':
      if (value && !value.startsWith('/')) errs.push(invalid(`${path}.path`, value, 'must be an absolute path'));
      break;
    default:
      errs.push(notSupported(`${path}.pathType`, p.pathType, PATH_TYPES));
  }
  return [...errs, ...validateBackend(p.backend, `${path}.backend`)];
}

export function validateIngressSpec(spec: unknown): FieldError[] {
  const s: Obj = isObj(spec) ? spec : {};
  const errs: FieldError[] = [];
  const rules = list(s.rules);
  if (rules.length === 0 && !isObj(s.defaultBackend)) errs.push(invalid('spec', s.rules ?? [], 'either `defaultBackend` or `rules` must be specified'));
  if (isObj(s.defaultBackend)) errs.push(...validateBackend(s.defaultBackend, 'spec.defaultBackend'));
  rules.forEach((r, i) => {
    const p = `spec.rules[${i}]`;
    if (r.host) errs.push(...validateHost(String(r.host), `${p}.host`));
    if (isObj(r.http)) {
      const paths = list(r.http.paths);
      if (paths.length === 0) errs.push(required(`${p}.http.paths`, ''));
      paths.forEach((hp, j) => errs.push(...validatePath(hp, `${p}.http.paths[${j}]`)));
    }
  });
  list(s.tls).forEach((t, i) =>
    (Array.isArray(t.hosts) ? t.hosts : []).forEach((h: unknown, j: number) => {
      const host = String(h);
      const check = host.includes('*') ? isWildcardDNS1123Subdomain : isDNS1123Subdomain;
      for (const m of check(host)) errs.push(invalid(`spec.tls[${i}].hosts[${j}]`, host, m));
    }),
  );
  if (typeof s.ingressClassName === 'string')
    for (const m of isDNS1123Subdomain(s.ingressClassName)) errs.push(invalid('spec.ingressClassName', s.ingressClassName, m));
  return errs;
}

const MAX_CONTROLLER_LENGTH = 250;

export function validateIngressClassSpec(spec: unknown): FieldError[] {
  const s: Obj = isObj(spec) ? spec : {};
  const errs: FieldError[] = [];
  const controller = s.controller;
  if (!controller) errs.push(required('spec.controller', ''));
  else {
    if (String(controller).length > MAX_CONTROLLER_LENGTH) errs.push(tooLong('spec.controller', MAX_CONTROLLER_LENGTH));
    const [host, ...rest] = String(controller).split('/');
    if (!rest.length || !host || !rest.join('/')) errs.push(invalid('spec.controller', controller, 'must be a domain-prefixed path (such as "acme.io/foo")'));
    else for (const m of isDNS1123Subdomain(host)) errs.push(invalid('spec.controller', host, m));
  }
  if (isObj(s.parameters)) {
    if (!s.parameters.kind) errs.push(required('spec.parameters.kind', ''));
    if (!s.parameters.name) errs.push(required('spec.parameters.name', ''));
    const scope = s.parameters.scope ?? 'Cluster';
    if (scope !== 'Cluster' && scope !== 'Namespace') errs.push(notSupported('spec.parameters.scope', scope, ['Cluster', 'Namespace']));
    if (scope === 'Namespace' && !s.parameters.namespace) errs.push(required('spec.parameters.namespace', '`parameters.scope` is set to "Namespace"'));
  }
  return errs;
}
