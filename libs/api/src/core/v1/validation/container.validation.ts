/**
 * Cross-field container rules (pkg/apis/core/validation): what the
 * per-field decorators on Container cannot see on their own.
 */
import { FieldError, duplicate, forbidden, invalid, notFound, notSupported, printed, required } from '../../../validation/field-error';
import { isQualifiedName } from '../../../validation/names';
import { QUANTITY_FORMAT_ERROR, parseQuantity } from '../../../validation/quantity';

type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
export const VOLUME_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];
const CONVERTIBLE_FIELD_PATHS = [
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.serviceAccountName',
  'spec.schedulerName',
  'status.phase',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
const RESOURCE_FIELD_PATHS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];
const HUGEPAGES_PREFIXES = ['limits.hugepages-', 'requests.hugepages-'];
const CPU_DIVISORS = ['1m', '1'];
const MEMORY_DIVISORS = ['1', '1k', '1M', '1G', '1T', '1P', '1E', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei'];
const STANDARD_CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

/** validateObjectFieldSelector: a downward API field path, for env (or volumes with `allowed`). */
export function validateObjectFieldSelector(ref: Obj, allowed: readonly string[], path: string): FieldError[] {
  const apiVersion = ref.apiVersion ?? 'v1';
  const fieldPath = ref.fieldPath;
  if (!fieldPath) return [required(`${path}.fieldPath`, '')];
  if (apiVersion !== 'v1') return [invalid(`${path}.fieldPath`, fieldPath, `error converting fieldPath: unsupported pod version: ${apiVersion}`)];
  const sub = /^(metadata\.(?:annotations|labels))\['(.*)'\]$/.exec(fieldPath) ?? /^([^[]+)\[(.*)\]$/.exec(fieldPath);
  if (sub) {
    const [, base, key] = sub;
    if (base === 'metadata.annotations') return isQualifiedName(key.toLowerCase()).map((m) => invalid(path, key.toLowerCase(), m));
    if (base === 'metadata.labels') return isQualifiedName(key).map((m) => invalid(path, key, m));
    return [invalid(`${path}.fieldPath`, fieldPath, `error converting fieldPath: field label does not support subscript`)];
  }
  if (!CONVERTIBLE_FIELD_PATHS.includes(fieldPath))
    return [invalid(`${path}.fieldPath`, fieldPath, `error converting fieldPath: field label not supported: ${fieldPath}`)];
  if (!allowed.includes(fieldPath)) return [notSupported(`${path}.fieldPath`, fieldPath, allowed)];
  return [];
}

/** validateContainerResourceFieldSelector (+ divisor). `volume` requires containerName. */
export function validateResourceFieldSelector(ref: Obj, path: string, volume: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const resource = ref.resource;
  if (volume && !ref.containerName) errs.push(required(`${path}.containerName`, ''));
  else if (!resource) errs.push(required(`${path}.resource`, ''));
  else if (!RESOURCE_FIELD_PATHS.includes(resource) && !HUGEPAGES_PREFIXES.some((p) => resource.startsWith(p)))
    errs.push(notSupported(`${path}.resource`, resource, RESOURCE_FIELD_PATHS));
  const divisor = ref.divisor;
  if (divisor !== undefined && divisor !== null && parseQuantity(divisor) !== 0) {
    const d = String(divisor);
    if ((resource === 'limits.cpu' || resource === 'requests.cpu') && !CPU_DIVISORS.includes(d))
      errs.push(invalid(`${path}.divisor`, resource, "only divisor's values 1m and 1 are supported with the cpu resource"));
    if ((resource === 'limits.memory' || resource === 'requests.memory') && !MEMORY_DIVISORS.includes(d))
      errs.push(invalid(`${path}.divisor`, resource, `only divisor's values ${MEMORY_DIVISORS.join(', ')} are supported with the memory resource`));
    if ((resource === 'limits.ephemeral-storage' || resource === 'requests.ephemeral-storage') && !MEMORY_DIVISORS.includes(d))
      errs.push(
        invalid(`${path}.divisor`, resource, `only divisor's values ${MEMORY_DIVISORS.join(', ')} are supported with the local ephemeral storage resource`),
      );
  }
  return errs;
}

function validateEnv(env: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  env.forEach((ev, i) => {
    const vf = ev.valueFrom;
    if (!isObj(vf)) return;
    const p = `${path}[${i}].valueFrom`;
    let sources = 0;
    if (isObj(vf.fieldRef)) {
      sources++;
      errs.push(...validateObjectFieldSelector(vf.fieldRef, ENV_FIELD_PATHS, `${p}.fieldRef`));
    }
    if (isObj(vf.resourceFieldRef)) {
      sources++;
      errs.push(...validateResourceFieldSelector(vf.resourceFieldRef, `${p}.resourceFieldRef`, false));
    }
    if (isObj(vf.configMapKeyRef)) sources++;
    if (isObj(vf.secretKeyRef)) sources++;
    if (sources === 0) errs.push(invalid(p, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (ev.value) errs.push(invalid(p, '', 'may not be specified when `value` is not empty'));
    else if (sources > 1) errs.push(invalid(p, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateEnvFrom(envFrom: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  envFrom.forEach((ef, i) => {
    const sources = (isObj(ef.configMapRef) ? 1 : 0) + (isObj(ef.secretRef) ? 1 : 0);
    if (sources === 0) errs.push(invalid(`${path}[${i}]`, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) errs.push(invalid(`${path}[${i}]`, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'];

/** validateHandler: exactly one handler type. */
export function validateHandler(h: Obj, path: string, allowed: readonly string[]): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  for (const k of HANDLERS) {
    if (!allowed.includes(k) || !isObj(h[k])) continue;
    if (n > 0) errs.push(forbidden(`${path}.${k}`, 'may not specify more than 1 handler type'));
    else {
      n++;
      if (k === 'exec' && !(Array.isArray(h.exec.command) && h.exec.command.length)) errs.push(required(`${path}.exec.command`, ''));
    }
  }
  if (n === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'];

function validateResources(res: unknown, path: string): FieldError[] {
  if (!isObj(res)) return [];
  const errs: FieldError[] = [];
  const values: Record<string, Map<string, number>> = { limits: new Map(), requests: new Map() };
  for (const kind of ['limits', 'requests'] as const) {
    if (!isObj(res[kind])) continue;
    for (const [name, q] of Object.entries(res[kind] as Obj)) {
      const p = `${path}.${kind}[${name}]`;
      if (!name.includes('/') && !STANDARD_CONTAINER_RESOURCES.includes(name) && !name.startsWith('hugepages-'))
        errs.push(invalid(p, name, 'must be a standard resource for containers'));
      const v = parseQuantity(q);
      if (v === undefined) errs.push(invalid(p, q, QUANTITY_FORMAT_ERROR));
      else if (v < 0) errs.push(invalid(p, printed(String(q)), 'must be greater than or equal to 0'));
      else values[kind].set(name, v);
    }
  }
  for (const [name, req] of values.requests) {
    const limit = values.limits.get(name);
    if (limit !== undefined && req > limit)
      errs.push(invalid(`${path}.requests[${name}]`, String(res.requests[name]), `must be less than or equal to ${name} limit of ${res.limits[name]}`));
  }
  return errs;
}

export type ContainerKind = 'containers' | 'initContainers' | 'ephemeralContainers';

/** Rules per container that need the container as a whole, and its pod's volumes. */
export function validateContainer(c: Obj, path: string, kind: ContainerKind, volumeNames: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const portNames = new Set<string>();
  list(c.ports).forEach((p, i) => {
    if (!p.name) return;
    if (portNames.has(p.name)) errs.push(duplicate(`${path}.ports[${i}].name`, p.name));
    portNames.add(p.name);
  });
  errs.push(...validateEnv(list(c.env), `${path}.env`), ...validateEnvFrom(list(c.envFrom), `${path}.envFrom`));
  errs.push(...validateResources(c.resources, `${path}.resources`));
  const mountPaths = new Set<string>();
  list(c.volumeMounts).forEach((m, i) => {
    if (!volumeNames.has(m.name)) errs.push(notFound(`${path}.volumeMounts[${i}].name`, m.name ?? ''));
    if (m.mountPath && mountPaths.has(m.mountPath)) errs.push(invalid(`${path}.volumeMounts[${i}].mountPath`, m.mountPath, 'must be unique'));
    if (m.mountPath) mountPaths.add(m.mountPath);
  });
  list(c.volumeDevices).forEach((d, i) => {
    if (!volumeNames.has(d.name)) errs.push(notFound(`${path}.volumeDevices[${i}].name`, d.name ?? ''));
  });
  const sidecar = kind === 'initContainers' && c.restartPolicy === 'Always';
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    if (!isObj(c[probe])) continue;
    if ((kind === 'initContainers' && !sidecar) || kind === 'ephemeralContainers') {
      errs.push(forbidden(`${path}.${probe}`, kind === 'initContainers' ? 'may not be set for init containers without restartPolicy=Always' : 'cannot be set for an Ephemeral Container'));
      continue;
    }
    errs.push(...validateHandler(c[probe], `${path}.${probe}`, PROBE_HANDLERS));
    if (probe !== 'readinessProbe' && c[probe].successThreshold !== undefined && c[probe].successThreshold !== 1)
      errs.push(invalid(`${path}.${probe}.successThreshold`, c[probe].successThreshold, 'must be 1'));
  }
  if (isObj(c.lifecycle)) {
    if (kind === 'initContainers' && !sidecar) errs.push(forbidden(`${path}.lifecycle`, 'may not be set for init containers without restartPolicy=Always'));
    else
      for (const hook of ['postStart', 'preStop'])
        if (isObj(c.lifecycle[hook])) errs.push(...validateHandler(c.lifecycle[hook], `${path}.lifecycle.${hook}`, LIFECYCLE_HANDLERS));
  }
  if (kind === 'containers' && c.restartPolicy !== undefined)
    errs.push(forbidden(`${path}.restartPolicy`, 'may not be set for non-init containers'));
  return errs;
}
