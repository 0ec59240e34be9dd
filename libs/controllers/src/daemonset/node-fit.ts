/**
 * Which nodes a DaemonSet runs on (kube's NodeShouldRunDaemonPod and the
 * component-helpers it uses): the pod template's `nodeName`, `nodeSelector`
 * and required node affinity must match the node, and the pod — with the
 * tolerations every daemon pod gets — must tolerate the node's NoSchedule
 * and NoExecute taints. A pod already running may stay on a node whose only
 * untolerated taints are NoSchedule ones.
 *
 * A node whose Ready condition is not True counts as tainted `not-ready`
 * (False) or `unreachable` (Unknown) NoSchedule, as the node lifecycle
 * controller taints it and as Logbook's scheduler assumes until it does:
 * daemon pods tolerate those taints only with effect NoExecute, so a
 * NotReady node keeps its daemon pod but gets no new one.
 *
 * Pure functions.
 */
import {
  TAINT_DISK_PRESSURE,
  TAINT_MEMORY_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
  TAINT_NOT_READY,
  TAINT_PID_PRESSURE,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  NODE_NAME_FIELD,
  effectiveTaints,
  matchesNodeSelectorAndAffinity,
  toleratesTaint,
} from '@logbook/api';
import type { Affinity, DaemonSet, Node, NodeSelectorTerm, Pod, PodSpec, Taint, Toleration } from '@logbook/api';

/** The tolerations kube adds to every daemon pod (AddOrUpdateDaemonPodTolerations). */
export function daemonTolerations(spec: PodSpec | undefined): Toleration[] {
  const defaults: Toleration[] = [
    { key: TAINT_NOT_READY, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_DISK_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_MEMORY_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_PID_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_UNSCHEDULABLE, operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec?.hostNetwork) defaults.push({ key: TAINT_NETWORK_UNAVAILABLE, operator: 'Exists', effect: 'NoSchedule' });
  const out = [...(spec?.tolerations ?? [])];
  for (const t of defaults) {
    // Add or update: a toleration of the same key and effect is replaced.
    const i = out.findIndex((o) => o.key === t.key && o.effect === t.effect);
    if (i >= 0) out[i] = t;
    else out.push(t);
  }
  return out;
}

function untolerated(taints: readonly Taint[], tolerations: readonly Toleration[], effects: readonly string[]): Taint | undefined {
  return taints.find((taint) => effects.includes(taint.effect) && !tolerations.some((t) => toleratesTaint(t, taint)));
}

export interface NodeFit {
  /** A daemon pod should be created on the node (if there is none). */
  shouldRun: boolean;
  /** A daemon pod already on the node may stay. */
  shouldContinueRunning: boolean;
}

/** kube's NodeShouldRunDaemonPod. */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): NodeFit {
  const spec = ds.spec?.template?.spec;
  const name = node.metadata?.name;
  if (spec?.nodeName && spec.nodeName !== name) return { shouldRun: false, shouldContinueRunning: false };
  if (!matchesNodeSelectorAndAffinity(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = daemonTolerations(spec);
  const taints = effectiveTaints(node);
  if (untolerated(taints, tolerations, ['NoSchedule', 'NoExecute'])) {
    return { shouldRun: false, shouldContinueRunning: !untolerated(taints, tolerations, ['NoExecute']) };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

/**
 * The affinity a daemon pod is created with (kube's
 * ReplaceDaemonSetPodNodeNameNodeAffinity): the template's, with its
 * required node affinity terms replaced by one that names the node — so
 * the scheduler can only bind it there. Preferred terms stay.
 */
export function affinityForNode(affinity: Affinity | undefined, nodeName: string): Affinity {
  const term: NodeSelectorTerm = { matchFields: [{ key: NODE_NAME_FIELD, operator: 'In', values: [nodeName] }] };
  const copy = structuredClone(affinity ?? {}) as Affinity;
  copy.nodeAffinity = { ...(copy.nodeAffinity ?? {}), requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } };
  return copy;
}

/**
 * The node a daemon pod is for: its `nodeName` once bound, else the node
 * its affinity names (kube's GetTargetNodeName).
 */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.length !== 1) return undefined;
  for (const r of terms[0].matchFields ?? []) {
    if (r.key === NODE_NAME_FIELD && r.operator === 'In' && r.values?.length === 1) return r.values[0];
  }
  return undefined;
}

