import type { Condition, Namespace } from '@logbook/api';
import { isConflict, isNotFound } from '@logbook/machinery';
import { kinds, Reconciler, ReconcileContext, Request, Result } from '@logbook/sdk';
import { deleteAllContent } from './namespaced-content';
import { setDeletionConditions } from './namespace-conditions';

/** The finalizer (in spec.finalizers) the namespace controller owns. */
export const KUBERNETES_FINALIZER = 'kubernetes';

/**
 * Deletes what a deleted namespace holds, then lets the namespace go
 * (Kubernetes' namespace controller):
 *
 * 1. a namespace with a deletionTimestamp and `kubernetes` in
 *    spec.finalizers is Terminating (the apiserver refuses new content);
 * 2. every object of every namespaced resource the server serves
 *    (discovery, custom resources included) is deleted, in the background;
 * 3. the deletion conditions say what is left and what holds it
 *    (NamespaceContentRemaining, NamespaceFinalizersRemaining, ...);
 * 4. once it is empty, `kubernetes` is removed through
 *    `PUT /api/v1/namespaces/{name}/finalize`, and the apiserver deletes the
 *    namespace.
 *
 * Until then it looks again: when pods' grace periods are due, else every
 * second.
 */
@Reconciler({
  name: 'namespace-controller',
  for: { kind: kinds.Namespace, predicates: [(e) => !!e.object.metadata?.deletionTimestamp] },
  maxConcurrentReconciles: 5,
})
export class NamespaceReconciler implements Reconciler {
  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const ns = await ctx.cache.get(kinds.Namespace, req);
    if (!ns?.metadata?.deletionTimestamp) return {};
    if (!(ns.spec?.finalizers ?? []).includes(KUBERNETES_FINALIZER)) return {};

    const report = await deleteAllContent(ctx.client, req.name);
    const current = await this.writeConditions(ctx, ns, report);
    if (!current) return {};
    if (report.discoveryFailures.length || report.deleteFailures.length) {
      throw new Error(`namespace ${req.name}: ${[...report.discoveryFailures.map((g) => `discovery of ${g} failed`), ...report.deleteFailures].join('; ')}`);
    }
    if (report.remaining.size) {
      ctx.log.log(`namespace ${req.name}: waiting for ${[...report.remaining].map(([r, n]) => `${n} ${r}`).join(', ')}`);
      return { requeueAfter: report.estimateSeconds > 0 ? report.estimateSeconds * 1000 + 200 : 1000 };
    }
    await this.finalize(ctx, current);
    ctx.log.log(`namespace ${req.name}: empty, finalized`);
    return {};
  }

  /** Writes the deletion conditions (and phase Terminating) if they changed; undefined if the namespace is gone. */
  private async writeConditions(ctx: ReconcileContext, ns: Namespace, report: Parameters<typeof setDeletionConditions>[1]): Promise<Namespace | undefined> {
    let current: Namespace = ns;
    for (let attempt = 0; ; attempt++) {
      const conditions = structuredClone((current.status?.conditions ?? []) as Condition[]);
      const changed = setDeletionConditions(conditions, report);
      if (!changed && current.status?.phase === 'Terminating') return current;
      try {
        return await ctx.client.updateStatus(kinds.Namespace, { ...current, status: { ...current.status, phase: 'Terminating', conditions } });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        if (!isConflict(err) || attempt >= 2) throw err;
        current = await ctx.client.get(kinds.Namespace, { name: ns.metadata!.name! });
      }
    }
  }

  /** Removes `kubernetes` from spec.finalizers through the finalize subresource. */
  private async finalize(ctx: ReconcileContext, ns: Namespace): Promise<void> {
    let current = ns;
    for (let attempt = 0; ; attempt++) {
      const finalizers = (current.spec?.finalizers ?? []).filter((f) => f !== KUBERNETES_FINALIZER);
      try {
        await ctx.client.updateSubresource(kinds.Namespace, { ...current, spec: { ...current.spec, finalizers } }, 'finalize');
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt >= 2) throw err;
        current = await ctx.client.get(kinds.Namespace, { name: ns.metadata!.name! });
        if (!(current.spec?.finalizers ?? []).includes(KUBERNETES_FINALIZER)) return;
      }
    }
  }
}
