/**
 * The Deployment controller's dispatch (kube's deployment_controller.go):
 * read the Deployment, claim its ReplicaSets, then pick the kind of sync —
 * status only (being deleted), scale only (paused, or spec.replicas
 * changed), the deprecated server-side rollback, or one step of the
 * Deployment's strategy (rolling.ts, recreate.ts). Each step writes what it
 * changed and the status; the changes it causes (ReplicaSet status as pods
 * become available, its own writes) queue the next step.
 */
import type { Deployment, Pod } from '@logbook/api';
import { isEmptyLabelSelector } from '@logbook/api';
import { isConflict, LabelSelectorError, labelSelectorFromSpec } from '@logbook/machinery';
import type { LabelSelector } from '@logbook/machinery';
import {
  controllerReferenceOf,
  InformerEvent,
  KubeObject,
  kinds,
  Reconciler,
  ReconcileContext,
  Request,
  Result,
  TerminalError,
  WatchMapContext,
} from '@logbook/sdk';
import { isRecreate } from './deployment-spec';
import { DeploymentSync } from './deployment-sync';
import { rolloutRecreate } from './recreate';
import { getReplicaSetsForDeployment, podsByReplicaSet } from './replica-set-claims';
import { rollback, rollbackTo } from './rollback';
import { rolloutRolling } from './rolling';
import { checkPausedConditions, isScalingEvent, sync, syncStatusOnly } from './sync';

/**
 * The Deployment controlling a pod's ReplicaSet (kube's `getDeploymentForPod`):
 * pod → its controlling ReplicaSet (by name and uid, from the cache) → that
 * ReplicaSet's controlling Deployment.
 */
export function deploymentOfPod(pod: KubeObject, ctx: WatchMapContext): Request | undefined {
  const ref = controllerReferenceOf(pod);
  if (!ref || ref.kind !== 'ReplicaSet') return undefined;
  const namespace = pod.metadata?.namespace ?? '';
  const rs = ctx.lister(kinds.ReplicaSet).get(namespace, ref.name);
  if (!rs || rs.metadata?.uid !== ref.uid) return undefined;
  const owner = controllerReferenceOf(rs);
  return owner?.kind === 'Deployment' ? { namespace, name: owner.name } : undefined;
}

/**
 * The Deployments that could adopt an orphaned ReplicaSet: those in its
 * namespace whose selector matches its labels (kube's
 * `getDeploymentsForReplicaSet`, for add and update of orphans).
 */
export function deploymentsForOrphanReplicaSet(rs: KubeObject, ctx: WatchMapContext): Request[] {
  if (controllerReferenceOf(rs) || rs.metadata?.deletionTimestamp) return [];
  const namespace = rs.metadata?.namespace ?? '';
  const labels = rs.metadata?.labels ?? {};
  return ctx
    .lister(kinds.Deployment)
    .list(namespace)
    .filter((d) => {
      if (isEmptyLabelSelector(d.spec?.selector)) return false;
      try {
        return labelSelectorFromSpec(d.spec?.selector).matches(labels);
      } catch {
        return false;
      }
    })
    .map((d) => ({ namespace, name: d.metadata!.name! }));
}

const isTerminal = (o: KubeObject) => ['Failed', 'Succeeded'].includes((o as Pod).status?.phase ?? '');

/** Only what Recreate waits for: a pod going away or finishing. */
export function podGoneOrFinished(e: InformerEvent<KubeObject>): boolean {
  if (e.type === 'DELETED') return true;
  return e.type === 'UPDATED' && isTerminal(e.object) && !isTerminal(e.oldObject);
}

@Reconciler({
  for: kinds.Deployment,
  owns: [kinds.ReplicaSet],
  watches: [
    { kind: kinds.ReplicaSet, map: deploymentsForOrphanReplicaSet },
    { kind: kinds.Pod, map: deploymentOfPod, predicates: [podGoneOrFinished] },
  ],
  // kube-controller-manager's --concurrent-deployment-syncs default.
  maxConcurrentReconciles: 5,
})
export class DeploymentReconciler implements Reconciler {
  /** The clock conditions are stamped with and deadlines measured by. */
  now: () => Date = () => new Date();

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    try {
      return await this.syncDeployment(req, ctx);
    } catch (err) {
      // The cache had not caught up with a write (often this controller's own, seen late): read again, quietly.
      if (!isConflict(err)) throw err;
      ctx.log.debug?.(`deployment ${req.namespace}/${req.name}: ${err instanceof Error ? err.message : String(err)}; syncing again`);
      return { requeue: true };
    }
  }

  private async syncDeployment(req: Request, ctx: ReconcileContext): Promise<Result> {
    const cached = await ctx.cache.get(kinds.Deployment, req);
    if (!cached) return {}; // deleted: the garbage collector removes its ReplicaSets
    const d: Deployment = structuredClone(cached);

    if (isEmptyLabelSelector(d.spec?.selector)) {
      void ctx.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
        d.status = { ...(d.status ?? {}), observedGeneration: d.metadata?.generation };
        await ctx.client.updateStatus(kinds.Deployment, d);
      }
      return {};
    }
    let selector: LabelSelector;
    try {
      selector = labelSelectorFromSpec(d.spec?.selector);
    } catch (err) {
      if (err instanceof LabelSelectorError) throw new TerminalError(`invalid selector: ${err.message}`, { cause: err });
      throw err;
    }

    const replicaSets = await getReplicaSetsForDeployment(ctx, d, selector);
    const pods = isRecreate(d) ? await ctx.cache.list(kinds.Pod, { namespace: req.namespace, labelSelector: selector }) : [];
    const s = new DeploymentSync(ctx, d, replicaSets, podsByReplicaSet(replicaSets, pods), this.now);

    if (d.metadata?.deletionTimestamp) {
      await syncStatusOnly(s);
      return {};
    }

    // Progressing=Unknown on pause and resume, so time spent paused never counts against the deadline.
    await checkPausedConditions(s);
    if (s.d.spec?.paused) {
      await sync(s);
      return {};
    }

    const revision = rollbackTo(s.d);
    if (revision !== undefined) {
      await rollback(s, revision);
      return {};
    }

    if (await isScalingEvent(s)) {
      await sync(s);
      return {};
    }

    const requeueAfter = isRecreate(s.d) ? await rolloutRecreate(s) : await rolloutRolling(s);
    return requeueAfter !== undefined ? { requeueAfter } : {};
  }
}
