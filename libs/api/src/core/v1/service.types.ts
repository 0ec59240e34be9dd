/**
 * core/v1 Service and Endpoints.
 */
import type { Condition, IntOrString } from '../../meta/v1/types';
import { ObjectMeta } from '../../meta/v1/types';
import { DNS1123Label, DNS1123Subdomain, FieldRule, Int, Labels, Nested, OneOf, PortNumber, QualifiedName } from '../../validation/rules';
import { isValidIP, isValidPortNum } from '../../validation/names';
import { PROTOCOLS, Protocol, portNumOrNameProblems } from './container.types';
import { ObjectReference } from './pod.types';

export const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];
export const SESSION_AFFINITIES = ['ClientIP', 'None'] as const;
export const TRAFFIC_POLICIES = ['Cluster', 'Local'] as const;
export const IP_FAMILIES = ['IPv4', 'IPv6'] as const;
export const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'] as const;
export const DEFAULT_CLIENT_IP_SERVICE_AFFINITY_SECONDS = 10800;
export const MAX_CLIENT_IP_SERVICE_AFFINITY_SECONDS = 86400;

export const IP_ERROR = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

const ipRule = (): PropertyDecorator =>
  FieldRule('ip', (v) => (typeof v === 'string' && v !== '' && !isValidIP(v) ? [{ type: 'FieldValueInvalid', detail: IP_ERROR }] : []));

export class ServicePort {
  @DNS1123Label()
  name?: string;
  @OneOf(PROTOCOLS)
  protocol?: Protocol;
  @QualifiedName()
  appProtocol?: string;
  @Int()
  @FieldRule('port', (v) => (typeof v === 'number' || v === undefined ? isValidPortNum(v ?? 0).map((detail) => ({ type: 'FieldValueInvalid' as const, value: v ?? 0, detail })) : []))
  port!: number;
  @FieldRule('targetPort', (v) => (v === undefined || v === 0 || v === '' ? [] : portNumOrNameProblems(v)))
  targetPort?: IntOrString;
  @Int()
  @PortNumber()
  nodePort?: number;
}

export class ClientIPConfig {
  @Int()
  @FieldRule('timeout', (v) =>
    typeof v === 'number' && (v <= 0 || v > MAX_CLIENT_IP_SERVICE_AFFINITY_SECONDS)
      ? [{ type: 'FieldValueInvalid', detail: `must be greater than 0 and less than ${MAX_CLIENT_IP_SERVICE_AFFINITY_SECONDS}` }]
      : [],
  )
  timeoutSeconds?: number;
}

export class SessionAffinityConfig {
  @Nested(() => ClientIPConfig)
  clientIP?: ClientIPConfig;
}

export class ServiceSpec {
  @Nested(() => ServicePort)
  ports?: ServicePort[];
  @Labels()
  selector?: Record<string, string>;
  clusterIP?: string;
  clusterIPs?: string[];
  @OneOf(SERVICE_TYPES)
  type?: ServiceType;
  externalIPs?: string[];
  @OneOf(SESSION_AFFINITIES)
  sessionAffinity?: 'ClientIP' | 'None';
  @ipRule()
  loadBalancerIP?: string;
  loadBalancerSourceRanges?: string[];
  externalName?: string;
  @OneOf(TRAFFIC_POLICIES)
  externalTrafficPolicy?: 'Cluster' | 'Local';
  @Int()
  @PortNumber()
  healthCheckNodePort?: number;
  publishNotReadyAddresses?: boolean;
  @Nested(() => SessionAffinityConfig)
  sessionAffinityConfig?: SessionAffinityConfig;
  @FieldRule('ipFamilies', (v) =>
    Array.isArray(v)
      ? v.flatMap((f: unknown, i: number) => [
          ...(IP_FAMILIES.includes(f as 'IPv4') ? [] : [{ type: 'FieldValueNotSupported' as const, suffix: `[${i}]`, value: f, supported: IP_FAMILIES }]),
          ...(v.indexOf(f) !== i ? [{ type: 'FieldValueDuplicate' as const, suffix: `[${i}]`, value: f }] : []),
        ])
      : [],
  )
  ipFamilies?: ('IPv4' | 'IPv6')[];
  @OneOf(IP_FAMILY_POLICIES)
  ipFamilyPolicy?: (typeof IP_FAMILY_POLICIES)[number];
  allocateLoadBalancerNodePorts?: boolean;
  loadBalancerClass?: string;
  @OneOf(TRAFFIC_POLICIES)
  internalTrafficPolicy?: 'Cluster' | 'Local';
  trafficDistribution?: string;
}

export interface PortStatus {
  port: number;
  protocol: Protocol;
  error?: string;
}

export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
  ipMode?: 'VIP' | 'Proxy';
  ports?: PortStatus[];
}

export interface LoadBalancerStatus {
  ingress?: LoadBalancerIngress[];
}

export class ServiceStatus {
  loadBalancer?: LoadBalancerStatus;
  conditions?: Condition[];
}

export class Service {
  apiVersion?: 'v1';
  kind?: 'Service';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  @Nested(() => ServiceSpec)
  spec?: ServiceSpec;
  status?: ServiceStatus;
}

export class EndpointAddress {
  @FieldRule('endpointIP', (v) =>
    typeof v === 'string' && isValidIP(v) ? [] : [{ type: 'FieldValueInvalid', value: v ?? '', detail: IP_ERROR }],
  )
  ip!: string;
  @DNS1123Label()
  hostname?: string;
  @DNS1123Subdomain()
  nodeName?: string;
  targetRef?: ObjectReference;
}

export class EndpointPort {
  @DNS1123Label()
  name?: string;
  @Int()
  @PortNumber({ required: true })
  port!: number;
  @OneOf(PROTOCOLS)
  protocol?: Protocol;
  @QualifiedName()
  appProtocol?: string;
}

export class EndpointSubset {
  @Nested(() => EndpointAddress)
  addresses?: EndpointAddress[];
  @Nested(() => EndpointAddress)
  notReadyAddresses?: EndpointAddress[];
  @Nested(() => EndpointPort)
  ports?: EndpointPort[];
}

export class Endpoints {
  apiVersion?: 'v1';
  kind?: 'Endpoints';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  @Nested(() => EndpointSubset)
  subsets?: EndpointSubset[];
}
