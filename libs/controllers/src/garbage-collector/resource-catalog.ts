import type { DiscoveredResource, KubeClient, ResourceKind } from '@logbook/sdk';

/** Resources the garbage collector never watches (Kubernetes' DefaultIgnoredResources: events). */
export const IGNORED_RESOURCES: ReadonlyArray<{ group: string; plural: string }> = [
  { group: '', plural: 'events' },
  { group: 'events.k8s.io', plural: 'events' },
];

/** Whether the collector can watch a resource and delete and patch its objects. */
export function isCollectable(r: DiscoveredResource): boolean {
  const v = new Set(r.verbs);
  if (!v.has('list') || !v.has('watch') || !v.has('delete') || !(v.has('patch') || v.has('update'))) return false;
  return !IGNORED_RESOURCES.some((i) => i.group === r.kind.group && i.plural === r.kind.plural);
}

const groupKind = (group: string, kind: string) => `${group}/${kind}`;

/**
 * What the server serves, as the garbage collector needs it: the kind an
 * ownerReference (apiVersion + kind) names, and every resource it can
 * collect. Refreshed from discovery; custom resources appear once their
 * CRD is served.
 */
export class ResourceCatalog {
  private byGroupKind = new Map<string, DiscoveredResource>();
  private all: readonly DiscoveredResource[] = [];

  constructor(private readonly client: KubeClient) {}

  /** Reads discovery again; resolves with the resources it can collect. */
  async refresh(): Promise<readonly DiscoveredResource[]> {
    const { resources } = await this.client.discover();
    const next = new Map<string, DiscoveredResource>();
    for (const r of resources) next.set(groupKind(r.kind.group, r.kind.kind), r);
    this.byGroupKind = next;
    this.all = resources;
    return this.collectable();
  }

  collectable(): DiscoveredResource[] {
    return this.all.filter(isCollectable);
  }

  /** The kind an owner reference names (any version of its group), if the server serves it. */
  kindFor(apiVersion: string, kind: string): ResourceKind<unknown> | undefined {
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    return this.byGroupKind.get(groupKind(group, kind))?.kind;
  }
}
