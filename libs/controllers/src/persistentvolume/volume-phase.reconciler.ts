/**
 * The volume side of the PersistentVolume controller (Kubernetes'
 * pv_controller syncVolume), for one PersistentVolume:
 *
 * - no claimRef, or a claimRef without uid (pre-bound, waiting for its
 *   claim): Available;
 * - bound to a claim that exists and names it: Bound;
 * - bound to a claim that is gone (or was replaced: another uid):
 *   Released, then the reclaim policy: Retain keeps it Released (an
 *   administrator decides); Delete is the provisioner's job for a volume
 *   it made (`pv.kubernetes.io/provisioned-by`: the hostPath provisioner
 *   removes the directory and the object), and fails a static volume (no
 *   deleter plugin, as in a cluster without kube's hostPath deleter);
 *   Recycle is not supported (Failed, as Kubernetes deprecated it).
 */
import type { PersistentVolume } from '@logbook/api';
import { isConflict, isNotFound } from '@logbook/machinery';
import { ANN_PROVISIONED_BY } from './volume-matching';
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
    // A volume being deleted still follows its claim (pv-protection lets it go once it is no longer Bound).
    if (!pv) return {};
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
    // Its claim is gone: released, then (once the volume says Released: its update brings it back) reclaimed.
    if (pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed') {
      await this.setPhase(ctx, pv, 'Released');
      return {};
    }
    if (pv.metadata?.deletionTimestamp) return {};
    switch (pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain') {
      case 'Delete': {
        // A provisioned volume is deleted by its provisioner (Logbook's hostPath provisioner removes the
        // directory, then the object). A static one would need an in-tree deleter plugin; as in a cluster
        // without one (kube's hostPath deleter is off by default), the volume fails.
        if (pv.metadata?.annotations?.[ANN_PROVISIONED_BY]) break;
        const message = `error getting deleter volume plugin for volume "${req.name}": no deletable volume plugin matched`;
        if (pv.status?.phase === 'Failed') break;
        void ctx.recorder.event(pv, 'Warning', 'VolumeFailedDelete', message);
        await this.setPhase(ctx, pv, 'Failed', message);
        break;
      }
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
