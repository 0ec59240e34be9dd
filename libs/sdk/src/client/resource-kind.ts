import { defaultScheme, formatApiVersion, parseApiVersion, Scheme } from '@logbook/api';
import type { KubeObject } from './types';

/**
 * What the client needs to know to reach a kind of object: where it lives
 * (group, version, plural) and whether it is namespaced. `T` is the object
 * type the client hands back for it.
 *
 * Built-ins come from the scheme (`kindOf('apps/v1', 'Deployment')`);
 * custom resources are declared (`customKind({...})`), since the SDK does
 * not discover them.
 */
export interface ResourceKind<T = unknown> {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** The lower-case plural used in URLs: `deployments`. */
  readonly plural: string;
  readonly namespaced: boolean;
  /** Carries `T` for type inference only; never set. */
  readonly __object?: T;
}

/** A built-in (or scheme-registered) kind by apiVersion and kind; throws if the scheme does not know it. */
export function kindOf<T = KubeObject>(apiVersion: string, kind: string, scheme: Scheme = defaultScheme): ResourceKind<T> {
  const { group, version } = parseApiVersion(apiVersion);
  const def = scheme.byGroupVersionKind(group, version, kind);
  if (!def) throw new Error(`the scheme has no kind ${kind} in ${apiVersion}; declare custom resources with customKind()`);
  return Object.freeze({ group, version, kind, plural: def.resource, namespaced: def.namespaced });
}

/** Declares a custom resource's kind (as its CustomResourceDefinition names it). */
export function customKind<T = KubeObject>(decl: {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}): ResourceKind<T> {
  for (const field of ['version', 'kind', 'plural'] as const) {
    if (!decl[field]) throw new Error(`customKind: ${field} is required`);
  }
  if (decl.plural !== decl.plural.toLowerCase()) throw new Error(`customKind: plural must be lower case, not ${decl.plural}`);
  return Object.freeze({ group: decl.group, version: decl.version, kind: decl.kind, plural: decl.plural, namespaced: decl.namespaced });
}

/** `apps/v1`, `v1`. */
export function apiVersionOf(kind: ResourceKind<unknown>): string {
  return formatApiVersion(kind);
}

/** A stable identity for a kind: `apps/v1/deployments`. */
export function kindKey(kind: ResourceKind<unknown>): string {
  return `${kind.group}/${kind.version}/${kind.plural}`;
}

/** Whether two descriptors name the same kind (any version). */
export function sameGroupKind(a: { group: string; kind: string }, b: { group: string; kind: string }): boolean {
  return a.group === b.group && a.kind === b.kind;
}

/** The REST path of a collection, an object or one of its subresources. */
export function resourcePath(kind: ResourceKind<unknown>, namespace?: string, name?: string, subresource?: string): string {
  const base = kind.group ? `/apis/${kind.group}/${kind.version}` : `/api/${kind.version}`;
  let path = base;
  if (kind.namespaced && namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${kind.plural}`;
  if (name !== undefined) path += `/${encodeURIComponent(name)}`;
  if (subresource) path += `/${subresource}`;
  return path;
}
