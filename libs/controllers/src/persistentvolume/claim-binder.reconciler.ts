/**
 * The claim side of the PersistentVolume controller (Kubernetes'
 * pv_controller syncClaim), for one PersistentVolumeClaim:
 *
 * - unbound: bind it to the best matching volume (volume-matching.ts); if
 *   none, and its class has a provisioner, annotate the claim
 *   (`volume.kubernetes.io/storage-provisioner`) and wait for the volume
 *   (ExternalProvisioning; Logbook's hostPath provisioner is one of them,
 *   libs/controllers/src/hostpath-provisioner); no class: Pending with a
 *   FailedBinding event.
 * - a class with volumeBindingMode WaitForFirstConsumer: nothing happens
 *   before a pod using the claim is on a node; then the claim is annotated
 *   `volume.kubernetes.io/selected-node` (kube's scheduler does that) and
 *   binds or is provisioned as above.
 * - binding writes, in Kubernetes' order so a crash half-way is finished
 *   by the next reconcile: the volume's claimRef, the volume's phase Bound,
 *   the claim's volumeName (+ bind-completed annotations), the claim's
 *   phase Bound with its capacity and access modes.
 * - bound: a claim whose volume is gone is Lost.
 *
 * Reconciles run one at a time, so two claims never race for one volume
 * in this process; writes carry resourceVersions against other writers.
 */
import type { PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from '@logbook/api';
import { isConflict, isNotFound } from '@logbook/machinery';
import { kindOf, kinds, KubeObject, ReconcileContext, Reconciler, Request, Result, WatchMapContext } from '@logbook/sdk';
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  claimRefTo,
  findBestMatch,
  isVolumeBoundToClaim,
  NO_PROVISIONER,
  requestedClass,
} from './volume-matching';

export const storageClasses = kindOf<StorageClass>('storage.k8s.io/v1', 'StorageClass');

/** A volume's claim (its claimRef), so a change to the volume re-examines the claim. */
const claimOfVolume = (pv: KubeObject): Request | undefined => {
  const ref = (pv as PersistentVolume).spec?.claimRef;
  return ref?.name ? { namespace: ref.namespace ?? '', name: ref.name } : undefined;
};

/** Pending claims (a new volume or class may let them bind). */
const pendingClaims = (_: KubeObject, ctx: WatchMapContext): Request[] =>
  ctx
    .lister(kinds.PersistentVolumeClaim)
    .list()
    .filter((c) => c.status?.phase !== 'Bound')
    .map((c) => ({ namespace: c.metadata?.namespace ?? '', name: c.metadata!.name! }));

/** The claims a pod mounts (a scheduled consumer lets WaitForFirstConsumer claims bind). */
const claimsOfPod = (pod: Pod): Request[] =>
  (pod.spec?.volumes ?? []).filter((v) => v.persistentVolumeClaim).map((v) => ({ namespace: pod.metadata?.namespace ?? '', name: v.persistentVolumeClaim!.claimName }));

/** The node of a running (or about to run) pod that mounts the claim. */
async function consumerNode(ctx: ReconcileContext, claim: PersistentVolumeClaim): Promise<string | undefined> {
  const pods = await ctx.cache.list(kinds.Pod, { namespace: claim.metadata?.namespace });
  const consumer = pods.find(
    (p) =>
      p.spec?.nodeName &&
      !p.metadata?.deletionTimestamp &&
      p.status?.phase !== 'Succeeded' &&
      p.status?.phase !== 'Failed' &&
      claimsOfPod(p).some((r) => r.name === claim.metadata?.name),
  );
  return consumer?.spec?.nodeName;
}

@Reconciler({
  name: 'persistentvolume-binder',
  for: kinds.PersistentVolumeClaim,
  watches: [
    { kind: kinds.PersistentVolume, map: (pv, ctx) => claimOfVolume(pv) ?? pendingClaims(pv, ctx) },
    { kind: storageClasses, map: pendingClaims },
    { kind: kinds.Pod, map: (pod) => claimsOfPod(pod as Pod) },
  ],
  maxConcurrentReconciles: 1,
})
export class ClaimBinderReconciler implements Reconciler {
  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    try {
      return await this.sync(req, ctx);
    } catch (err) {
      // Another writer (the volume phase controller, a user) got there first: read again and retry.
      if (isConflict(err)) return { requeue: true };
      throw err;
    }
  }

  private async sync(req: Request, ctx: ReconcileContext): Promise<Result> {
    const claim = await ctx.cache.get(kinds.PersistentVolumeClaim, req);
    if (!claim || claim.metadata?.deletionTimestamp) return {};
    const volumes = await ctx.cache.list(kinds.PersistentVolume);

    if (claim.spec?.volumeName) {
      const pv = volumes.find((v) => v.metadata?.name === claim.spec!.volumeName);
      if (!pv) {
        if (claim.status?.phase === 'Bound' || claim.metadata?.annotations?.[ANN_BIND_COMPLETED] === 'yes') {
          await this.setClaimStatus(ctx, claim, { phase: 'Lost' });
          void ctx.recorder.event(claim, 'Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
        } else {
          await this.setClaimStatus(ctx, claim, { phase: 'Pending' });
          void ctx.recorder.event(claim, 'Normal', 'FailedBinding', `volume "${claim.spec.volumeName}" not found`);
        }
        return {};
      }
      if (pv.spec?.claimRef && !isVolumeBoundToClaim(pv, claim)) {
        await this.setClaimStatus(ctx, claim, { phase: 'Pending' });
        void ctx.recorder.event(claim, 'Warning', 'FailedBinding', `volume "${pv.metadata?.name}" already bound to a different claim.`);
        return {};
      }
      await this.bind(ctx, pv, claim);
      return {};
    }

    const classes = await ctx.cache.list(storageClasses);
    const className = requestedClass(claim, classes);
    const sc = className ? classes.find((c) => c.metadata?.name === className) : undefined;
    // WaitForFirstConsumer: nothing binds before a pod using the claim has a node (kube's scheduler chooses it; here the first consumer's node).
    if (sc?.volumeBindingMode === 'WaitForFirstConsumer' && !claim.metadata?.annotations?.[ANN_SELECTED_NODE]) {
      const node = await consumerNode(ctx, claim);
      if (!node) {
        await this.setClaimStatus(ctx, claim, { phase: 'Pending' });
        void ctx.recorder.event(claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
        return {};
      }
      await ctx.client.patch(
        kinds.PersistentVolumeClaim,
        { namespace: claim.metadata?.namespace, name: claim.metadata!.name! },
        { metadata: { resourceVersion: claim.metadata?.resourceVersion, annotations: { [ANN_SELECTED_NODE]: node } } },
        { type: 'merge' },
      );
      return {};
    }
    const match = findBestMatch(claim, volumes, className);
    if (match) {
      await this.bind(ctx, match, claim);
      return {};
    }
    await this.setClaimStatus(ctx, claim, { phase: 'Pending' });
    if (!className) {
      void ctx.recorder.event(claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
    } else if (!sc) {
      void ctx.recorder.event(claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
    } else if (sc.provisioner === NO_PROVISIONER) {
      void ctx.recorder.event(claim, 'Warning', 'ProvisioningFailed', `no volume plugin matched name: ${NO_PROVISIONER}`);
    } else {
      // Every provisioner is external to this controller (Logbook's hostPath one included): it sees the annotation and creates a volume.
      await this.annotateProvisioner(ctx, claim, sc.provisioner);
      void ctx.recorder.event(
        claim,
        'Normal',
        'ExternalProvisioning',
        `Waiting for a volume to be created either by the external provisioner '${sc.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
      );
    }
    return {};
  }

  private async bind(ctx: ReconcileContext, pv: PersistentVolume, claim: PersistentVolumeClaim): Promise<void> {
    let volume = pv;
    // 1. The volume's claimRef (with this claim's uid).
    if (!isVolumeBoundToClaim(volume, claim) || !volume.spec?.claimRef?.uid) {
      volume = await ctx.client.patch(
        kinds.PersistentVolume,
        { name: pv.metadata!.name! },
        {
          metadata: { resourceVersion: pv.metadata?.resourceVersion, annotations: { [ANN_BOUND_BY_CONTROLLER]: 'yes' } },
          spec: { claimRef: claimRefTo(claim) },
        },
        { type: 'merge' },
      );
    }
    // 2. The volume's phase.
    if (volume.status?.phase !== 'Bound') {
      volume = await ctx.client.patchStatus(
        kinds.PersistentVolume,
        { name: pv.metadata!.name! },
        { metadata: { resourceVersion: volume.metadata?.resourceVersion }, status: { phase: 'Bound' } },
        { type: 'merge' },
      );
    }
    // 3. The claim's volumeName.
    let bound = claim;
    const annotations = claim.metadata?.annotations ?? {};
    if (claim.spec?.volumeName !== pv.metadata?.name || annotations[ANN_BIND_COMPLETED] !== 'yes') {
      bound = await ctx.client.patch(
        kinds.PersistentVolumeClaim,
        { namespace: claim.metadata?.namespace, name: claim.metadata!.name! },
        {
          metadata: {
            resourceVersion: claim.metadata?.resourceVersion,
            annotations: { [ANN_BIND_COMPLETED]: 'yes', ...(claim.spec?.volumeName ? {} : { [ANN_BOUND_BY_CONTROLLER]: 'yes' }) },
          },
          spec: { volumeName: pv.metadata!.name },
        },
        { type: 'merge' },
      );
    }
    // 4. The claim's status.
    const wasBound = claim.status?.phase === 'Bound';
    await this.setClaimStatus(ctx, bound, { phase: 'Bound', accessModes: volume.spec?.accessModes, capacity: volume.spec?.capacity });
    if (!wasBound) {
      void ctx.recorder.event(bound, 'Normal', 'Bound', `Successfully bound to PersistentVolume ${pv.metadata?.name}`);
    }
  }

  private async annotateProvisioner(ctx: ReconcileContext, claim: PersistentVolumeClaim, provisioner: string): Promise<void> {
    if (claim.metadata?.annotations?.[ANN_STORAGE_PROVISIONER] === provisioner) return;
    await ctx.client.patch(
      kinds.PersistentVolumeClaim,
      { namespace: claim.metadata?.namespace, name: claim.metadata!.name! },
      { metadata: { annotations: { [ANN_STORAGE_PROVISIONER]: provisioner, [ANN_BETA_STORAGE_PROVISIONER]: provisioner } } },
      { type: 'merge' },
    );
  }

  private async setClaimStatus(ctx: ReconcileContext, claim: PersistentVolumeClaim, status: NonNullable<PersistentVolumeClaim['status']>): Promise<void> {
    const cur = claim.status ?? {};
    const same =
      cur.phase === status.phase &&
      JSON.stringify(cur.accessModes ?? null) === JSON.stringify(status.accessModes ?? cur.accessModes ?? null) &&
      JSON.stringify(cur.capacity ?? null) === JSON.stringify(status.capacity ?? cur.capacity ?? null);
    if (same) return;
    try {
      await ctx.client.patchStatus(kinds.PersistentVolumeClaim, { namespace: claim.metadata?.namespace, name: claim.metadata!.name! }, { status }, { type: 'merge' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
