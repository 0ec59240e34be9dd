import type { HttpTransport } from './http-transport';
import type { ResourceKind } from './resource-kind';

/** One resource the server serves, as its discovery documents describe it. */
export interface DiscoveredResource {
  /** Usable with every client call (`client.list(r.kind)`). */
  readonly kind: ResourceKind<unknown>;
  /** `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`. */
  readonly verbs: readonly string[];
  readonly shortNames: readonly string[];
  /** Subresources it has (`status`, `scale`, `finalize`...). */
  readonly subresources: readonly string[];
}

/** What the server serves, at the preferred version of each group (client-go's ServerPreferredResources). */
export interface Discovery {
  readonly resources: readonly DiscoveredResource[];
  /** Group/versions whose resource list could not be read (the rest is still returned). */
  readonly failedGroupVersions: ReadonlyArray<{ groupVersion: string; error: string }>;
}

interface ApiResource {
  name: string;
  namespaced: boolean;
  kind: string;
  verbs?: string[];
  shortNames?: string[];
}
interface ApiResourceList {
  groupVersion: string;
  resources?: ApiResource[];
}
interface ApiGroupList {
  groups?: Array<{ name: string; preferredVersion?: { version: string }; versions?: Array<{ version: string }> }>;
}

/**
 * Reads /api, /apis and the resource list of the preferred version of each
 * group. A group/version that fails to answer is reported in
 * `failedGroupVersions` instead of failing the whole discovery (as
 * client-go's ErrGroupDiscoveryFailed): callers such as a namespace
 * deleter must know that they may have missed something.
 */
export async function discover(transport: HttpTransport, timeoutMs?: number): Promise<Discovery> {
  const core = await transport.json<{ versions?: string[] }>({ method: 'GET', path: '/api', timeoutMs });
  const groups = await transport.json<ApiGroupList>({ method: 'GET', path: '/apis', timeoutMs });
  const targets: Array<{ group: string; version: string; path: string }> = (core.versions ?? []).slice(0, 1).map((v) => ({ group: '', version: v, path: `/api/${v}` }));
  for (const g of groups.groups ?? []) {
    const version = g.preferredVersion?.version ?? g.versions?.[0]?.version;
    if (version) targets.push({ group: g.name, version, path: `/apis/${g.name}/${version}` });
  }
  const resources: DiscoveredResource[] = [];
  const failedGroupVersions: Array<{ groupVersion: string; error: string }> = [];
  const lists = await Promise.all(
    targets.map((t) =>
      transport.json<ApiResourceList>({ method: 'GET', path: t.path, timeoutMs }).then(
        (list) => ({ t, list }),
        (err: unknown) => ({ t, err }),
      ),
    ),
  );
  for (const r of lists) {
    const groupVersion = r.t.group ? `${r.t.group}/${r.t.version}` : r.t.version;
    if ('err' in r) {
      failedGroupVersions.push({ groupVersion, error: r.err instanceof Error ? r.err.message : String(r.err) });
      continue;
    }
    const all = r.list.resources ?? [];
    for (const res of all) {
      if (res.name.includes('/')) continue;
      const subresources = all.filter((s) => s.name.startsWith(`${res.name}/`)).map((s) => s.name.slice(res.name.length + 1));
      resources.push(
        Object.freeze({
          kind: Object.freeze({ group: r.t.group, version: r.t.version, kind: res.kind, plural: res.name, namespaced: res.namespaced }),
          verbs: Object.freeze([...(res.verbs ?? [])]),
          shortNames: Object.freeze([...(res.shortNames ?? [])]),
          subresources: Object.freeze(subresources),
        }),
      );
    }
  }
  return { resources, failedGroupVersions };
}
