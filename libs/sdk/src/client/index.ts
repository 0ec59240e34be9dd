export { KubeClient } from './kube-client';
export type { ObservedWrite } from './kube-client';
export { DEFAULT_SERVER, resolveClientConfig } from './client-config';
export type { ClientConfig } from './client-config';
export { requestCounts, requestCountsSince } from './request-counts';
export type { RequestCount } from './request-counts';
export { CAUSE_SEQ_HEADER, TransportError } from './http-transport';
export { apiVersionOf, customKind, kindKey, kindOf, resourcePath, sameGroupKind } from './resource-kind';
export type { ResourceKind } from './resource-kind';
export { kinds } from './builtin-kinds';
export { untilApiServerAnswers } from './api-server-reachable';
export type { DiscoveredResource, Discovery } from './discovery';
export type {
  ApplyOptions,
  DeleteOptions,
  KubeObject,
  ListOptions,
  ListResult,
  ObjectKey,
  PatchOptions,
  PatchType,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from './types';
