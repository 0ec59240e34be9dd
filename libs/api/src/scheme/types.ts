/**
 * The shape of a Scheme entry: everything discovery, routing, storage and
 * kubectl need to know about one resource in one group/version.
 */

export interface GroupVersion {
  group: string;
  version: string;
}

export interface GroupVersionKind extends GroupVersion {
  kind: string;
}

export interface GroupVersionResource extends GroupVersion {
  resource: string;
}

/** Where the replicas and selector live, for a `scale` subresource. */
export interface ScalePaths {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface SubresourceDefinition {
  /** `status`, `scale`, `log`, `binding`, `eviction`, `exec`, `finalize`, ... */
  name: string;
  /** The kind the subresource accepts/returns (`Scale`, `Binding`, or the parent's kind). */
  kind: string;
  /** Set when that kind lives in another group/version (Scale is autoscaling/v1). */
  group?: string;
  version?: string;
  verbs: string[];
  scale?: ScalePaths;
}

/** A column of `kubectl get` for a custom resource (additionalPrinterColumns). */
export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export interface ResourceDefinition {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** The plural, lower-case name used in URLs: `pods`, `deployments`. */
  resource: string;
  singular: string;
  shortNames: string[];
  namespaced: boolean;
  verbs: string[];
  categories: string[];
  subresources: SubresourceDefinition[];
  /** metadata.generation is set on create and bumped on every spec change. */
  tracksGeneration: boolean;
  /** This version is the one objects are stored in (exactly one per resource). */
  storage: boolean;
  /** Registered from a CustomResourceDefinition. */
  custom?: boolean;
  printerColumns?: PrinterColumn[];
}

/** Converts an object of `kind` between two versions of `group`. */
export interface Conversion {
  group: string;
  kind: string;
  from: string;
  to: string;
  convert(obj: Record<string, unknown>): Record<string, unknown>;
}

export interface GroupVersionsDiscovery {
  group: string;
  /** Served versions, preferred first. */
  versions: string[];
  preferredVersion: string;
}

export type SchemeChange =
  | { type: 'registered'; definition: ResourceDefinition }
  | { type: 'unregistered'; definition: ResourceDefinition };

export const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** `apps/v1` -> {group: 'apps', version: 'v1'}; `v1` -> core. */
export function parseApiVersion(apiVersion: string): GroupVersion {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function formatApiVersion(gv: GroupVersion): string {
  return gv.group ? `${gv.group}/${gv.version}` : gv.version;
}
