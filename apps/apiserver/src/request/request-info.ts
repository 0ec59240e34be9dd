/**
 * What a request is about, parsed from its method and path the way
 * kube-apiserver's RequestInfoFactory does:
 *
 *   /api/v1/namespaces/{ns}/{resource}/{name}/{subresource}
 *   /apis/{group}/{version}/{resource}/{name}
 *
 * Anything else (discovery, /openapi, /version) is not a resource request.
 */
export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  /** get, list, watch, create, update, patch, delete, deletecollection. */
  verb: string;
  apiPrefix: 'api' | 'apis' | '';
  group: string;
  version: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** Path segments, for non-resource requests. */
  parts: string[];
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

const METHOD_VERBS: Record<string, string> = {
  GET: 'get',
  HEAD: 'get',
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

export function parseRequestInfo(method: string, url: URL): RequestInfo {
  const path = url.pathname;
  const parts = path.split('/').filter((p) => p !== '').map((p) => (p.includes('%') ? decodeURIComponent(p) : p));
  const info: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: (METHOD_VERBS[method] ?? method.toLowerCase()),
    apiPrefix: '',
    group: '',
    version: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
    parts,
  };
  if (parts[0] !== 'api' && parts[0] !== 'apis') return info;
  info.apiPrefix = parts[0];
  let rest = parts.slice(1);
  if (info.apiPrefix === 'apis') {
    if (rest.length < 2) return info; // /apis, /apis/{group}
    info.group = rest[0];
    rest = rest.slice(1);
  }
  if (rest.length < 2) {
    if (rest.length === 1) info.version = rest[0];
    return info; // /api, /api/v1, /apis/{g}/{v}
  }
  info.version = rest[0];
  rest = rest.slice(1);
  info.isResourceRequest = true;

  if (rest[0] === 'namespaces') {
    // /namespaces/{name}[/status|/finalize] is about the namespace itself;
    // anything else after the name is a resource inside it.
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) {
      info.namespace = rest[1];
      rest = rest.slice(2);
    }
  } else if (rest[0] === 'watch') {
    // The deprecated /watch/ prefix.
    info.verb = 'watch';
    rest = rest.slice(1);
    if (rest[0] === 'namespaces' && rest.length > 2) {
      info.namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  info.resource = rest[0] ?? '';
  info.name = rest[1] ?? '';
  info.subresource = rest[2] ?? '';
  if (rest.length > 3) info.isResourceRequest = false;

  if (info.verb === 'get' && info.name === '') {
    info.verb = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1' ? 'watch' : 'list';
  } else if (info.verb === 'delete' && info.name === '') {
    info.verb = 'deletecollection';
  }
  return info;
}
