/**
 * The StatefulSet controller: ordered, uniquely named pods with stable
 * storage. A reconcile reads the set, claims its pods (adopting orphans
 * whose names and labels fit, releasing pods whose labels no longer match),
 * works out the current and update ControllerRevisions, runs one pass of
 * `updateStatefulSet`, records the status, and trims revision history.
 * See update-stateful-set.ts for the algorithm.
 */
import type { ControllerRevision, Pod, StatefulSet, StatefulSetStatus } from '@logbook/api';
import { isEmptyLabelSelector, labelSelectorMatches } from '@logbook/api';
import { isAlreadyExists, isNotFound, labelSelectorFromSpec } from '@logbook/machinery';
import { controllerReferenceOf, kindOf, kinds, KubeObject, ReconcileContext, Reconciler, Request, Result, WatchMapContext } from '@logbook/sdk';
import { claimObjects, recheckOwner } from '../shared';
import { isMemberOf, podRevision } from './identity';
import { completeRollingUpdate, statusDiffers } from './replica-status';
import {
  equalRevision,
  findEqualRevisions,
  newRevision,
  nextRevisionNumber,
  revisionsToTruncate,
  sortRevisions,
} from './revisions';
import { StatefulPodControl } from './stateful-pod-control';
import { updateStatefulSet } from './update-stateful-set';

export const controllerRevisions = kindOf<ControllerRevision>('apps/v1', 'ControllerRevision');

/** Orphan pods named like a member of a set whose selector they match: that set may adopt them. */
function setsThatMayAdopt(obj: KubeObject, ctx: WatchMapContext): Request[] {
  const pod = obj as Pod;
  if (controllerReferenceOf(pod) || pod.metadata?.deletionTimestamp) return [];
  return ctx
    .lister(kinds.StatefulSet)
    .list(pod.metadata?.namespace)
    .filter((set) => isMemberOf(set, pod) && labelSelectorMatches(set.spec?.selector, pod.metadata?.labels ?? {}))
    .map((set) => ({ namespace: set.metadata?.namespace ?? '', name: set.metadata!.name! }));
}

@Reconciler({
  name: 'statefulset',
  for: kinds.StatefulSet,
  owns: [kinds.Pod, controllerRevisions],
  watches: [{ kind: kinds.Pod, map: setsThatMayAdopt }],
  maxConcurrentReconciles: 4,
})
export class StatefulSetReconciler implements Reconciler {
  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const set = await ctx.cache.get(kinds.StatefulSet, req);
    if (!set) return {};
    if (isEmptyLabelSelector(set.spec?.selector)) {
      void ctx.recorder.event(set, 'Warning', 'SelectingAll', 'This StatefulSet is selecting all pods. A non-empty selector is required.');
      return {};
    }
    const pods = await this.claimPods(set, ctx);
    const revisions = sortRevisions(await this.claimRevisions(set, ctx));
    const { current, update, collisionCount } = await this.revisionsOf(set, revisions, ctx);

    const control = new StatefulPodControl(ctx);
    let status: StatefulSetStatus | undefined;
    let failure: unknown;
    try {
      status = await updateStatefulSet({ set, currentRevision: current, updateRevision: update, collisionCount, pods, control, now: Date.now });
    } catch (err) {
      failure = err;
    }
    if (status) await this.writeStatus(set, status, ctx);
    await this.truncateHistory(set, pods, revisions, current, update, ctx);
    if (failure) throw failure;

    const minReadySeconds = set.spec?.minReadySeconds ?? 0;
    if (status && minReadySeconds > 0 && status.readyReplicas !== status.availableReplicas) return { requeueAfter: minReadySeconds * 1000 };
    return {};
  }

  /**
   * The set's pods: those it controls whose labels still match (others are
   * released), plus orphans in its namespace that match its selector and
   * are named `<set>-<n>` (adopted), as Kubernetes' ClaimPods with its
   * isMemberOf filter.
   */
  private async claimPods(set: StatefulSet, ctx: ReconcileContext): Promise<Pod[]> {
    const uid = set.metadata!.uid!;
    const candidates = (await ctx.cache.list(kinds.Pod, { namespace: set.metadata?.namespace })).filter(
      (pod) => controllerReferenceOf(pod)?.uid === uid || isMemberOf(set, pod),
    );
    return claimObjects(candidates, {
      client: ctx.client,
      kind: kinds.Pod,
      owner: set,
      selector: labelSelectorFromSpec(set.spec?.selector),
      canAdopt: recheckOwner(ctx.client, kinds.StatefulSet, set),
    });
  }

  /** Revisions the set controls, adopting orphans that match its selector. */
  private async claimRevisions(set: StatefulSet, ctx: ReconcileContext): Promise<ControllerRevision[]> {
    return claimObjects(await ctx.cache.list(controllerRevisions, { namespace: set.metadata?.namespace }), {
      client: ctx.client,
      kind: controllerRevisions,
      owner: set,
      selector: labelSelectorFromSpec(set.spec?.selector),
      canAdopt: recheckOwner(ctx.client, kinds.StatefulSet, set),
    });
  }

  /**
   * The current and update revisions. The update revision is the one whose
   * template equals the set's: the latest if unchanged; an older equal one
   * renumbered as the latest (a rollback); else a new one. The current
   * revision is `status.currentRevision`, or the update revision at first.
   */
  private async revisionsOf(
    set: StatefulSet,
    sorted: ControllerRevision[],
    ctx: ReconcileContext,
  ): Promise<{ current: ControllerRevision; update: ControllerRevision; collisionCount: number }> {
    let collisionCount = set.status?.collisionCount ?? 0;
    const candidate = newRevision(set, nextRevisionNumber(sorted), collisionCount);
    const equal = findEqualRevisions(sorted, candidate);
    let update: ControllerRevision;
    if (equal.length && equalRevision(sorted[sorted.length - 1], equal[equal.length - 1])) {
      update = sorted[sorted.length - 1];
    } else if (equal.length) {
      const old = equal[equal.length - 1];
      update = await ctx.client.patch(
        controllerRevisions,
        { namespace: old.metadata?.namespace, name: old.metadata!.name! },
        { revision: candidate.revision, metadata: { resourceVersion: old.metadata?.resourceVersion } },
        { type: 'merge' },
      );
    } else {
      ({ revision: update, collisionCount } = await this.createRevision(set, candidate.revision, collisionCount, ctx));
    }
    const current = sorted.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;
    return { current, update, collisionCount };
  }

  /** Creates the revision; on a name taken by a different template (a hash collision), counts the collision and tries the next name. */
  private async createRevision(
    set: StatefulSet,
    number: number,
    collisionCount: number,
    ctx: ReconcileContext,
  ): Promise<{ revision: ControllerRevision; collisionCount: number }> {
    for (;;) {
      const candidate = newRevision(set, number, collisionCount);
      try {
        return { revision: await ctx.client.create(controllerRevisions, candidate), collisionCount };
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        const existing = await ctx.client.get(controllerRevisions, { namespace: candidate.metadata?.namespace, name: candidate.metadata!.name! });
        if (equalRevision(existing, candidate) && controllerReferenceOf(existing)?.uid === set.metadata?.uid) return { revision: existing, collisionCount };
        collisionCount++;
      }
    }
  }

  private async writeStatus(set: StatefulSet, status: StatefulSetStatus, ctx: ReconcileContext): Promise<void> {
    completeRollingUpdate(set, status);
    if (!statusDiffers(set.status, status)) return;
    try {
      await ctx.client.patchStatus(kinds.StatefulSet, { namespace: set.metadata?.namespace, name: set.metadata!.name! }, { status }, { type: 'merge' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Deletes the oldest revisions beyond `revisionHistoryLimit` that neither the status nor any pod uses. */
  private async truncateHistory(
    set: StatefulSet,
    pods: Pod[],
    sorted: ControllerRevision[],
    current: ControllerRevision,
    update: ControllerRevision,
    ctx: ReconcileContext,
  ): Promise<void> {
    const live = new Set<string>([current.metadata!.name!, update.metadata!.name!]);
    for (const pod of pods) {
      const rev = podRevision(pod);
      if (rev) live.add(rev);
    }
    for (const rev of revisionsToTruncate(sorted, live, set.spec?.revisionHistoryLimit ?? 10)) {
      try {
        await ctx.client.delete(controllerRevisions, { namespace: rev.metadata?.namespace, name: rev.metadata!.name! }, { preconditions: { uid: rev.metadata?.uid } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }
}
