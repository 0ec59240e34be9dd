/**
 * What `kubectl get pods` shows for a pod — READY, STATUS, RESTARTS —
 * computed exactly as kubectl's printPod (pkg/printers/internalversion)
 * does, plus readiness and QoS helpers. Table printers and controllers
 * share these; they read the pod and never change it.
 */
import { parseQuantity } from '../../validation/quantity';

type Obj = Record<string, any>;

/** The reason the node lifecycle controller gives pods on unreachable nodes. */
const NODE_UNREACHABLE_POD_REASON = 'NodeLost';

export interface PodStatusSummary {
  /** Ready containers (regular, plus started sidecars). */
  ready: number;
  /** Containers counted in READY: regular plus restartable init (sidecar) containers. */
  total: number;
  /** The STATUS column: Running, Pending, ContainerCreating, CrashLoopBackOff, Completed, Init:0/1, Terminating... */
  status: string;
  restarts: number;
  /** When the last restart happened (finishedAt of the last termination), if any. */
  lastRestartTime?: string;
}

const isSidecar = (c: Obj | undefined): boolean => c?.restartPolicy === 'Always';
const later = (a: string | undefined, b: string | undefined): string | undefined => (!a ? b : !b ? a : Date.parse(b) > Date.parse(a) ? b : a);

function hasCondition(pod: Obj, type: string): boolean {
  return (pod.status?.conditions ?? []).some((c: Obj) => c?.type === type && c?.status === 'True');
}

/** The Ready condition is True. */
export function isPodReady(pod: Obj): boolean {
  return hasCondition(pod, 'Ready');
}

/** Succeeded or Failed: the pod will not run again. */
export function isPodTerminal(pod: Obj): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export function podStatusSummary(pod: Obj): PodStatusSummary {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const initContainers: Obj[] = spec.initContainers ?? [];
  const total = (spec.containers ?? []).length + initContainers.filter(isSidecar).length;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: string | undefined;
  let lastSidecarRestart: string | undefined;
  let reason: string = status.reason || status.phase || '';

  for (const c of status.conditions ?? []) {
    if (c?.type === 'PodScheduled' && c?.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initSpec = new Map(initContainers.map((c) => [c.name, c]));
  const initStatuses: Obj[] = status.initContainerStatuses ?? [];
  let initializing = false;
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    restarts += cs.restartCount ?? 0;
    const lastTerm = cs.lastState?.terminated;
    if (lastTerm) lastRestart = later(lastRestart, lastTerm.finishedAt);
    const sidecar = isSidecar(initSpec.get(cs.name));
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0;
      if (lastTerm) lastSidecarRestart = later(lastSidecarRestart, lastTerm.finishedAt);
    }
    const term = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (term && term.exitCode === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready) ready++;
      continue;
    }
    if (term) {
      reason = term.reason ? `Init:${term.reason}` : term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(pod, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses: Obj[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += cs.restartCount ?? 0;
      if (cs.lastState?.terminated) lastRestart = later(lastRestart, cs.lastState.terminated.finishedAt);
      const waiting = cs.state?.waiting;
      const term = cs.state?.terminated;
      if (waiting?.reason) reason = waiting.reason;
      else if (term?.reason) reason = term.reason;
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = hasCondition(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata?.deletionTimestamp && status.reason === NODE_UNREACHABLE_POD_REASON) reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && !isPodTerminal(pod)) reason = 'Terminating';

  const summary: PodStatusSummary = { ready, total, status: reason, restarts };
  if (lastRestart) summary.lastRestartTime = lastRestart;
  return summary;
}

/** The READY column's numbers. */
export function podReadyCount(pod: Obj): { ready: number; total: number } {
  const { ready, total } = podStatusSummary(pod);
  return { ready, total };
}

/** The STATUS column. */
export function podStatusReason(pod: Obj): string {
  return podStatusSummary(pod).status;
}

const QOS_RESOURCES = ['cpu', 'memory'];

/** status.qosClass, as the apiserver computes it on create (pkg/apis/core/helper/qos). */
export function podQOSClass(pod: Obj): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  const containers: Obj[] = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  for (const c of containers) {
    const found = new Set<string>();
    for (const [res, target, seen] of [
      ['requests', requests, undefined],
      ['limits', limits, found],
    ] as const) {
      for (const [name, q] of Object.entries((c.resources?.[res] ?? {}) as Record<string, unknown>)) {
        const v = parseQuantity(q);
        if (!QOS_RESOURCES.includes(name) || !v) continue;
        target.set(name, (target.get(name) ?? 0) + v);
        seen?.add(name);
      }
    }
    if (!QOS_RESOURCES.every((r) => found.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, v] of requests) if (limits.get(name) !== v) guaranteed = false;
    if (guaranteed && requests.size === limits.size) return 'Guaranteed';
  }
  return 'Burstable';
}
