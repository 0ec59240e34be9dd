/**
 * networking.k8s.io/v1beta1 Ingress: a retired version (removed in
 * Kubernetes 1.22) that Logbook still serves, converted to and from v1.
 */
import type { IntOrString } from '../../meta/v1/types';
import { ObjectMeta } from '../../meta/v1/types';
import type { IngressStatus, IngressTLS, PathType, TypedLocalObjectReference } from '../v1/types';

export interface IngressBackendV1beta1 {
  serviceName?: string;
  servicePort?: IntOrString;
  resource?: TypedLocalObjectReference;
}

export interface HTTPIngressPathV1beta1 {
  path?: string;
  pathType?: PathType;
  backend: IngressBackendV1beta1;
}

export interface IngressRuleV1beta1 {
  host?: string;
  http?: { paths: HTTPIngressPathV1beta1[] };
}

export interface IngressSpecV1beta1 {
  ingressClassName?: string;
  backend?: IngressBackendV1beta1;
  tls?: IngressTLS[];
  rules?: IngressRuleV1beta1[];
}

export interface IngressV1beta1 {
  apiVersion: 'networking.k8s.io/v1beta1' | 'extensions/v1beta1';
  kind: 'Ingress';
  metadata?: ObjectMeta;
  spec?: IngressSpecV1beta1;
  status?: IngressStatus;
}
