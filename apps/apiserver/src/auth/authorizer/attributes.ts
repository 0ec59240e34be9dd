import type { UserInfo } from '../../storage/context';
import type { RequestInfo } from '../../request/request-info';

/**
 * What the authorizer decides on, as kube-apiserver's authorizer.Attributes:
 * who (user and groups), which verb, and either a resource (API group,
 * resource, subresource, namespace, name) or a non-resource path.
 */
export interface Attributes {
  user: UserInfo;
  verb: string;
  isResourceRequest: boolean;
  /** The URL path, for non-resource requests (`/healthz`, `/api`, `/openapi/v3`). */
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

/**
 * The attributes of an HTTP request, with kube's RequestInfoFactory rules
 * the request router does not need: a namespace is its own namespace
 * (`/api/v1/namespaces/foo` is in namespace foo, so a RoleBinding there can
 * grant `get` on it), a list or watch with `fieldSelector=metadata.name=x`
 * is about the object x, and a non-resource request's verb is the
 * lower-case HTTP method (`get`, `post`, `head`...).
 */
export function requestAttributes(method: string, url: URL, info: RequestInfo, user: UserInfo): Attributes {
  if (!info.isResourceRequest) {
    return { user, verb: method.toLowerCase(), isResourceRequest: false, path: url.pathname, apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
  }
  let { namespace, name } = info;
  if (info.resource === 'namespaces' && name) namespace = name;
  if (!name && (info.verb === 'list' || info.verb === 'watch')) name = exactName(url.searchParams.get('fieldSelector')) ?? '';
  return {
    user,
    verb: info.verb,
    isResourceRequest: true,
    path: url.pathname,
    apiGroup: info.group,
    apiVersion: info.version,
    resource: info.resource,
    subresource: info.subresource,
    namespace,
    name,
  };
}

/** `metadata.name=x` (or `==`) as the only requirement on the name in a field selector. */
function exactName(selector: string | null): string | undefined {
  if (!selector) return undefined;
  for (const term of selector.split(',')) {
    const m = /^\s*metadata\.name\s*==?\s*(.*?)\s*$/.exec(term);
    if (m) return m[1];
  }
  return undefined;
}
