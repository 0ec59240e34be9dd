import { ResourceDefinition, Scheme } from '@logbook/api';

/**
 * The discovery documents kubectl reads before anything else: /api, /apis,
 * /apis/{group}, /api/v1 and /apis/{group}/{version}. Plain (not aggregated)
 * discovery: kubectl asks for the aggregated form first and falls back to
 * these, per group/version.
 */
export class Discovery {
  constructor(private readonly scheme: Scheme) {}

  apiVersions(serverAddress: string) {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }

  apiGroupList() {
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...this.groups().map((g) => this.apiGroupBody(g.group, g.versions)), this.apiGroupBody('logbook.io', ['v1'])],
    };
  }

  apiGroup(group: string) {
    const g = group === 'logbook.io' ? { group, versions: ['v1'] } : this.groups().find((x) => x.group === group);
    return g ? { kind: 'APIGroup', apiVersion: 'v1', ...this.apiGroupBody(g.group, g.versions) } : undefined;
  }

  /** APIResourceList of one group/version, subresources included (`pods/status`, `deployments/scale`). */
  apiResourceList(group: string, version: string) {
    const defs = this.scheme.resourcesFor(group, version);
    if (defs.length === 0) return undefined;
    const resources: object[] = [];
    for (const d of [...defs].sort((a, b) => a.resource.localeCompare(b.resource))) {
      resources.push(resourceEntry(d));
      for (const sub of d.subresources) {
        const entry: Record<string, unknown> = {
          name: `${d.resource}/${sub.name}`,
          singularName: '',
          namespaced: d.namespaced,
          kind: sub.kind,
          verbs: sub.verbs,
        };
        if (sub.group !== undefined) entry.group = sub.group;
        if (sub.version !== undefined) entry.version = sub.version;
        resources.push(entry);
      }
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
  }

  private groups(): Array<{ group: string; versions: string[] }> {
    return this.scheme
      .groupVersions()
      .filter((g) => g.group !== '')
      .map((g) => ({ group: g.group, versions: g.versions }));
  }

  private apiGroupBody(group: string, versions: string[]) {
    const gvs = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
    return { name: group, versions: gvs, preferredVersion: gvs[0] };
  }
}

function resourceEntry(d: ResourceDefinition): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    name: d.resource,
    singularName: d.singular,
    namespaced: d.namespaced,
    kind: d.kind,
    verbs: d.verbs,
  };
  if (d.shortNames.length) entry.shortNames = d.shortNames;
  if (d.categories.length) entry.categories = d.categories;
  return entry;
}
