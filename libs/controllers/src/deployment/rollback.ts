/**
 * Rolling back (kube's rollback.go).
 *
 * `kubectl rollout undo` needs nothing from this file: it patches the
 * Deployment's template back to an old ReplicaSet's, and the next sync finds
 * that ReplicaSet as the new one (sync.ts: revision max+1, the old revision
 * kept in revision-history) and scales it up like any rollout.
 *
 * What lives here is the server-side rollback of extensions/v1beta1
 * (`spec.rollbackTo`), which apps/v1 round-trips as the annotation
 * `deprecated.deployment.rollback.to: "<revision>"` and which the
 * Kubernetes controller still honours: copy that revision's template (and
 * annotations) into the Deployment, then drop the annotation. Revision 0
 * means the previous revision.
 */
import type { Deployment, ReplicaSet } from '@logbook/api';
import { kinds } from '@logbook/sdk';
import { Reasons } from './conditions';
import type { DeploymentSync } from './deployment-sync';
import { equalIgnoreHash } from './replica-sets';
import { DEPRECATED_ROLLBACK_TO_ANNOTATION, lastRevision, POD_TEMPLATE_HASH_LABEL, revisionOf, skipCopyAnnotation } from './revisions';
import { getAllReplicaSetsAndSyncRevision } from './sync';

/** The revision the annotation asks for; `undefined` without one or when it is not an integer (kube ignores it then). */
export function rollbackTo(d: Deployment): number | undefined {
  const v = d.metadata?.annotations?.[DEPRECATED_ROLLBACK_TO_ANNOTATION];
  if (!v || !/^[+-]?\d+$/.test(v)) return undefined;
  return Number.parseInt(v, 10);
}

/**
 * The Deployment with the ReplicaSet's template (without pod-template-hash)
 * and annotations (kube's `SetFromReplicaSetTemplate` and
 * `SetDeploymentAnnotationsTo`): annotations that belong to the Deployment
 * alone stay, the rest come from the ReplicaSet, so that the ReplicaSet's
 * change-cause is the Deployment's again.
 */
export function withTemplateOf(d: Deployment, rs: ReplicaSet): Deployment {
  const out = structuredClone(d);
  const template = structuredClone(rs.spec?.template ?? {});
  if (template.metadata?.labels) delete template.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  (out.spec ??= {}).template = template;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) if (skipCopyAnnotation(k)) annotations[k] = v;
  for (const [k, v] of Object.entries(rs.metadata?.annotations ?? {})) if (!skipCopyAnnotation(k)) annotations[k] = v;
  (out.metadata ??= {}).annotations = annotations;
  return out;
}

/** Handles `deprecated.deployment.rollback.to` (kube's `rollback`). */
export async function rollback(s: DeploymentSync, revision: number): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, true);
  const allRSs = newRS ? [...oldRSs, newRS] : oldRSs;
  let target = revision;
  if (target === 0) {
    target = lastRevision(allRSs);
    if (target === 0) {
      void s.event('Warning', Reasons.RollbackRevisionNotFound, 'Unable to find last revision.');
      return clearRollbackTo(s, s.d);
    }
  }
  const rs = allRSs.find((r) => revisionOf(r) === target);
  if (!rs) {
    void s.event('Warning', Reasons.RollbackRevisionNotFound, 'Unable to find the revision to rollback to.');
    return clearRollbackTo(s, s.d);
  }
  if (equalIgnoreHash(s.d.spec?.template, rs.spec?.template)) {
    void s.event('Warning', Reasons.RollbackTemplateUnchanged, `The rollback revision contains the same template as current deployment "${s.d.metadata?.name}"`);
    return clearRollbackTo(s, s.d);
  }
  await clearRollbackTo(s, withTemplateOf(s.d, rs));
  void s.event('Normal', Reasons.RollbackDone, `Rolled back deployment "${s.d.metadata?.name}" to revision ${target}`);
}

/** Writes the Deployment without the rollback annotation (kube's `updateDeploymentAndClearRollbackTo`). */
async function clearRollbackTo(s: DeploymentSync, d: Deployment): Promise<void> {
  const out = structuredClone(d);
  delete out.metadata?.annotations?.[DEPRECATED_ROLLBACK_TO_ANNOTATION];
  const stored = await s.client.update(kinds.Deployment, out);
  s.d = { ...stored, status: s.d.status };
}
