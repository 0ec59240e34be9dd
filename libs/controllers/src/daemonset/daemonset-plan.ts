/**
 * What a DaemonSet sync decides, as pure functions of the DaemonSet, the
 * nodes, its pods (by node), the current revision's hash and the time:
 * which nodes need a pod and which pods must go (kube's manage and
 * podsShouldBeOnNode), the rolling update's next step (kube's update.go),
 * and the status.
 */
import type { DaemonSet, DaemonSetStatus, Node, Pod } from '@logbook/api';
import { scaledValueFromIntOrPercent } from '@logbook/machinery';
import { isPodAvailable, isPodReady } from '../shared';
import { NodeFit, nodeShouldRunDaemonPod, targetNodeName } from './node-fit';

/** The label that ties a daemon pod (and a ControllerRevision) to a revision of the template. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
/** The older label for the template generation (kept on pods when the DaemonSet has the annotation). */
export const POD_TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

export type PodsByNode = Map<string, Pod[]>;

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/**
 * The DaemonSet's pods by the node they are (or are meant to be) on
 * (kube's getNodesToDaemonPods). Pods deleted after they finished are left
 * out unless asked for: they no longer hold their node.
 */
export function podsByNode(pods: readonly Pod[], includeDeletedTerminal = false): PodsByNode {
  const map: PodsByNode = new Map();
  for (const pod of pods) {
    if (!includeDeletedTerminal && isTerminal(pod) && pod.metadata?.deletionTimestamp) continue;
    const node = targetNodeName(pod);
    if (!node) continue;
    const list = map.get(node) ?? [];
    list.push(pod);
    map.set(node, list);
  }
  return map;
}

/** Scheduled pods first, then oldest first, then by name (kube's podByCreationTimestampAndPhase). */
export function byCreationAndPhase(a: Pod, b: Pod): number {
  const sa = !!a.spec?.nodeName;
  const sb = !!b.spec?.nodeName;
  if (sa !== sb) return sa ? -1 : 1;
  const ca = Date.parse(String(a.metadata?.creationTimestamp ?? '')) || 0;
  const cb = Date.parse(String(b.metadata?.creationTimestamp ?? '')) || 0;
  if (ca !== cb) return ca - cb;
  return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

/** The DaemonSet's template generation (its deprecated annotation), if it has one. */
export function templateGeneration(ds: DaemonSet): string | undefined {
  const g = ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  return g && /^\d+$/.test(g) ? g : undefined;
}

/** The pod runs the current template: its revision hash (or template generation) is the current one (kube's IsPodUpdated). */
export function isPodUpdated(pod: Pod, hash: string, generation: string | undefined): boolean {
  const labels = pod.metadata?.labels ?? {};
  return (!!hash && labels[CONTROLLER_REVISION_HASH_LABEL] === hash) || (generation !== undefined && labels[POD_TEMPLATE_GENERATION_LABEL] === generation);
}

const rollingUpdate = (ds: DaemonSet) => (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** maxSurge against `desired` nodes (rounded up), 0 unless rolling update (kube's SurgeCount). */
export function surgeCount(ds: DaemonSet, desired: number): number {
  if (!rollingUpdate(ds)) return 0;
  const v = ds.spec?.updateStrategy?.rollingUpdate?.maxSurge;
  return v == null ? 0 : scaledValueFromIntOrPercent(v, desired, true);
}

/** maxUnavailable against `desired` nodes (rounded up), 0 unless rolling update (kube's UnavailableCount). */
export function unavailableCount(ds: DaemonSet, desired: number): number {
  if (!rollingUpdate(ds)) return 0;
  const v = ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable;
  return v == null ? 1 : scaledValueFromIntOrPercent(v, desired, true);
}

/** New pods may be created beside old ones (kube's AllowsSurge). */
export const allowsSurge = (ds: DaemonSet): boolean => surgeCount(ds, 1) > 0;

export interface NodePlan {
  /** The node needs a (new) daemon pod. */
  create: boolean;
  /** Pods to delete: extra ones, old ones replaced, or all when the node no longer fits. */
  delete: Pod[];
  /** Failed pods to delete (and replace), subject to the failed-pod back-off. */
  failed: Pod[];
}

/**
 * kube's podsShouldBeOnNode: a node that should run the DaemonSet and has
 * no pod gets one; a node that may keep it keeps one (the oldest — or, while
 * surging, one old and one new until the new one is available), failed
 * pods are replaced; a node that no longer fits loses its pods.
 */
export function planNode(ds: DaemonSet, fit: NodeFit, podsOnNode: readonly Pod[] | undefined, hash: string, now: number): NodePlan {
  const plan: NodePlan = { create: false, delete: [], failed: [] };
  const exists = podsOnNode !== undefined && podsOnNode.length > 0;
  if (fit.shouldRun && !exists) {
    plan.create = true;
    return plan;
  }
  if (fit.shouldContinueRunning) {
    const running: Pod[] = [];
    for (const pod of podsOnNode ?? []) {
      if (pod.metadata?.deletionTimestamp) continue;
      if (pod.status?.phase === 'Failed') plan.failed.push(pod);
      else running.push(pod);
    }
    running.sort(byCreationAndPhase);
    if (!allowsSurge(ds)) {
      plan.delete.push(...running.slice(1)); // keep the oldest
      return plan;
    }
    if (running.length <= 1) {
      if (running.length === 0 && fit.shouldRun) plan.create = true; // surging: the node needs one pod that is not going away
      return plan;
    }
    // Surging: keep the oldest new pod and the oldest old pod (while the new one is not available yet).
    let oldestNew: Pod | undefined;
    let oldestOld: Pod | undefined;
    for (const pod of running) {
      const isNew = pod.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash;
      if (isNew && !oldestNew) oldestNew = pod;
      else if (!isNew && !oldestOld) oldestOld = pod;
      else plan.delete.push(pod);
    }
    if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec?.minReadySeconds ?? 0, now))) {
      plan.delete.push(oldestOld);
    }
    return plan;
  }
  if (exists) plan.delete.push(...(podsOnNode ?? []).filter((p) => !p.metadata?.deletionTimestamp));
  return plan;
}

/** Unscheduled pods meant for nodes that do not exist: nothing will ever bind them (kube's getUnscheduledPodsWithoutNode). */
export function podsForMissingNodes(nodes: readonly Node[], byNode: PodsByNode): Pod[] {
  const names = new Set(nodes.map((n) => n.metadata?.name));
  const out: Pod[] = [];
  for (const [node, pods] of byNode) {
    if (names.has(node)) continue;
    out.push(...pods.filter((p) => !p.spec?.nodeName));
  }
  return out;
}

/** The newest pod of each kind on a node, if at most one of each (kube's findUpdatedPodsOnNode); undefined if there are more. */
function updatedPodsOnNode(pods: readonly Pod[], hash: string, generation: string | undefined): { newPod?: Pod; oldPod?: Pod } | undefined {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return undefined;
      newPod = pod;
    } else {
      if (oldPod) return undefined;
      oldPod = pod;
    }
  }
  return { newPod, oldPod };
}

export interface RollingUpdatePlan {
  deletePods: Pod[];
  createOnNodes: string[];
}

/**
 * One step of a rolling update (kube's rollingUpdate):
 *
 * - without surge, old pods are deleted — unavailable old ones at once,
 *   available ones only while fewer than `maxUnavailable` pods are
 *   unavailable — and the manage step creates their replacements;
 * - with surge, a new pod is created beside each old one (at once where the
 *   old one is unavailable, else up to `maxSurge` at a time) and the old pod
 *   goes once the new one is available.
 *
 * Nodes are visited in name order, so the update walks the nodes one by
 * one in a predictable order.
 */
export function planRollingUpdate(ds: DaemonSet, nodes: readonly Node[], byNode: PodsByNode, fits: ReadonlyMap<string, NodeFit>, hash: string, now: number): RollingUpdatePlan {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const generation = templateGeneration(ds);
  const byNodeAll = new Map(byNode);
  let desired = 0;
  for (const node of nodes) {
    const name = node.metadata!.name!;
    if (!fits.get(name)?.shouldRun) continue;
    desired++;
    if (!byNodeAll.has(name)) byNodeAll.set(name, []);
  }
  const maxSurge = surgeCount(ds, desired);
  let maxUnavailable = unavailableCount(ds, desired);
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1; // an impossible configuration: accept unavailability
  const available = (p: Pod) => isPodAvailable(p, minReady, now);
  const entries = [...byNodeAll.entries()].sort(([a], [b]) => a.localeCompare(b));
  const plan: RollingUpdatePlan = { deletePods: [], createOnNodes: [] };

  if (maxSurge === 0) {
    let unavailable = 0;
    const replace: Pod[] = [];
    const candidates: Pod[] = [];
    for (const [, pods] of entries) {
      const found = updatedPodsOnNode(pods, hash, generation);
      if (!found) {
        unavailable++; // extra pods: the manage step cleans up first
        continue;
      }
      const { newPod, oldPod } = found;
      if ((!oldPod && !newPod) || (oldPod && newPod)) unavailable++;
      else if (newPod) {
        if (!available(newPod)) unavailable++;
      } else if (oldPod) {
        if (!available(oldPod)) {
          replace.push(oldPod);
          unavailable++;
        } else if (unavailable < maxUnavailable) {
          candidates.push(oldPod);
        }
      }
    }
    const room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
    plan.deletePods = [...replace, ...candidates.slice(0, room)];
    return plan;
  }

  let surging = 0;
  let numAvailable = 0;
  const allowedNewNodes: string[] = [];
  const candidateNewNodes: string[] = [];
  const shouldNotRun: Pod[] = [];
  for (const [nodeName, pods] of entries) {
    const found = updatedPodsOnNode(pods, hash, generation);
    if (!found) {
      surging++;
      continue;
    }
    const { newPod, oldPod } = found;
    if (oldPod ? available(oldPod) : newPod && available(newPod)) numAvailable++;
    if (!oldPod) continue; // the manage step handles it
    const fit = fits.get(nodeName);
    if (!newPod) {
      if (!available(oldPod)) {
        if (!fit?.shouldRun) plan.deletePods.push(oldPod);
        else allowedNewNodes.push(nodeName);
      } else if (!fit?.shouldRun) {
        shouldNotRun.push(oldPod);
      } else if (surging < maxSurge) {
        candidateNewNodes.push(nodeName);
      }
      continue;
    }
    // Surged here already: wait for the new pod, then retire the old one.
    if (!available(newPod)) surging++;
    else plan.deletePods.push(oldPod);
  }
  // With surge the owner expects full availability: pods on nodes that no longer fit go only
  // once as many pods are available elsewhere.
  const deletable = Math.min(Math.max(0, numAvailable - desired), shouldNotRun.length);
  plan.deletePods.push(...shouldNotRun.slice(0, deletable));
  const room = Math.min(Math.max(0, maxSurge - surging), candidateNewNodes.length);
  plan.createOnNodes = [...allowedNewNodes, ...candidateNewNodes.slice(0, room)];
  return plan;
}

/** The DaemonSet's status as kube computes it (updateDaemonSetStatus), collisionCount kept. */
export function calculateStatus(ds: DaemonSet, nodes: readonly Node[], byNode: PodsByNode, fits: ReadonlyMap<string, NodeFit>, hash: string, now: number): DaemonSetStatus {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const generation = templateGeneration(ds);
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let availableCount = 0;
  let updated = 0;
  for (const node of nodes) {
    const name = node.metadata!.name!;
    const pods = byNode.get(name) ?? [];
    const scheduled = pods.length > 0;
    if (fits.get(name)?.shouldRun) {
      desired++;
      if (!scheduled) continue;
      current++;
      const pod = [...pods].sort(byCreationAndPhase)[0];
      if (isPodReady(pod)) {
        ready++;
        if (isPodAvailable(pod, minReady, now)) availableCount++;
      }
      if (isPodUpdated(pod, hash, generation)) updated++;
    } else if (scheduled) {
      misscheduled++;
    }
  }
  const status: DaemonSetStatus = {
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
    observedGeneration: ds.metadata?.generation,
  };
  if (updated) status.updatedNumberScheduled = updated;
  if (availableCount) status.numberAvailable = availableCount;
  if (desired - availableCount) status.numberUnavailable = desired - availableCount;
  if (ds.status?.collisionCount != null) status.collisionCount = ds.status.collisionCount;
  if (ds.status?.conditions?.length) status.conditions = ds.status.conditions;
  return status;
}

/** Fits of every node, by name. */
export function fitsOf(ds: DaemonSet, nodes: readonly Node[]): Map<string, NodeFit> {
  return new Map(nodes.map((n) => [n.metadata!.name!, nodeShouldRunDaemonPod(n, ds)]));
}
