/**
 * The pod status a kubelet reports, computed from what its runtime says
 * (kubelet's `generateAPIPodStatus` and `getPhase`). Pure functions.
 */
import type { ContainerStatus, Pod, PodCondition, PodStatus } from '@logbook/api';
import type { RuntimeContainerStatus, RuntimePodStatus } from '../runtime/container-runtime';

type Phase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** The conditions the kubelet owns; others (PodScheduled, DisruptionTarget, readiness gates) it leaves alone. */
export const KUBELET_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready'] as const;

const isSidecar = (pod: Pod, name: string) => pod.spec?.initContainers?.find((c) => c.name === name)?.restartPolicy === 'Always';

/** kubelet's getPhase. */
export function podPhase(pod: Pod, rt: RuntimePodStatus): Phase {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  let initFailed = false;
  let initPending = false;
  for (const c of rt.initContainers) {
    if (isSidecar(pod, c.name)) {
      if (!c.started) initPending = true;
      continue;
    }
    const t = c.state.terminated;
    if (t && t.exitCode === 0) continue;
    if (t && policy === 'Never') initFailed = true;
    else initPending = true;
  }
  if (initFailed) return 'Failed';

  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of rt.containers) {
    if (c.state.running) running++;
    else if (c.state.terminated) {
      stopped++;
      if (c.state.terminated.exitCode === 0) succeeded++;
    } else if (c.lastState?.terminated) stopped++;
    else waiting++;
  }
  if (initPending) return 'Pending';
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    return policy === 'OnFailure' ? 'Running' : 'Failed';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, reason?: string, message?: string): PodCondition {
  // No `lastProbeTime: null`: in a patch, null deletes, so the stored condition would never equal it.
  const c: PodCondition = { type, status: ok ? 'True' : 'False' };
  if (!ok && reason) c.reason = reason;
  if (!ok && message) c.message = message;
  return c;
}

const names = (cs: RuntimeContainerStatus[]) => `[${cs.map((c) => c.name).join(' ')}]`;

/** The kubelet's conditions (without lastTransitionTime; see `withTransitionTimes`). */
export function podConditions(pod: Pod, rt: RuntimePodStatus, phase: Phase): PodCondition[] {
  const sandbox = pod.spec?.hostNetwork ? rt.containers.some((c) => !!c.containerID) : rt.podIP !== undefined;
  const incompleteInit = rt.initContainers.filter((c) => (isSidecar(pod, c.name) ? !c.started : c.state.terminated?.exitCode !== 0));
  const unready = [...rt.initContainers.filter((c) => isSidecar(pod, c.name)), ...rt.containers].filter((c) => !c.ready);
  const completed = phase === 'Succeeded' || phase === 'Failed';
  const initialized =
    incompleteInit.length === 0 || completed
      ? condition('Initialized', true)
      : condition('Initialized', false, 'ContainersNotInitialized', `containers with incomplete status: ${names(incompleteInit)}`);
  let containersReady: PodCondition;
  if (completed && phase === 'Succeeded') containersReady = condition('ContainersReady', false, 'PodCompleted');
  else if (unready.length) containersReady = condition('ContainersReady', false, 'ContainersNotReady', `containers with unready status: ${names(unready)}`);
  else containersReady = condition('ContainersReady', true);
  const gates = (pod.spec?.readinessGates ?? []).map((g) => g.conditionType);
  const failedGates = gates.filter((g) => pod.status?.conditions?.find((c) => c.type === g)?.status !== 'True');
  let ready: PodCondition;
  if (containersReady.status !== 'True') ready = condition('Ready', false, containersReady.reason, containersReady.message);
  else if (failedGates.length) ready = condition('Ready', false, 'ReadinessGatesNotReady', `corresponding condition of pod readiness gate "${failedGates[0]}" does not exist.`);
  else ready = condition('Ready', true);
  // In the order kubectl describe shows them.
  return [condition('PodReadyToStartContainers', sandbox && !completed), initialized, ready, containersReady];
}

function toContainerStatus(c: RuntimeContainerStatus): ContainerStatus {
  const s: ContainerStatus = { name: c.name, state: c.state, lastState: c.lastState ?? {}, ready: c.ready, restartCount: c.restartCount, image: c.image, imageID: c.imageID, started: c.started };
  if (c.containerID) s.containerID = c.containerID;
  return s;
}

export interface KubeletPodStatusInput {
  hostIP: string;
  /** When the kubelet first saw the pod (kept once set). */
  now: string;
}

/**
 * The status to report: phase, the kubelet's conditions (other conditions
 * are kept), IPs, start time, container statuses. lastTransitionTime moves
 * only when a condition's status changes.
 */
export function desiredPodStatus(pod: Pod, rt: RuntimePodStatus, input: KubeletPodStatusInput): PodStatus {
  const current = pod.status ?? {};
  const phase = podPhase(pod, rt);
  const mine = withTransitionTimes(podConditions(pod, rt, phase), current.conditions ?? [], input.now);
  const others = (current.conditions ?? []).filter((c) => !(KUBELET_CONDITIONS as readonly string[]).includes(c.type));
  const status: PodStatus = {
    ...current,
    phase,
    conditions: [...mine, ...others.filter((c) => c.type !== 'PodScheduled'), ...others.filter((c) => c.type === 'PodScheduled')],
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    startTime: current.startTime ?? input.now,
    containerStatuses: rt.containers.map(toContainerStatus),
  };
  const podIP = pod.spec?.hostNetwork ? (rt.containers.some((c) => c.containerID) ? input.hostIP : undefined) : rt.podIP;
  if (podIP) {
    status.podIP = podIP;
    status.podIPs = [{ ip: podIP }];
  }
  if (rt.initContainers.length) status.initContainerStatuses = rt.initContainers.map(toContainerStatus);
  return status;
}

export function withTransitionTimes(next: PodCondition[], previous: PodCondition[], now: string): PodCondition[] {
  return next.map((c) => {
    const prev = previous.find((p) => p.type === c.type);
    return { ...c, lastTransitionTime: prev && prev.status === c.status ? (prev.lastTransitionTime ?? now) : now };
  });
}

/**
 * The strategic merge patch a kubelet sends for a pod's status (as the
 * kubelet's status manager does): no resourceVersion, so writes by others
 * to the pod's metadata (finalizers, owners, labels) never conflict with
 * it; conditions merge by type, so others' conditions stay; container
 * statuses are replaced whole; the uid names the pod it was computed for.
 */
export function statusPatch(pod: Pod, desired: PodStatus): Record<string, unknown> {
  const { conditions = [], qosClass: _q, ...rest } = desired;
  const kubeletOwned = new Set<string>(KUBELET_CONDITIONS);
  return {
    metadata: { uid: pod.metadata?.uid },
    status: {
      ...rest,
      '$setElementOrder/conditions': conditions.map((c) => ({ type: c.type })),
      // A condition merges into the stored one, so what it no longer says must be deleted (null).
      conditions: conditions.filter((c) => kubeletOwned.has(c.type)).map((c) => ({ ...c, reason: c.reason ?? null, message: c.message ?? null })),
    },
  };
}

/** Whether `desired` says something `current` does not (ignoring key order, and nulls, which a patch deletes). */
export function statusDiffers(current: PodStatus | undefined, desired: PodStatus): boolean {
  return !sameJson(current ?? {}, desired);
}

const absent = (v: unknown) => v === undefined || v === null;

/** Deep equality of JSON values where a null or missing key equals an absent one (no serialisation: this runs at every pod sync). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (absent(a) || absent(b)) return absent(a) && absent(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameJson(x, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const k of Object.keys(x)) if (!sameJson(x[k], y[k])) return false;
  for (const k of Object.keys(y)) if (!(k in x) && !absent(y[k])) return false;
  return true;
}
