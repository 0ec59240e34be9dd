/**
 * The writes a StatefulSet makes for one pod: its claims (created before the
 * pod, never deleted with it), the pod itself, identity fixes, deletion, and
 * claim owner references for the retention policy (Kubernetes'
 * StatefulPodControl). Reads go through the reconcile's cache.
 */
import type { PersistentVolumeClaim, Pod, StatefulSet } from '@logbook/api';
import { isAlreadyExists, isNotFound } from '@logbook/machinery';
import { kinds, ReconcileContext } from '@logbook/sdk';
import { claimOwnerReferences } from './claim-retention';
import { claimsFor, identityMatches, ordinalOf, storageMatches, updateIdentityLabels } from './identity';

/** A claim the pod needs is being deleted (or still owned by an earlier pod): wait for it to go. */
export class StaleClaimError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StaleClaimError';
  }
}

export class StatefulPodControl {
  constructor(private readonly ctx: ReconcileContext) {}

  private async claimsOf(set: StatefulSet, pod: Pod): Promise<Array<{ want: PersistentVolumeClaim; have?: PersistentVolumeClaim }>> {
    const out: Array<{ want: PersistentVolumeClaim; have?: PersistentVolumeClaim }> = [];
    for (const want of claimsFor(set, ordinalOf(pod)).values()) {
      const have = await this.ctx.cache.get(kinds.PersistentVolumeClaim, { namespace: want.metadata!.namespace, name: want.metadata!.name! });
      out.push({ want, have });
    }
    return out;
  }

  /**
   * Creates the pod's claims that do not exist. A claim that is being
   * deleted cannot be used: StaleClaimError, and the set waits.
   */
  async createMissingClaims(set: StatefulSet, pod: Pod): Promise<void> {
    for (const { want, have } of await this.claimsOf(set, pod)) {
      if (have?.metadata?.deletionTimestamp) {
        throw new StaleClaimError(`PersistentVolumeClaim ${want.metadata!.name} of pod ${pod.metadata?.name} is being deleted; waiting for it to go`);
      }
      if (have) continue;
      const refs = claimOwnerReferences(set, pod, want);
      if (refs) want.metadata!.ownerReferences = refs;
      try {
        await this.ctx.client.create(kinds.PersistentVolumeClaim, want);
        this.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${want.metadata!.name} Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name} success`);
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        this.event(set, 'Warning', 'FailedCreate', `create Claim ${want.metadata!.name} for Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name} failed error: ${(err as Error).message}`);
        throw err;
      }
    }
  }

  /**
   * Whether a claim of this (not yet created) pod still belongs to an earlier
   * pod of that name: with whenScaled=Delete, the garbage collector is about
   * to delete it, and the new pod must not start on it.
   */
  async podClaimIsStale(set: StatefulSet, pod: Pod): Promise<boolean> {
    if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled !== 'Delete') return false;
    for (const { have } of await this.claimsOf(set, pod)) {
      if (have?.metadata?.ownerReferences?.some((r) => r.kind === 'Pod' && r.name === pod.metadata?.name && r.uid !== pod.metadata?.uid)) return true;
    }
    return false;
  }

  /** Creates the pod's claims, then the pod. */
  async createPod(set: StatefulSet, pod: Pod): Promise<void> {
    await this.createMissingClaims(set, pod);
    try {
      await this.ctx.client.create(kinds.Pod, pod);
      this.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name} successful`);
    } catch (err) {
      // The cache had not seen a pod of that name yet (or an old one is still going): retried from the next reconcile.
      if (!isAlreadyExists(err)) {
        this.event(set, 'Warning', 'FailedCreate', `create Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name} failed error: ${(err as Error).message}`);
      }
      throw err;
    }
  }

  /** Restores the pod's identity labels and creates claims it lacks (its volumes cannot change in place). */
  async updatePod(set: StatefulSet, pod: Pod): Promise<void> {
    if (!storageMatches(set, pod)) await this.createMissingClaims(set, pod);
    if (identityMatches(set, pod)) return;
    const copy = structuredClone(pod) as Pod;
    updateIdentityLabels(set, copy);
    await this.ctx.client.patch(
      kinds.Pod,
      { namespace: pod.metadata?.namespace, name: pod.metadata!.name! },
      { metadata: { labels: copy.metadata!.labels, resourceVersion: pod.metadata?.resourceVersion } },
      { type: 'merge' },
    );
    this.event(set, 'Normal', 'SuccessfulUpdate', `update Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name} successful`);
  }

  /** Deletes this very pod (uid precondition: never a replacement of the same name). */
  async deletePod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.ctx.client.delete(kinds.Pod, { namespace: pod.metadata?.namespace, name: pod.metadata!.name! }, { preconditions: { uid: pod.metadata?.uid } });
      this.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name} successful`);
    } catch (err) {
      if (isNotFound(err)) return;
      this.event(set, 'Warning', 'FailedDelete', `delete Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name} failed error: ${(err as Error).message}`);
      throw err;
    }
  }

  /** Whether the pod's existing claims carry the owner references the retention policy asks for. */
  async claimsMatchRetentionPolicy(set: StatefulSet, pod: Pod): Promise<boolean> {
    for (const { have } of await this.claimsOf(set, pod)) {
      if (have && claimOwnerReferences(set, pod, have)) return false;
    }
    return true;
  }

  /** Sets the owner references of the pod's claims for the retention policy. */
  async updateClaimsForRetentionPolicy(set: StatefulSet, pod: Pod): Promise<void> {
    for (const { have } of await this.claimsOf(set, pod)) {
      const refs = have && claimOwnerReferences(set, pod, have);
      if (!have || !refs) continue;
      await this.ctx.client.patch(
        kinds.PersistentVolumeClaim,
        { namespace: have.metadata?.namespace, name: have.metadata!.name! },
        { metadata: { ownerReferences: refs, resourceVersion: have.metadata?.resourceVersion } },
        { type: 'merge' },
      );
    }
  }

  private event(set: StatefulSet, type: 'Normal' | 'Warning', reason: string, message: string): void {
    void this.ctx.recorder.event(set, type, reason, message);
  }
}
