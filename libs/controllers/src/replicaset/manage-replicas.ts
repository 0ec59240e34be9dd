import type { Pod } from '@logbook/api';
import { isConflict, isForbidden, isNotFound } from '@logbook/machinery';
import { kinds, KubeObject, Lister, ReconcileContext, CONTROLLER_UID_INDEX, controllerReferenceOf } from '@logbook/sdk';
import { ControllerExpectations, controllerRefFor, podFromTemplate, podsToDelete, slowStartBatch } from '../shared';
import type { ReplicaSetKind } from './replica-set-kind';
import { ManageReplicasError } from './replica-set-status';

/**
 * At most this many pods are created or deleted by one sync (Kubernetes'
 * BurstReplicas); the rest follow once those are observed.
 */
export const BURST_REPLICAS = 500;

export const podKey = (p: KubeObject) => `${p.metadata?.namespace}/${p.metadata?.name}`;
export const objectKey = (o: KubeObject) => (o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : (o.metadata?.name ?? ''));

/** The apiserver refuses new objects in a namespace being deleted; creating then is pointless, not an error. */
const namespaceTerminating = (err: unknown) => isForbidden(err) && /being terminated/.test((err as Error).message);

export interface ManageReplicasDeps<T extends KubeObject> {
  k: ReplicaSetKind<T>;
  expectations: ControllerExpectations;
  ctx: ReconcileContext;
  /** The owner's kind's cache: to find sibling replica sets (one Deployment's) and rank by their pods too. */
  owners: Lister<T>;
  pods: Lister<Pod>;
}

/**
 * Creates or deletes pods so that `pods` (the active pods `rs` controls)
 * become `replicas` (Kubernetes' manageReplicas):
 *
 * - too few: expect the creations, then create from the template in
 *   slow-start batches (1, 2, 4, ...), stopping at the first batch with a
 *   failure; creations never attempted or failed are un-expected;
 * - too many: pick the pods to delete first (unscheduled, pending, not
 *   ready, ..., see `podsToDelete`), expect their deletions, delete them.
 *
 * Throws ManageReplicasError when a create or delete failed.
 */
export async function manageReplicas<T extends KubeObject>(deps: ManageReplicasDeps<T>, rs: T, pods: readonly Pod[]): Promise<void> {
  const { k, expectations, ctx } = deps;
  const key = objectKey(rs);
  const diff = pods.length - k.replicas(rs);
  if (diff < 0) {
    const count = Math.min(-diff, BURST_REPLICAS);
    const template = k.template(rs);
    if (!template) return;
    const ref = controllerRefFor(rs);
    const namespace = rs.metadata!.namespace!;
    expectations.expectCreations(key, count);
    ctx.log.log(`${k.kind.kind} ${key}: too few replicas (need ${k.replicas(rs)}, have ${pods.length}), creating ${count}`);
    const { successes, error } = await slowStartBatch(count, async () => {
      try {
        const created = await ctx.client.create(kinds.Pod, podFromTemplate(template, namespace, ref));
        void ctx.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
      } catch (err) {
        if (namespaceTerminating(err)) return;
        void ctx.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
        throw err;
      }
    });
    // Creations never attempted (or failed) will never be observed.
    for (let i = successes; i < count; i++) expectations.creationObserved(key);
    if (error !== undefined) throw new ManageReplicasError('FailedCreate', error);
  } else if (diff > 0) {
    const count = Math.min(diff, BURST_REPLICAS);
    const victims = podsToDelete(pods, count, { related: relatedPods(deps, rs) });
    ctx.log.log(`${k.kind.kind} ${key}: too many replicas (need ${k.replicas(rs)}, have ${pods.length}), deleting ${victims.map((p) => p.metadata?.name).join(', ')}`);
    expectations.expectDeletions(key, victims.map(podKey));
    const errors: unknown[] = [];
    await Promise.all(
      victims.map(async (pod) => {
        try {
          await ctx.client.delete(kinds.Pod, { namespace: pod.metadata?.namespace, name: pod.metadata!.name! }, { preconditions: { uid: pod.metadata?.uid } });
          void ctx.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata?.name}`);
        } catch (err) {
          // The informer will not observe a deletion that did not happen.
          expectations.deletionObserved(key, podKey(pod));
          if (isNotFound(err) || isConflict(err)) return; // gone already, or replaced by another pod of that name
          void ctx.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
          errors.push(err);
        }
      }),
    );
    if (errors.length) throw new ManageReplicasError('FailedDelete', errors[0]);
  }
}

/**
 * The pods of every replica set controlled by the same owner as `rs` (its
 * Deployment's other ReplicaSets), for ranking by node (Kubernetes'
 * getIndirectlyRelatedPods). Just its own candidates when it has no owner.
 */
function relatedPods<T extends KubeObject>(deps: ManageReplicasDeps<T>, rs: T): Pod[] | undefined {
  const owner = controllerReferenceOf(rs);
  if (!owner) return undefined;
  const seen = new Map<string, Pod>();
  for (const sibling of deps.owners.byIndex(CONTROLLER_UID_INDEX, owner.uid)) {
    let selector;
    try {
      selector = deps.k.selector(sibling);
    } catch {
      continue;
    }
    for (const p of deps.pods.list(sibling.metadata?.namespace, selector)) seen.set(p.metadata?.uid ?? podKey(p), p);
  }
  return [...seen.values()];
}
