/**
 * The volume side of the PersistentVolume controller (Kubernetes'
 * pv_controller syncVolume), for one PersistentVolume:
 *
 * - no claimRef, or a claimRef without uid (pre-bound, waiting for its
 *   claim): Available;
 * - bound to a claim that exists and names it: Bound;
 * - bound to a claim that is gone (or was replaced: another uid):
 *   Released, then the reclaim policy: Retain keeps it Released (an
 *   administrator decides), Delete deletes the PersistentVolume object
 *   (the directory of a hostPath volume stays on the node: Logbook has no
 *   node-side deleter yet), Recycle is not supported (Failed, as Kubernetes
 *   deprecated it).
 */
import type { PersistentVolume } from '@logbook/api';
import { isConflict, isNotFound } from '@logbook/machinery';
import { kinds, KubeObject, ReconcileContext, Reconciler, Request, Result } from '@logbook/sdk';

type Phase = NonNullable<NonNullable<PersistentVolume['status']>['phase']>;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Claims map to the volume they name or that names them. */
const volumeOfClaim = (claim: KubeObject): Request | undefined => {
  const name = (claim as { spec?: { volumeName?: string } }).spec?.volumeName;
  return name ? { namespace: '', name } : undefined;
};

@Reconciler({ name: 'persistentvolume', for: kinds.PersistentVolume, watches: [{ kind: kinds.PersistentVolumeClaim, map: volumeOfClaim }], maxConcurrentReconciles: 2 })
export class VolumePhaseReconciler implements Reconciler {
  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    try {
      return await this.sync(req, ctx);
    } catch (err) {
      // The binder writes the same volumes: a stale read is tried again.
      if (isConflict(err)) return { requeue: true };
      throw err;
    }
  }

  private async sync(req: Request, ctx: ReconcileContext): Promise<Result> {
    const pv = await ctx.cache.get(kinds.PersistentVolume, { name: req.name });
    if (!pv || pv.metadata?.deletionTimestamp) return {};
    const ref = pv.spec?.claimRef;
    if (!ref || !ref.uid) {
      await this.setPhase(ctx, pv, 'Available');
      return {};
    }
    const claim = await ctx.cache.get(kinds.PersistentVolumeClaim, { namespace: ref.namespace, name: ref.name! });
    if (claim && claim.metadata?.uid === ref.uid) {
      // The binder finishes a half-done binding; until then the volume is Bound from the claim's point of view.
      if (!claim.spec?.volumeName || claim.spec.volumeName === pv.metadata?.name) await this.setPhase(ctx, pv, 'Bound');
      return {};
    }
    // Its claim is gone: released, then reclaimed.
    await this.setPhase(ctx, pv, 'Released');
    switch (pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain') {
      case 'Delete':
        try {
          await ctx.client.delete(kinds.PersistentVolume, { name: req.name }, { preconditions: { uid: pv.metadata?.uid } });
          void ctx.recorder.event(pv, 'Normal', 'VolumeDelete', `deleted volume ${req.name} of released claim ${ref.namespace}/${ref.name}`);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        break;
      case 'Recycle':
        await this.setPhase(ctx, pv, 'Failed', 'Recycle is not supported: use dynamic provisioning (reclaim policy Delete) instead');
        break;
      default:
        break;
    }
    return {};
  }

  private async setPhase(ctx: ReconcileContext, pv: PersistentVolume, phase: Phase, message?: string): Promise<void> {
    if (pv.status?.phase === phase) return;
    // A volume that failed to be recycled stays Failed until an administrator steps in.
    if (pv.status?.phase === 'Failed' && phase === 'Released') return;
    try {
      await ctx.client.patchStatus(
        kinds.PersistentVolume,
        { name: pv.metadata!.name! },
        // Guarded by the resourceVersion read: a phase worked out from a stale cache must not overwrite the binder's.
        { metadata: { resourceVersion: pv.metadata?.resourceVersion }, status: { phase, lastPhaseTransitionTime: iso(Date.now()), ...(message ? { message } : { message: null }) } },
        { type: 'merge' },
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
