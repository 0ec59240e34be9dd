/**
 * Cross-field validation for the smaller groups: storage.k8s.io
 * StorageClass, discovery.k8s.io EndpointSlice, apiextensions.k8s.io
 * CustomResourceDefinition.
 */
import { FieldError, duplicate, forbidden, immutable, invalid, notSupported, required, tooLong, tooMany } from './field-error';
import { semanticEqual } from './equality';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidIP } from './names';

type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

export function validateStorageClass(sc: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const provisioner = sc.provisioner;
  if (!provisioner) errs.push(required('provisioner', ''));
  else {
    if (String(provisioner).length > 63) errs.push(tooLong('provisioner', 63));
    for (const m of isQualifiedName(String(provisioner).toLowerCase())) errs.push(invalid('provisioner', provisioner, m));
  }
  if (isObj(sc.parameters) && Object.keys(sc.parameters).length > 512) errs.push(tooMany('parameters', Object.keys(sc.parameters).length, 512));
  return errs;
}

export function validateStorageClassUpdate(sc: Obj, old: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (!semanticEqual(sc.parameters, old.parameters)) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
  if (sc.provisioner !== old.provisioner) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if ((sc.reclaimPolicy ?? 'Delete') !== (old.reclaimPolicy ?? 'Delete')) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  if ((sc.volumeBindingMode ?? 'Immediate') !== (old.volumeBindingMode ?? 'Immediate')) errs.push(immutable('volumeBindingMode', sc.volumeBindingMode));
  return errs;
}

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];

export function validateEndpointSlice(slice: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const type = slice.addressType;
  if (!type) errs.push(required('addressType', ''));
  else if (!ADDRESS_TYPES.includes(type)) errs.push(notSupported('addressType', type, ADDRESS_TYPES));
  const endpoints = list(slice.endpoints);
  if (endpoints.length > 1000) errs.push(tooMany('endpoints', endpoints.length, 1000));
  endpoints.forEach((ep, i) => {
    const p = `endpoints[${i}].addresses`;
    const addresses: unknown[] = Array.isArray(ep.addresses) ? ep.addresses : [];
    if (addresses.length === 0) errs.push(required(p, 'must contain at least 1 address'));
    else if (addresses.length > 100) errs.push(tooMany(p, addresses.length, 100));
    addresses.forEach((a, j) => {
      const addr = String(a);
      if (type === 'IPv4' && !(isValidIP(addr) && !addr.includes(':'))) errs.push(invalid(`${p}[${j}]`, addr, 'must be a valid IPv4 address'));
      if (type === 'IPv6' && !(isValidIP(addr) && addr.includes(':'))) errs.push(invalid(`${p}[${j}]`, addr, 'must be a valid IPv6 address'));
      if (type === 'FQDN') for (const m of isDNS1123Subdomain(addr)) errs.push(invalid(`${p}[${j}]`, addr, m));
    });
    if (ep.hostname) for (const m of isDNS1123Label(ep.hostname)) errs.push(invalid(`endpoints[${i}].hostname`, ep.hostname, m));
  });
  const names = new Set<string>();
  list(slice.ports).forEach((port, i) => {
    const p = `ports[${i}]`;
    const name = port.name ?? '';
    if (name) for (const m of isDNS1123Label(name)) errs.push(invalid(`${p}.name`, name, m));
    if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
    names.add(name);
    if (!port.protocol) errs.push(required(`${p}.protocol`, ''));
    else if (!['SCTP', 'TCP', 'UDP'].includes(port.protocol)) errs.push(notSupported(`${p}.protocol`, port.protocol, ['SCTP', 'TCP', 'UDP']));
    if (typeof port.port === 'number' && (port.port < 1 || port.port > 65535))
      errs.push(invalid(`${p}.port`, port.port, 'must be between 1 and 65535, inclusive'));
  });
  return errs;
}

export function validateEndpointSliceUpdate(slice: Obj, old: Obj): FieldError[] {
  return slice.addressType === old.addressType ? [] : [immutable('addressType', slice.addressType)];
}

/** The essentials of ValidateCustomResourceDefinition: names, group, scope, one storage version. */
export function validateCustomResourceDefinition(crd: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const spec: Obj = isObj(crd.spec) ? crd.spec : {};
  const names: Obj = isObj(spec.names) ? spec.names : {};
  if (crd.metadata?.name !== `${names.plural}.${spec.group}`)
    errs.push(invalid('metadata.name', crd.metadata?.name ?? '', 'must be spec.names.plural+"."+spec.group'));
  if (!spec.group) errs.push(required('spec.group', ''));
  else {
    for (const m of isDNS1123Subdomain(spec.group)) errs.push(invalid('spec.group', spec.group, m));
    if (String(spec.group).split('.').length < 2) errs.push(invalid('spec.group', spec.group, 'should be a domain with at least one dot'));
  }
  if (!spec.scope) errs.push(required('spec.scope', ''));
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') errs.push(notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  for (const f of ['plural', 'singular']) {
    if (!names[f]) {
      if (f === 'plural') errs.push(required('spec.names.plural', ''));
    } else for (const m of isDNS1035Label(names[f])) errs.push(invalid(`spec.names.${f}`, names[f], m));
  }
  if (!names.kind) errs.push(required('spec.names.kind', ''));
  for (const [i, s] of (Array.isArray(names.shortNames) ? names.shortNames : []).entries())
    for (const m of isDNS1035Label(String(s))) errs.push(invalid(`spec.names.shortNames[${i}]`, s, m));
  const versions = list(spec.versions);
  if (versions.length === 0) errs.push(invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));
  else if (versions.filter((v) => v.storage === true).length !== 1)
    errs.push(invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    if (!v.name) errs.push(required(`spec.versions[${i}].name`, ''));
    else for (const m of isDNS1035Label(v.name)) errs.push(invalid(`spec.versions[${i}].name`, v.name, m));
    if (seen.has(v.name)) errs.push(invalid('spec.versions', versions, 'must contain unique version names'));
    seen.add(v.name);
  });
  if (versions.length > 0 && !versions.some((v) => v.served === true))
    errs.push(invalid('spec.versions', versions, 'must have at least one version marked as served'));
  return errs;
}

export function validateCustomResourceDefinitionUpdate(crd: Obj, old: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (crd.spec?.group !== old.spec?.group) errs.push(immutable('spec.group', crd.spec?.group ?? ''));
  if (crd.spec?.names?.plural !== old.spec?.names?.plural) errs.push(immutable('spec.names.plural', crd.spec?.names?.plural ?? ''));
  return errs;
}
