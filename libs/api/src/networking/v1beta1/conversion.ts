/**
 * networking.k8s.io/v1beta1 <-> v1 Ingress conversion, as Kubernetes'
 * generated conversions did it: `spec.backend` is `spec.defaultBackend`,
 * `backend.serviceName/servicePort` is `backend.service.name/port.number|name`,
 * and a v1beta1 path without `pathType` is `ImplementationSpecific`.
 * Fields the converter does not know are carried over untouched.
 */
import type { Conversion } from '../../scheme/types';

type Obj = Record<string, any>;

const GROUP = 'networking.k8s.io';

function backendToV1(b: Obj | undefined): Obj | undefined {
  if (!b || typeof b !== 'object') return b;
  const { serviceName, servicePort, ...rest } = b;
  const out: Obj = { ...rest };
  if (serviceName || (servicePort !== undefined && servicePort !== 0)) {
    const port: Obj = {};
    if (typeof servicePort === 'string') port.name = servicePort;
    else if (typeof servicePort === 'number' && servicePort !== 0) port.number = servicePort;
    out.service = { name: serviceName ?? '', port };
  }
  return out;
}

function backendToV1beta1(b: Obj | undefined): Obj | undefined {
  if (!b || typeof b !== 'object') return b;
  const { service, ...rest } = b;
  const out: Obj = { ...rest };
  if (service) {
    out.serviceName = service.name;
    const port = service.port ?? {};
    out.servicePort = port.name ? port.name : (port.number ?? 0);
  }
  return out;
}

function mapPaths(spec: Obj, fn: (b: Obj | undefined) => Obj | undefined, defaultPathType: boolean): void {
  for (const rule of spec.rules ?? []) {
    for (const path of rule?.http?.paths ?? []) {
      path.backend = fn(path.backend);
      if (defaultPathType && path.pathType === undefined) path.pathType = 'ImplementationSpecific';
    }
  }
}

export function ingressV1beta1ToV1(obj: Obj): Obj {
  const spec = obj.spec;
  if (spec && typeof spec === 'object') {
    if ('backend' in spec) {
      const { backend, ...rest } = spec;
      obj.spec = { ...rest, defaultBackend: backendToV1(backend) };
    }
    mapPaths(obj.spec, backendToV1, true);
  }
  return obj;
}

export function ingressV1ToV1beta1(obj: Obj): Obj {
  const spec = obj.spec;
  if (spec && typeof spec === 'object') {
    if ('defaultBackend' in spec) {
      const { defaultBackend, ...rest } = spec;
      obj.spec = { ...rest, backend: backendToV1beta1(defaultBackend) };
    }
    mapPaths(obj.spec, backendToV1beta1, false);
  }
  return obj;
}

export const INGRESS_CONVERSIONS: Conversion[] = [
  { group: GROUP, kind: 'Ingress', from: 'v1beta1', to: 'v1', convert: ingressV1beta1ToV1 },
  { group: GROUP, kind: 'Ingress', from: 'v1', to: 'v1beta1', convert: ingressV1ToV1beta1 },
];
