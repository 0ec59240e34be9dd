/**
 * discovery.k8s.io/v1 EndpointSlice.
 */
import { ObjectMeta } from '../../meta/v1/types';
import { ObjectReference } from '../../core/v1/pod.types';
import type { Protocol } from '../../core/v1/container.types';
import { Nested } from '../../validation/rules';

export const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'] as const;
export type AddressType = (typeof ADDRESS_TYPES)[number];

export interface EndpointConditions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

export class Endpoint {
  addresses!: string[];
  conditions?: EndpointConditions;
  hostname?: string;
  targetRef?: ObjectReference;
  deprecatedTopology?: Record<string, string>;
  nodeName?: string;
  zone?: string;
  hints?: { forZones?: { name: string }[]; forNodes?: { name: string }[] };
}

export class EndpointSlicePort {
  name?: string;
  protocol?: Protocol;
  port?: number;
  appProtocol?: string;
}

export class EndpointSlice {
  apiVersion?: 'discovery.k8s.io/v1';
  kind?: 'EndpointSlice';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  addressType!: AddressType;
  endpoints!: Endpoint[];
  ports?: EndpointSlicePort[];
}
