import { ApiClient, ServerError } from './connection';

/** A resource as discovery describes it, in its group's preferred version. */
export interface ResourceType {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
}

interface APIResource {
  name: string;
  singularName?: string;
  shortNames?: string[];
  kind: string;
  namespaced: boolean;
}

/**
 * Resolves what a user typed (`po`, `pod`, `pods`, `Pod`, `deployments.apps`)
 * through the server's discovery documents, as kubectl does: the core group
 * first, then the other groups in the server's order.
 */
export class ResourceResolver {
  private groups?: Array<{ group: string; version: string }>;
  private readonly lists = new Map<string, APIResource[]>();

  constructor(private readonly client: ApiClient) {}

  async resolve(typed: string): Promise<ResourceType> {
    const dot = typed.indexOf('.');
    const name = (dot >= 0 ? typed.slice(0, dot) : typed).toLowerCase();
    const group = dot >= 0 ? typed.slice(dot + 1) : undefined;
    for (const gv of await this.groupVersions()) {
      if (group !== undefined && gv.group !== group) continue;
      if (gv.group === 'logbook.io') continue;
      for (const r of await this.resources(gv.group, gv.version)) {
        if (r.name.includes('/')) continue;
        if (r.name === name || r.singularName === name || r.shortNames?.includes(name) || r.kind.toLowerCase() === name) {
          return { group: gv.group, version: gv.version, resource: r.name, kind: r.kind, namespaced: r.namespaced };
        }
      }
    }
    throw new Error(`the server doesn't have a resource type "${typed}"`);
  }

  private async groupVersions(): Promise<Array<{ group: string; version: string }>> {
    if (!this.groups) {
      const core = await this.client.getJson<{ versions: string[] }>('/api');
      const apis = await this.client.getJson<{ groups: Array<{ name: string; preferredVersion: { version: string } }> }>('/apis');
      this.groups = [...core.versions.map((v) => ({ group: '', version: v })), ...apis.groups.map((g) => ({ group: g.name, version: g.preferredVersion.version }))];
    }
    return this.groups;
  }

  private async resources(group: string, version: string): Promise<APIResource[]> {
    const key = `${group}/${version}`;
    let list = this.lists.get(key);
    if (!list) {
      try {
        const doc = await this.client.getJson<{ resources: APIResource[] }>(group ? `/apis/${group}/${version}` : `/api/${version}`);
        list = doc.resources;
      } catch (err) {
        if (!(err instanceof ServerError)) throw err;
        list = [];
      }
      this.lists.set(key, list);
    }
    return list;
  }
}

/** The API path of a resource's collection (or one object of it). */
export function apiPath(t: ResourceType, namespace: string | undefined, name?: string): string {
  const prefix = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  const ns = t.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${prefix}${ns}/${t.resource}${name ? `/${encodeURIComponent(name)}` : ''}`;
}
