/**
 * Storage object in use protection (Kubernetes' pvc-protection and
 * pv-protection controllers, and the finalizers its admission plugin adds):
 *
 * - every PersistentVolumeClaim carries `kubernetes.io/pvc-protection`;
 *   a claim being deleted keeps it while a pod that has not finished mounts
 *   the claim, so `kubectl delete pvc` of a claim in use leaves it
 *   Terminating until its pods are gone — the data is never pulled from
 *   under a running pod;
 * - every PersistentVolume carries `kubernetes.io/pv-protection`; a volume
 *   being deleted keeps it while it is Bound.
 *
 * Logbook has no admission plugin, so the finalizers are added here (kube's
 * controllers add missing ones too).
 */
import type { Pod } from '@logbook/api';
import { isConflict, isNotFound } from '@logbook/machinery';
import { hasFinalizer, kinds, KubeObject, patchFinalizers, ReconcileContext, Reconciler, Request, ResourceKind, Result } from '@logbook/sdk';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

const claimsOf = (pod: Pod): string[] => (pod.spec?.volumes ?? []).filter((v) => v.persistentVolumeClaim).map((v) => v.persistentVolumeClaim!.claimName);
/**
 * A pod that finished, or whose deletion the kubelet completed (deletion
 * grace period 0: its volumes are down, it only waits for finalizers), no
 * longer holds its claims (kube's podIsShutDown).
 */
const shutDown = (pod: Pod) =>
  pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed' || (!!pod.metadata?.deletionTimestamp && pod.metadata?.deletionGracePeriodSeconds === 0);
const holds = (pod: Pod, claim: string) => !shutDown(pod) && claimsOf(pod).includes(claim);

/** Adds or removes the finalizer; a conflict is retried, a vanished object needs nothing. */
async function setFinalizer<T extends KubeObject>(ctx: ReconcileContext, kind: ResourceKind<T>, obj: T, finalizer: string, present: boolean): Promise<Result> {
  const current = obj.metadata?.finalizers ?? [];
  const next = present ? [...current, finalizer] : current.filter((f) => f !== finalizer);
  try {
    await patchFinalizers(ctx.client, kind, obj, next);
  } catch (err) {
    if (isConflict(err)) return { requeue: true };
    if (!isNotFound(err)) throw err;
  }
  return {};
}

@Reconciler({
  name: 'pvc-protection',
  for: kinds.PersistentVolumeClaim,
  // A pod going away (or finishing) may free the claims it mounted.
  watches: [{ kind: kinds.Pod, map: (pod) => claimsOf(pod as Pod).map((name) => ({ namespace: pod.metadata?.namespace ?? '', name })) }],
  maxConcurrentReconciles: 2,
})
export class PvcProtectionReconciler implements Reconciler {
  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const claim = await ctx.cache.get(kinds.PersistentVolumeClaim, req);
    if (!claim) return {};
    const protectedNow = hasFinalizer(claim, PVC_PROTECTION_FINALIZER);
    if (!claim.metadata?.deletionTimestamp) {
      return protectedNow ? {} : setFinalizer(ctx, kinds.PersistentVolumeClaim, claim, PVC_PROTECTION_FINALIZER, true);
    }
    if (!protectedNow) return {};
    const cached = await ctx.cache.list(kinds.Pod, { namespace: req.namespace });
    if (cached.some((p) => holds(p, req.name))) return {};
    // The cache may lag a pod just created: ask the API server before letting go (as kube's askAPIServer).
    const live = await ctx.client.list(kinds.Pod, { namespace: req.namespace });
    if (live.items.some((p) => holds(p, req.name))) return {};
    return setFinalizer(ctx, kinds.PersistentVolumeClaim, claim, PVC_PROTECTION_FINALIZER, false);
  }
}

@Reconciler({ name: 'pv-protection', for: kinds.PersistentVolume, maxConcurrentReconciles: 2 })
export class PvProtectionReconciler implements Reconciler {
  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const pv = await ctx.cache.get(kinds.PersistentVolume, { name: req.name });
    if (!pv) return {};
    const protectedNow = hasFinalizer(pv, PV_PROTECTION_FINALIZER);
    if (!pv.metadata?.deletionTimestamp) {
      return protectedNow ? {} : setFinalizer(ctx, kinds.PersistentVolume, pv, PV_PROTECTION_FINALIZER, true);
    }
    if (!protectedNow || pv.status?.phase === 'Bound') return {};
    return setFinalizer(ctx, kinds.PersistentVolume, pv, PV_PROTECTION_FINALIZER, false);
  }
}
