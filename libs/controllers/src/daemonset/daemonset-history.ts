/**
 * A DaemonSet's ControllerRevisions: immutable snapshots of its pod
 * template (kube's daemon/update.go: constructHistory, snapshot, Match,
 * cleanupHistory). The current revision's hash labels the pods made from it
 * (`controller-revision-hash`), which is how a rolling update tells old
 * pods from new ones; `kubectl rollout history/undo daemonset` read them.
 */
import type { ControllerRevision, DaemonSet, Pod } from '@logbook/api';
import { isAlreadyExists, jsonEqual, labelSelectorFromSpec } from '@logbook/machinery';
import { kindOf, ReconcileContext, kinds } from '@logbook/sdk';
import { computePodTemplateHash } from '../deployment';
import { claimObjects, controllerRefFor, recheckOwner } from '../shared';
import { CONTROLLER_REVISION_HASH_LABEL } from './daemonset-plan';

export const controllerRevisions = kindOf<ControllerRevision>('apps/v1', 'ControllerRevision');

/** What a revision records: a strategic merge patch that puts the template back (kube's getPatch). */
export function revisionData(ds: DaemonSet): unknown {
  return { spec: { template: { ...structuredClone(ds.spec?.template ?? {}), $patch: 'replace' } } };
}

/** The template hash (kube's controller.ComputeHash of the template and the collision count). */
export function templateHash(ds: DaemonSet): string {
  return computePodTemplateHash(ds.spec?.template ?? {}, ds.status?.collisionCount);
}

/** Whether the revision records the DaemonSet's current template (kube's Match). */
export const matchesRevision = (ds: DaemonSet, revision: ControllerRevision): boolean => jsonEqual((revision.data ?? null) as never, revisionData(ds) as never);

/** A new revision of the current template (kube's snapshot, before it is created). */
export function newRevision(ds: DaemonSet, revision: number): ControllerRevision {
  const hash = templateHash(ds);
  const meta = ds.metadata ?? {};
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${meta.name}-${hash}`,
      namespace: meta.namespace,
      labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ownerReferences: [controllerRefFor(ds)],
    },
    data: revisionData(ds),
    revision,
  };
}

const maxRevision = (revisions: readonly ControllerRevision[]) => revisions.reduce((m, r) => Math.max(m, r.revision ?? 0), 0);

/** Oldest first, by revision number. */
export const byRevision = (a: ControllerRevision, b: ControllerRevision) => (a.revision ?? 0) - (b.revision ?? 0);

/**
 * The old revisions to delete to keep `revisionHistoryLimit` (default 10),
 * oldest first, never one a pod still runs (kube's cleanupHistory).
 */
export function revisionsToDelete(ds: DaemonSet, old: readonly ControllerRevision[], pods: readonly Pod[]): ControllerRevision[] {
  let toKill = old.length - (ds.spec?.revisionHistoryLimit ?? 10);
  if (toKill <= 0) return [];
  const live = new Set(pods.map((p) => p.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL]).filter(Boolean));
  const out: ControllerRevision[] = [];
  for (const r of [...old].sort(byRevision)) {
    if (toKill <= 0) break;
    if (live.has(r.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL])) continue;
    out.push(r);
    toKill--;
  }
  return out;
}

/** A name collision with a revision of another template: the collision count was bumped and the sync must retry. */
export class HashCollisionError extends Error {}

/**
 * The current revision (created, or renumbered to be the newest) and the
 * old ones (kube's constructHistory). Revisions the DaemonSet controls are
 * claimed as pods are: orphans matching its selector are adopted.
 * Duplicate current revisions are merged into the newest, relabelling pods.
 */
export async function constructHistory(ds: DaemonSet, pods: readonly Pod[], ctx: ReconcileContext): Promise<{ current: ControllerRevision; old: ControllerRevision[] }> {
  const ns = ds.metadata?.namespace ?? '';
  const lister = await ctx.cache.lister(controllerRevisions);
  const selector = labelSelectorFromSpec(ds.spec?.selector);
  const candidates = lister.list(ns).filter((r) => (r.metadata?.ownerReferences ?? []).some((o) => o.uid === ds.metadata?.uid) || selector.matches(r.metadata?.labels ?? {}));
  const claimed = await claimObjects(candidates, { client: ctx.client, kind: controllerRevisions, owner: ds, selector, canAdopt: recheckOwner(ctx.client, kinds.DaemonSet, ds) });
  const currents: ControllerRevision[] = [];
  const old: ControllerRevision[] = [];
  for (let r of claimed) {
    if (!r.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL]) {
      // Older revisions may lack the label: their name is the unique key.
      r = await ctx.client.update(controllerRevisions, { ...r, metadata: { ...r.metadata, labels: { ...(r.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: r.metadata!.name! } } });
    }
    (matchesRevision(ds, r) ? currents : old).push(r);
  }
  const next = maxRevision(old) + 1;
  let current: ControllerRevision;
  if (currents.length === 0) {
    current = await snapshot(ds, next, ctx);
  } else {
    current = await dedupCurrent(ds, currents, pods, ctx);
    if ((current.revision ?? 0) < next) current = await ctx.client.update(controllerRevisions, { ...current, revision: next });
  }
  return { current, old };
}

async function snapshot(ds: DaemonSet, revision: number, ctx: ReconcileContext): Promise<ControllerRevision> {
  const wanted = newRevision(ds, revision);
  try {
    return await ctx.client.create(controllerRevisions, wanted);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const existing = await ctx.client.get(controllerRevisions, { namespace: wanted.metadata!.namespace, name: wanted.metadata!.name! });
    if (matchesRevision(ds, existing)) return existing;
    // Another template hashed to this name: count the collision (the next hash differs) and retry.
    const fresh = await ctx.client.get(kinds.DaemonSet, { namespace: ds.metadata?.namespace, name: ds.metadata!.name! });
    if ((fresh.status?.collisionCount ?? 0) !== (ds.status?.collisionCount ?? 0)) {
      throw new HashCollisionError(`stale collision count of DaemonSet ${ds.metadata?.name}: retrying`);
    }
    const status = { ...(fresh.status ?? { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }) };
    status.collisionCount = (status.collisionCount ?? 0) + 1;
    await ctx.client.updateStatus(kinds.DaemonSet, { ...fresh, status });
    throw new HashCollisionError(`hash collision for DaemonSet ${ds.metadata?.name}: collisionCount bumped to ${status.collisionCount}`);
  }
}

async function dedupCurrent(ds: DaemonSet, currents: ControllerRevision[], pods: readonly Pod[], ctx: ReconcileContext): Promise<ControllerRevision> {
  if (currents.length === 1) return currents[0];
  const keep = [...currents].sort(byRevision)[currents.length - 1];
  const hash = keep.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  const duplicates = new Set(currents.map((r) => r.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL]));
  for (const pod of pods) {
    // Pods of a duplicate (same template) move to the kept revision; pods of old templates stay old.
    const podHash = pod.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL];
    if (podHash === hash || !duplicates.has(podHash)) continue;
    await ctx.client.patch(kinds.Pod, { namespace: pod.metadata?.namespace, name: pod.metadata!.name! }, { metadata: { labels: { [CONTROLLER_REVISION_HASH_LABEL]: hash } } }, { type: 'merge' });
  }
  for (const r of currents) {
    if (r.metadata?.name !== keep.metadata?.name) await ctx.client.delete(controllerRevisions, { namespace: r.metadata?.namespace, name: r.metadata!.name! });
  }
  return keep;
}
