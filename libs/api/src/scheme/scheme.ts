/**
 * The Scheme: one table of every resource the API serves, by
 * group/version/resource and group/version/kind, plus the conversions
 * between versions of a kind.
 *
 * It is mutable at run time on purpose: custom resources register and
 * unregister as CustomResourceDefinitions come and go. `defaultScheme`
 * holds the built-ins; tests and embedders can build their own.
 *
 * What it does not do: validation and defaulting (see `validateCreate`,
 * `applyDefaults`), and HTTP discovery documents (the apiserver renders
 * those from `groupVersions()` and `resourcesFor()`).
 */
import type { CustomResourceDefinition } from '../apiextensions/v1/types';
import { resourcesFromCRD } from './crd-resources';
import {
  Conversion,
  formatApiVersion,
  GroupVersionsDiscovery,
  parseApiVersion,
  ResourceDefinition,
  SchemeChange,
} from './types';

type Obj = Record<string, unknown>;

const key = (...parts: string[]): string => parts.join('\u0000');

/**
 * Kubernetes' version priority (kube-aware sort): GA before beta before
 * alpha, higher numbers first, anything else last in alphabetical order.
 */
export function compareVersionPriority(a: string, b: string): number {
  const rank = (v: string): [number, number, number, string] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0, v];
    const stage = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return [stage, -Number(m[1]), -Number(m[3] ?? 0), v];
  };
  const [ra, rb] = [rank(a), rank(b)];
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return (ra[i] as number) - (rb[i] as number);
  return ra[3] < rb[3] ? -1 : ra[3] > rb[3] ? 1 : 0;
}

export class Scheme {
  private readonly byResource = new Map<string, ResourceDefinition>();
  private readonly byKind = new Map<string, ResourceDefinition>();
  private readonly conversions = new Map<string, Conversion>();
  private readonly groupOrder: string[] = [];
  private readonly listeners = new Set<(change: SchemeChange) => void>();

  constructor(definitions: ResourceDefinition[] = [], conversions: Conversion[] = []) {
    definitions.forEach((d) => this.register(d));
    conversions.forEach((c) => this.registerConversion(c));
  }

  /** Adds (or replaces) the entry for one resource in one group/version. */
  register(definition: ResourceDefinition): void {
    const def = { ...definition };
    const previous = this.byResource.get(key(def.group, def.version, def.resource));
    if (previous) this.unregister(previous.group, previous.version, previous.resource);
    this.byResource.set(key(def.group, def.version, def.resource), def);
    this.byKind.set(key(def.group, def.version, def.kind), def);
    if (!this.groupOrder.includes(def.group)) this.groupOrder.push(def.group);
    this.emit({ type: 'registered', definition: def });
  }

  /** Removes one resource from one group/version; returns whether it was there. */
  unregister(group: string, version: string, resource: string): boolean {
    const def = this.byResource.get(key(group, version, resource));
    if (!def) return false;
    this.byResource.delete(key(group, version, resource));
    if (this.byKind.get(key(group, version, def.kind)) === def) this.byKind.delete(key(group, version, def.kind));
    if (![...this.byResource.values()].some((d) => d.group === group)) this.groupOrder.splice(this.groupOrder.indexOf(group), 1);
    this.emit({ type: 'unregistered', definition: def });
    return true;
  }

  /** Removes a resource from every version of its group. */
  unregisterResource(group: string, resource: string): ResourceDefinition[] {
    const gone = [...this.byResource.values()].filter((d) => d.group === group && d.resource === resource);
    gone.forEach((d) => this.unregister(d.group, d.version, d.resource));
    return gone;
  }

  /**
   * Serves a CustomResourceDefinition's resource (every served version),
   * replacing what an earlier version of the same CRD registered.
   */
  registerCRD(crd: CustomResourceDefinition): ResourceDefinition[] {
    const defs = resourcesFromCRD(crd);
    if (crd.spec) this.unregisterResource(crd.spec.group, crd.spec.names.plural);
    defs.forEach((d) => this.register(d));
    return defs;
  }

  /** Stops serving a CustomResourceDefinition's resource. */
  unregisterCRD(crd: CustomResourceDefinition): ResourceDefinition[] {
    return crd.spec ? this.unregisterResource(crd.spec.group, crd.spec.names.plural) : [];
  }

  registerConversion(conversion: Conversion): void {
    this.conversions.set(key(conversion.group, conversion.kind, conversion.from, conversion.to), conversion);
  }

  /** Notified on every register/unregister (the apiserver refreshes discovery). Returns an unsubscribe. */
  onChange(listener: (change: SchemeChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // --- lookups ----------------------------------------------------------------

  byGroupVersionResource(group: string, version: string, resource: string): ResourceDefinition | undefined {
    return this.byResource.get(key(group, version, resource));
  }

  byGroupVersionKind(group: string, version: string, kind: string): ResourceDefinition | undefined {
    return this.byKind.get(key(group, version, kind));
  }

  /** The entry for an object's `apiVersion` and `kind`. */
  forObject(obj: { apiVersion?: unknown; kind?: unknown }): ResourceDefinition | undefined {
    if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') return undefined;
    const { group, version } = parseApiVersion(obj.apiVersion);
    return this.byGroupVersionKind(group, version, obj.kind);
  }

  /** Every version of a resource's group that serves it, preferred first. */
  versionsOf(group: string, resource: string): ResourceDefinition[] {
    return [...this.byResource.values()]
      .filter((d) => d.group === group && d.resource === resource)
      .sort((a, b) => compareVersionPriority(a.version, b.version));
  }

  /** The version a resource is stored in. */
  storageVersionOf(group: string, resourceOrKind: string): ResourceDefinition | undefined {
    return [...this.byResource.values()].find(
      (d) => d.group === group && d.storage && (d.resource === resourceOrKind || d.kind === resourceOrKind),
    );
  }

  /**
   * Resolves what a user typed (`po`, `pod`, `pods`, `Pod`, `deployments.apps`,
   * `deploy.v1.apps`) to resources in their preferred version; several when
   * ambiguous across groups.
   */
  find(name: string): ResourceDefinition[] {
    const [head, ...rest] = name.split('.');
    const lower = head.toLowerCase();
    let version: string | undefined;
    let group: string | undefined;
    if (rest.length >= 2 && /^v\d/.test(rest[0])) {
      version = rest[0];
      group = rest.slice(1).join('.');
    } else if (rest.length) group = rest.join('.');
    const matches = (d: ResourceDefinition) =>
      d.resource === lower || d.singular === lower || d.shortNames.includes(lower) || d.kind.toLowerCase() === lower;
    const candidates = [...this.byResource.values()].filter(
      (d) => matches(d) && (group === undefined || d.group === group) && (version === undefined || d.version === version),
    );
    const preferred = new Map<string, ResourceDefinition>();
    for (const d of candidates) {
      const k = key(d.group, d.resource);
      const current = preferred.get(k);
      if (!current || this.isMorePreferred(d, current)) preferred.set(k, d);
    }
    return [...preferred.values()];
  }

  /** Resources in a category, e.g. `all`, in their preferred versions. */
  inCategory(category: string): ResourceDefinition[] {
    return this.groupVersions().flatMap((g) =>
      this.resourcesFor(g.group, g.preferredVersion).filter((d) => d.categories.includes(category)),
    );
  }

  /** Served resources of one group/version (discovery's APIResourceList). */
  resourcesFor(group: string, version: string): ResourceDefinition[] {
    return [...this.byResource.values()].filter((d) => d.group === group && d.version === version);
  }

  /** Every group with its served versions, preferred first (discovery's APIGroupList). */
  groupVersions(): GroupVersionsDiscovery[] {
    return this.groupOrder.map((group) => {
      const versions = [...new Set([...this.byResource.values()].filter((d) => d.group === group).map((d) => d.version))].sort(
        compareVersionPriority,
      );
      return { group, versions, preferredVersion: versions[0] };
    });
  }

  all(): ResourceDefinition[] {
    return [...this.byResource.values()];
  }

  // --- conversion ---------------------------------------------------------------

  /**
   * Converts an object to another version of its group (`toVersion` is a
   * version like `v1` or a full apiVersion). Goes through the storage
   * version when there is no direct conversion. The input is not modified.
   */
  convert<T extends Obj>(obj: T, toVersion: string): T {
    if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string')
      throw new Error('cannot convert an object without apiVersion and kind');
    const from = parseApiVersion(obj.apiVersion);
    const to = toVersion.includes('/') || !from.group ? parseApiVersion(toVersion) : { group: from.group, version: toVersion };
    if (to.group !== from.group) throw new Error(`cannot convert ${obj.apiVersion} ${obj.kind} to group "${to.group}"`);
    const kind = obj.kind;
    if (from.version === to.version) return structuredClone(obj);
    const direct = this.conversions.get(key(from.group, kind, from.version, to.version));
    if (direct) return this.stamp(direct.convert(structuredClone(obj)), from.group, to.version, kind) as T;
    const hub = this.storageVersionOf(from.group, kind);
    if (hub && hub.version !== from.version && hub.version !== to.version) {
      return this.convert(this.convert(obj, hub.version), to.version);
    }
    const target = this.byGroupVersionKind(to.group, to.version, kind);
    if (target?.custom) return this.stamp(structuredClone(obj), from.group, to.version, kind) as T;
    throw new Error(`no conversion for ${kind} from ${obj.apiVersion} to ${formatApiVersion(to)}`);
  }

  /** Converts an object to the version it is stored in (identity when it already is). */
  toStorageVersion<T extends Obj>(obj: T): T {
    const def = this.forObject(obj);
    if (!def) throw new Error(`unknown kind ${String(obj.kind)} in ${String(obj.apiVersion)}`);
    const storage = this.storageVersionOf(def.group, def.resource);
    return storage && storage.version !== def.version ? this.convert(obj, storage.version) : obj;
  }

  private stamp(obj: Obj, group: string, version: string, kind: string): Obj {
    const { apiVersion: _a, kind: _k, ...rest } = obj;
    return { apiVersion: formatApiVersion({ group, version }), kind, ...rest };
  }

  private isMorePreferred(a: ResourceDefinition, b: ResourceDefinition): boolean {
    return compareVersionPriority(a.version, b.version) < 0;
  }

  private emit(change: SchemeChange): void {
    for (const l of this.listeners) l(change);
  }
}
