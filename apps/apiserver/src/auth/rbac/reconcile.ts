import { randomUUID } from 'crypto';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Scheme } from '@logbook/api';
import { ApiError } from '@logbook/machinery';
import type { RequestContext, UserInfo } from '../../storage/context';
import type { Obj, ResourceStore } from '../../storage/resource-store';
import { AUTOUPDATE_ANNOTATION, bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap-policy';

const RECONCILER: UserInfo = { username: 'system:apiserver', groups: ['system:masters'] };

/**
 * Reconciles the bootstrap policy at start, as kube-apiserver's
 * rbac/bootstrap-roles post-start hook: a missing role or binding is
 * created; one that exists and still carries
 * `rbac.authorization.kubernetes.io/autoupdate: "true"` gets the rules,
 * subjects, labels and annotations it lacks (nothing is taken away, so
 * additions by the cluster's admins stay); one whose annotation was set to
 * "false" is left alone. Aggregated roles get their aggregationRule; their
 * rules are the aggregation controller's.
 */
export async function reconcileBootstrapPolicy(scheme: Scheme, store: ResourceStore): Promise<{ created: number; updated: number }> {
  const roles = scheme.byGroupVersionResource('rbac.authorization.k8s.io', 'v1', 'clusterroles')!;
  const bindings = scheme.byGroupVersionResource('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings')!;
  const ctx = (verb: string): RequestContext => ({ user: RECONCILER, verb, requestId: randomUUID(), dryRun: false, fieldManager: 'kube-apiserver' });
  const counts = { created: 0, updated: 0 };
  const ensure = async (def: typeof roles, wanted: Obj, merge: (current: Obj) => Obj | undefined) => {
    const name = wanted.metadata.name as string;
    const existing = await store.tryGet(def, '', name);
    try {
      if (!existing) {
        await store.create(def, '', wanted, ctx('create'));
        counts.created++;
        return;
      }
      if ((existing.object.metadata.annotations as Record<string, string> | undefined)?.[AUTOUPDATE_ANNOTATION] === 'false') return;
      const next = merge(structuredClone(existing.object));
      if (!next) return;
      await store.modify(def, '', name, ctx('update'), () => next);
      counts.updated++;
    } catch (err) {
      // Another replica got there first; its result is as good as ours.
      if (!(err instanceof ApiError && (err.reason === 'AlreadyExists' || err.reason === 'Conflict'))) throw err;
    }
  };
  // All at once: the event log's group commit writes them in a few transactions.
  const pending: Array<Promise<void>> = [];
  for (const role of bootstrapClusterRoles()) {
    pending.push(ensure(roles, role as unknown as Obj, (current) => {
      const merged = mergeMeta(current, role as unknown as Obj);
      let changed = merged.changed;
      const cur = current as unknown as ClusterRole;
      if (role.aggregationRule) {
        if (JSON.stringify(cur.aggregationRule) !== JSON.stringify(role.aggregationRule)) {
          cur.aggregationRule = role.aggregationRule;
          changed = true;
        }
      } else {
        const missing = (role.rules ?? []).filter((r) => !(cur.rules ?? []).some((c) => sameRule(c, r)));
        if (missing.length) {
          cur.rules = [...(cur.rules ?? []), ...missing];
          changed = true;
        }
      }
      return changed ? current : undefined;
    }));
  }
  for (const binding of bootstrapClusterRoleBindings()) {
    pending.push(ensure(bindings, binding as unknown as Obj, (current) => {
      const merged = mergeMeta(current, binding as unknown as Obj);
      const cur = current as unknown as ClusterRoleBinding;
      const missing = (binding.subjects ?? []).filter((s) => !(cur.subjects ?? []).some((c) => c.kind === s.kind && c.name === s.name && (c.namespace ?? '') === (s.namespace ?? '')));
      if (missing.length) cur.subjects = [...(cur.subjects ?? []), ...missing];
      return merged.changed || missing.length ? current : undefined;
    }));
  }
  await Promise.all(pending);
  return counts;
}

function mergeMeta(current: Obj, wanted: Obj): { changed: boolean } {
  let changed = false;
  for (const field of ['labels', 'annotations'] as const) {
    const want = (wanted.metadata[field] ?? {}) as Record<string, string>;
    const have = (current.metadata[field] ?? {}) as Record<string, string>;
    for (const [k, v] of Object.entries(want)) {
      if (have[k] === undefined) {
        have[k] = v;
        changed = true;
      }
    }
    current.metadata[field] = have;
  }
  return { changed };
}

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean =>
  (a ?? []).length === (b ?? []).length && (a ?? []).every((x, i) => x === (b ?? [])[i]);

function sameRule(a: PolicyRule, b: PolicyRule): boolean {
  return sameList(a.verbs, b.verbs) && sameList(a.apiGroups, b.apiGroups) && sameList(a.resources, b.resources) && sameList(a.resourceNames, b.resourceNames) && sameList(a.nonResourceURLs, b.nonResourceURLs);
}
