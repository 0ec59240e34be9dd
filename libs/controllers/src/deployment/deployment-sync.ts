/**
 * One sync of one Deployment: what every step of it (sync.ts, rolling.ts,
 * recreate.ts, rollback.ts, progress.ts) shares — the reconcile's client and
 * event recorder, a private copy of the Deployment that follows this sync's
 * own writes, the ReplicaSets it controls (kept current as it writes them),
 * and the clock. Kubernetes keeps these on the DeploymentController and
 * passes the Deployment along; here they live for one reconcile only.
 */
import type { Deployment, Pod, ReplicaSet } from '@logbook/api';
import { kinds, KubeClient, ReconcileContext } from '@logbook/sdk';
import { desiredReplicas, maxSurge, specReplicas } from './deployment-spec';
import { REVISION_ANNOTATION, replicasAnnotationsNeedUpdate, setReplicasAnnotations } from './revisions';

export class DeploymentSync {
  /** This sync's copy of the Deployment: status and annotations change as the sync writes them. */
  d: Deployment;
  /** The ReplicaSets the Deployment controls, as last read or written. */
  replicaSets: ReplicaSet[];

  constructor(
    readonly ctx: ReconcileContext,
    deployment: Deployment,
    replicaSets: readonly ReplicaSet[],
    /** Pods of the Deployment by the uid of the ReplicaSet controlling them (only Recreate needs them). */
    readonly podsByReplicaSet: ReadonlyMap<string, readonly Pod[]>,
    private readonly clock: () => Date,
  ) {
    this.d = structuredClone(deployment);
    this.replicaSets = replicaSets.map((rs) => structuredClone(rs));
  }

  get client(): KubeClient {
    return this.ctx.client;
  }

  now(): Date {
    return this.clock();
  }

  get key(): { namespace: string; name: string } {
    return { namespace: this.d.metadata?.namespace ?? '', name: this.d.metadata?.name ?? '' };
  }

  event(type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    return this.ctx.recorder.event(this.d, type, reason, message);
  }

  /** Replaces the remembered copy of a ReplicaSet (by uid) with a newer one, or adds it. */
  remember(rs: ReplicaSet): ReplicaSet {
    const i = this.replicaSets.findIndex((r) => r.metadata?.uid === rs.metadata?.uid);
    if (i >= 0) this.replicaSets[i] = rs;
    else this.replicaSets.push(rs);
    return rs;
  }

  /** PUT of a ReplicaSet (409 if someone changed it since it was read: the sync is retried). */
  async updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    return this.remember(await this.client.update(kinds.ReplicaSet, rs));
  }

  async createReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    return this.remember(await this.client.create(kinds.ReplicaSet, rs));
  }

  /** Writes `this.d.status` (guarded by its resourceVersion) and keeps what the server returned. */
  async updateStatus(): Promise<void> {
    const stored = await this.client.updateStatus(kinds.Deployment, this.d);
    this.d = { ...stored, status: stored.status ?? this.d.status };
  }

  /**
   * Writes the Deployment's revision annotation. Kubernetes writes it with
   * the status (its Deployment status strategy lets annotations through);
   * Logbook's /status keeps metadata as it was, as metav1's
   * ResetObjectMetaForStatus does, so this is a metadata patch of its own.
   */
  async persistRevisionAnnotation(): Promise<void> {
    const revision = this.d.metadata?.annotations?.[REVISION_ANNOTATION];
    if (revision === undefined) return;
    const generation = this.d.metadata?.generation;
    const stored = await this.client.patch(
      kinds.Deployment,
      this.key,
      { metadata: { resourceVersion: this.d.metadata?.resourceVersion, annotations: { [REVISION_ANNOTATION]: revision } } },
      { type: 'merge' },
    );
    if (stored.metadata?.generation !== generation) {
      throw new Error(`deployment ${this.key.namespace}/${this.key.name} changed while it was being synced; syncing again`);
    }
    this.d = { ...stored, status: this.d.status };
  }

  /**
   * Sets a ReplicaSet's size and its desired/max-replicas annotations
   * (kube's `scaleReplicaSet`); records a ScalingReplicaSet event when the
   * size changed.
   */
  async scaleReplicaSet(rs: ReplicaSet, newScale: number, operation: string): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const oldScale = specReplicas(rs);
    const sizeNeedsUpdate = oldScale !== newScale;
    const desired = desiredReplicas(this.d);
    const max = desired + maxSurge(this.d);
    if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
    const copy = structuredClone(rs);
    (copy.spec ??= {}).replicas = newScale;
    setReplicasAnnotations(copy, desired, max);
    const updated = await this.updateReplicaSet(copy);
    if (sizeNeedsUpdate) {
      void this.event('Normal', 'ScalingReplicaSet', `Scaled ${operation} replica set ${updated.metadata?.name} from ${oldScale} to ${newScale}`);
    }
    return { scaled: sizeNeedsUpdate, rs: updated };
  }

  /** Scales a ReplicaSet if its size differs (kube's `scaleReplicaSetAndRecordEvent`). */
  async scaleReplicaSetAndRecordEvent(rs: ReplicaSet, newScale: number): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    if (specReplicas(rs) === newScale) return { scaled: false, rs };
    return this.scaleReplicaSet(rs, newScale, specReplicas(rs) > newScale ? 'down' : 'up');
  }
}
