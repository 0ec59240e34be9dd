import type { ClusterRole, PolicyRule } from '@logbook/api';
import { labelSelectorMatches, semanticEqual } from '@logbook/api';
import { isConflict, isNotFound } from '@logbook/machinery';
import { kindOf, KubeObject, ReconcileContext, Reconciler, Request, Result, WatchMapContext } from '@logbook/sdk';

export const clusterRoles = kindOf<ClusterRole>('rbac.authorization.k8s.io/v1', 'ClusterRole');

/** Every aggregated ClusterRole: any ClusterRole's change (its labels, its rules) may change what they gather. */
function aggregatedRoles(_changed: KubeObject, ctx: WatchMapContext): Request[] {
  return ctx
    .lister(clusterRoles)
    .list()
    .filter((r) => r.aggregationRule)
    .map((r) => ({ namespace: '', name: r.metadata!.name! }));
}

/** The rules an aggregated role should hold: those of every other ClusterRole its selectors match, by name, without repeats. */
export function aggregateRules(role: ClusterRole, all: readonly ClusterRole[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const selector of role.aggregationRule?.clusterRoleSelectors ?? []) {
    const matched = all
      .filter((r) => r.metadata?.name !== role.metadata?.name && labelSelectorMatches(selector, r.metadata?.labels ?? {}))
      .sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
    for (const r of matched) for (const rule of r.rules ?? []) if (!out.some((x) => semanticEqual(x, rule))) out.push(rule);
  }
  return out;
}

/**
 * kube's ClusterRole aggregation controller: a ClusterRole with an
 * aggregationRule (admin, edit, view, or one of the cluster's own) holds
 * the union of the rules of the ClusterRoles its label selectors match, so
 * that labelling a role `rbac.authorization.k8s.io/aggregate-to-view:
 * "true"` extends `view`. Whenever any ClusterRole changes, every
 * aggregated one is recomputed; `rules` is written only when it differs.
 */
@Reconciler({
  name: 'clusterrole-aggregation-controller',
  for: clusterRoles,
  watches: [{ kind: clusterRoles, map: aggregatedRoles }],
  maxConcurrentReconciles: 1,
})
export class ClusterRoleAggregationReconciler implements Reconciler {
  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const role = await ctx.cache.get(clusterRoles, req);
    if (!role?.aggregationRule) return {};
    const rules = aggregateRules(role, await ctx.cache.list(clusterRoles));
    if (semanticEqual(rules, role.rules ?? [])) return {};
    try {
      await ctx.client.update(clusterRoles, { ...role, rules });
      ctx.log.log(`${req.name}: ${rules.length} rules aggregated`);
    } catch (err) {
      // Another change to the role came first: its event queues this again.
      if (isConflict(err)) return { requeue: true };
      if (!isNotFound(err)) throw err;
    }
    return {};
  }
}
