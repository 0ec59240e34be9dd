import type { Condition, Deployment } from '@logbook/api';
import { ReconcileContext, Reconciler, Request, Result, kinds, reconcileWithFinalizer, setCondition } from '@logbook/sdk';
import { desiredConfigMap, desiredDeployment, desiredService } from './resources';
import { WEBSITE_FINALIZER, Website, websites } from './website';

/**
 * Makes each Website's Deployment, ConfigMap and Service match it, and
 * reports how it is doing in `status`. Level-based: whatever changed (the
 * Website, or anything it owns), the whole desired state is applied again
 * with server-side apply, which changes nothing when nothing differs.
 *
 * Deletion goes through a finalizer: the owned objects would go anyway
 * (they carry controller ownerReferences, and the garbage collector follows
 * them), but the finalizer is where an operator says goodbye to anything
 * outside the cluster — here, an Event recording that the site was taken down.
 */
@Reconciler({ for: websites, owns: [kinds.Deployment, kinds.ConfigMap, kinds.Service], maxConcurrentReconciles: 2 })
export class WebsiteReconciler implements Reconciler {
  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result | void> {
    const site = await ctx.cache.get(websites, req);
    if (!site) return; // gone: nothing of ours is left to manage
    return reconcileWithFinalizer(ctx.client, websites, structuredClone(site), WEBSITE_FINALIZER, {
      apply: (s) => this.publish(s, ctx),
      cleanup: async (s) => {
        await ctx.recorder.event(s, 'Normal', 'TakenDown', `website ${s.metadata.name} is being deleted`);
      },
    });
  }

  private async publish(site: Website, ctx: ReconcileContext): Promise<void> {
    const apply = { fieldManager: ctx.controller, force: true };
    if (site.spec.html !== undefined) await ctx.client.apply(kinds.ConfigMap, desiredConfigMap(site), apply);
    const deployment: Deployment = await ctx.client.apply(kinds.Deployment, desiredDeployment(site), apply);
    await ctx.client.apply(kinds.Service, desiredService(site), apply);
    await this.reportStatus(site, deployment, ctx);
  }

  private async reportStatus(site: Website, deployment: Deployment, ctx: ReconcileContext): Promise<void> {
    const want = site.spec.replicas ?? 1;
    const available = deployment.status?.availableReplicas ?? 0;
    const conditions = structuredClone(site.status?.conditions ?? []) as Condition[];
    const ready = available >= want;
    let changed = setCondition(conditions, {
      type: 'Ready',
      status: ready ? 'True' : 'False',
      reason: ready ? 'Available' : 'Progressing',
      message: `${available} of ${want} replicas available`,
      observedGeneration: site.metadata.generation,
    });
    const url = `http://${site.metadata.name}.${site.metadata.namespace}.svc.cluster.local`;
    changed = changed || site.status?.availableReplicas !== available || site.status?.url !== url;
    if (!changed) return;
    await ctx.client.patchStatus(
      websites,
      { namespace: site.metadata.namespace, name: site.metadata.name! },
      { status: { availableReplicas: available, url, conditions } },
      { type: 'merge' },
    );
  }
}
