import { isConflict, isMethodNotSupported, isNotFound } from '@logbook/machinery';
import type { DiscoveredResource, KubeClient, KubeObject, ResourceKind } from '@logbook/sdk';

/** What deleting a namespace's content found. */
export interface ContentReport {
  /** Group/versions discovery could not read: their content may remain unseen. */
  discoveryFailures: string[];
  /** Deletes (or lists) that failed, as messages. */
  deleteFailures: string[];
  /** Objects still there, by resource (`pods.`, `widgets.example.com`). */
  remaining: Map<string, number>;
  /** Finalizers holding remaining objects, and how many objects each holds. */
  finalizers: Map<string, number>;
  /** Seconds until pods still terminating are due to be gone (0 if none). */
  estimateSeconds: number;
}

const resourceName = (k: ResourceKind<unknown>) => `${k.plural}.${k.group}`;

/** Namespaced resources whose objects can be listed and deleted. */
export function deletableNamespacedResources(resources: readonly DiscoveredResource[]): DiscoveredResource[] {
  return resources.filter((r) => r.kind.namespaced && r.verbs.includes('list') && r.verbs.includes('delete'));
}

/**
 * Deletes every object of every namespaced resource in `namespace`
 * (Kubernetes' namespacedResourcesDeleter.deleteAllContent), in the
 * background (dependents are the garbage collector's), and reports what
 * is left: objects, their finalizers, and how long pods still need.
 */
export async function deleteAllContent(client: KubeClient, namespace: string, opts: { concurrency?: number; now?: number } = {}): Promise<ContentReport> {
  const now = opts.now ?? Date.now();
  const { resources, failedGroupVersions } = await client.discover();
  const report: ContentReport = {
    discoveryFailures: failedGroupVersions.map((f) => f.groupVersion),
    deleteFailures: [],
    remaining: new Map(),
    finalizers: new Map(),
    estimateSeconds: 0,
  };
  await Promise.all(
    deletableNamespacedResources(resources).map(async (r) => {
      const kind = r.kind as ResourceKind<KubeObject>;
      let items: KubeObject[];
      try {
        items = (await client.list(kind, { namespace })).items;
      } catch (err) {
        if (!isNotFound(err) && !isMethodNotSupported(err)) report.deleteFailures.push(`${resourceName(kind)}: ${(err as Error).message}`);
        return;
      }
      if (!items.length) return;
      await eachLimited(items, opts.concurrency ?? 16, async (o) => {
        if (o.metadata?.deletionTimestamp) return;
        try {
          await client.delete(kind, { namespace, name: o.metadata!.name! }, { propagationPolicy: 'Background', preconditions: { uid: o.metadata?.uid } });
        } catch (err) {
          if (!isNotFound(err) && !isConflict(err)) report.deleteFailures.push(`${resourceName(kind)} ${o.metadata?.name}: ${(err as Error).message}`);
        }
      });
      // What is left after the deletes: held by finalizers or a grace period.
      let left: KubeObject[];
      try {
        left = (await client.list(kind, { namespace })).items;
      } catch (err) {
        report.deleteFailures.push(`${resourceName(kind)}: ${(err as Error).message}`);
        return;
      }
      if (!left.length) return;
      report.remaining.set(resourceName(kind), left.length);
      for (const o of left) {
        for (const f of o.metadata?.finalizers ?? []) report.finalizers.set(f, (report.finalizers.get(f) ?? 0) + 1);
        if (kind.group === '' && kind.plural === 'pods' && o.metadata?.deletionTimestamp) {
          const due = (Date.parse(o.metadata.deletionTimestamp) - now) / 1000;
          report.estimateSeconds = Math.max(report.estimateSeconds, Math.ceil(due));
        }
      }
    }),
  );
  return report;
}

async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}
