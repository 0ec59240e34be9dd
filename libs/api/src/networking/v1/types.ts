/**
 * networking.k8s.io/v1: Ingress and IngressClass.
 */
import { ObjectMeta } from '../../meta/v1/types';
import type { PortStatus } from '../../core/v1/service.types';
import { Nested } from '../../validation/rules';

export const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'] as const;
export type PathType = (typeof PATH_TYPES)[number];

export class ServiceBackendPort {
  name?: string;
  number?: number;
}

export class IngressServiceBackend {
  name!: string;
  port?: ServiceBackendPort;
}

export class TypedLocalObjectReference {
  apiGroup?: string;
  kind!: string;
  name!: string;
}

export class IngressBackend {
  service?: IngressServiceBackend;
  resource?: TypedLocalObjectReference;
}

export class HTTPIngressPath {
  path?: string;
  pathType?: PathType;
  backend!: IngressBackend;
}

export class HTTPIngressRuleValue {
  paths!: HTTPIngressPath[];
}

export class IngressRule {
  host?: string;
  http?: HTTPIngressRuleValue;
}

export class IngressTLS {
  hosts?: string[];
  secretName?: string;
}

export class IngressSpec {
  ingressClassName?: string;
  defaultBackend?: IngressBackend;
  tls?: IngressTLS[];
  rules?: IngressRule[];
}

export interface IngressLoadBalancerIngress {
  ip?: string;
  hostname?: string;
  ports?: PortStatus[];
}

export class IngressStatus {
  loadBalancer?: { ingress?: IngressLoadBalancerIngress[] };
}

export class Ingress {
  apiVersion?: 'networking.k8s.io/v1';
  kind?: 'Ingress';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  spec?: IngressSpec;
  status?: IngressStatus;
}

export class IngressClassParametersReference {
  apiGroup?: string;
  kind!: string;
  name!: string;
  scope?: 'Cluster' | 'Namespace';
  namespace?: string;
}

export class IngressClassSpec {
  controller?: string;
  parameters?: IngressClassParametersReference;
}

export class IngressClass {
  apiVersion?: 'networking.k8s.io/v1';
  kind?: 'IngressClass';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  spec?: IngressClassSpec;
}
