// Pods: NAME, READY, STATUS, RESTARTS, AGE; wide IP, NODE, NOMINATED NODE,
// READINESS GATES. STATUS and RESTARTS follow printPod in
// pkg/printers/internalversion/printers.go (kubectl 1.32).

import { since } from '../duration';
import { ObjectMetaJSON, Printer, PrintContext, TableRowCondition } from '../types';
import { column, nameColumn, ageColumn, wide } from '../util';

interface ContainerState {
  waiting?: { reason?: string } | null;
  running?: { startedAt?: string } | null;
  terminated?: { reason?: string; exitCode?: number; signal?: number; finishedAt?: string } | null;
}

interface ContainerStatus {
  name: string;
  ready?: boolean;
  started?: boolean | null;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
}

export interface Pod {
  metadata?: ObjectMetaJSON;
  spec?: {
    nodeName?: string;
    containers?: Array<{ name: string }>;
    initContainers?: Array<{ name: string; restartPolicy?: string }>;
    readinessGates?: Array<{ conditionType: string }>;
  };
  status?: {
    phase?: string;
    reason?: string;
    podIP?: string;
    podIPs?: Array<{ ip: string }>;
    nominatedNodeName?: string;
    conditions?: Condition[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

const NODE_UNREACHABLE_POD_REASON = 'NodeLost';

/** A restartable init container is a sidecar (restartPolicy: Always). */
function isSidecar(pod: Pod, name: string): boolean {
  return (pod.spec?.initContainers ?? []).some((c) => c.name === name && c.restartPolicy === 'Always');
}

function conditionStatus(pod: Pod, type: string): string | undefined {
  return (pod.status?.conditions ?? []).find((c) => c.type === type)?.status;
}

/** The latest lastState.terminated.finishedAt among the given statuses. */
function latestRestart(statuses: ContainerStatus[], current: number | null): number | null {
  let latest = current;
  for (const c of statuses) {
    const finished = c.lastState?.terminated?.finishedAt;
    if (!finished) continue;
    const t = Date.parse(finished);
    if (!Number.isNaN(t) && (latest === null || t > latest)) latest = t;
  }
  return latest;
}

export interface PodSummary {
  ready: string;
  status: string;
  restarts: number;
  lastRestart: number | null;
}

/** READY, STATUS and RESTARTS of a pod, computed as kubectl does. */
export function podSummary(pod: Pod): PodSummary {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const phase = status.phase ?? '';
  let reason = status.reason || phase;
  if ((status.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) {
    reason = 'SchedulingGated';
  }

  const initContainers = spec.initContainers ?? [];
  const total = (spec.containers ?? []).length + initContainers.filter((c) => c.restartPolicy === 'Always').length;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: number | null = null;
  let lastSidecarRestart: number | null = null;

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    const sidecar = isSidecar(pod, c.name);
    restarts += c.restartCount ?? 0;
    lastRestart = latestRestart([c], lastRestart);
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      lastSidecarRestart = latestRestart([c], lastSidecarRestart);
    }
    const terminated = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (sidecar && c.started === true) {
      if (c.ready) ready++;
      continue;
    }
    if (terminated) {
      if (!terminated.reason) {
        reason = terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode ?? 0}`;
      } else {
        reason = `Init:${terminated.reason}`;
      }
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionStatus(pod, 'Initialized') === 'True') {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // Walked backwards, so the first container's state wins.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += c.restartCount ?? 0;
      lastRestart = latestRestart([c], lastRestart);
      const { waiting, terminated, running } = c.state ?? {};
      if (waiting?.reason) {
        reason = waiting.reason;
      } else if (terminated?.reason) {
        reason = terminated.reason;
      } else if (terminated) {
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
      } else if (c.ready && running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = conditionStatus(pod, 'Ready') === 'True' ? 'Running' : 'NotReady';
    }
  }

  const deleting = !!pod.metadata?.deletionTimestamp;
  if (deleting && status.reason === NODE_UNREACHABLE_POD_REASON) {
    reason = 'Unknown';
  } else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') {
    reason = 'Terminating';
  }
  return { ready: `${ready}/${total}`, status: reason, restarts, lastRestart };
}

function podIP(pod: Pod): string {
  // v1 -> internal conversion: podIP is authoritative, else podIPs[0].
  return pod.status?.podIP || pod.status?.podIPs?.[0]?.ip || '<none>';
}

function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const trueCount = gates.filter((g) => conditionStatus(pod, g.conditionType) === 'True').length;
  return `${trueCount}/${gates.length}`;
}

export const podPrinter: Printer = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'string', 'The aggregate status of the containers in this pod.'),
    column(
      'Restarts',
      'string',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    ageColumn(),
    wide('IP', 'IP address allocated to the pod. Routable at least within the cluster.'),
    wide('Node', 'NodeName is a request to schedule this pod onto a specific node.'),
    wide('Nominated Node', 'nominatedNodeName is set when this pod preempts other pods on the node.'),
    wide('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness.'),
  ],
  cells(pod: Pod, ctx: PrintContext) {
    const s = podSummary(pod);
    let restarts = String(s.restarts);
    if (s.restarts !== 0 && s.lastRestart !== null) {
      restarts = `${s.restarts} (${since(new Date(s.lastRestart).toISOString(), ctx.now)} ago)`;
    }
    return [
      pod.metadata?.name ?? '',
      s.ready,
      s.status,
      restarts,
      since(pod.metadata?.creationTimestamp, ctx.now),
      podIP(pod),
      pod.spec?.nodeName || '<none>',
      pod.status?.nominatedNodeName || '<none>',
      readinessGates(pod),
    ];
  },
  conditions(pod: Pod): TableRowCondition[] | undefined {
    switch (pod.status?.phase) {
      case 'Succeeded':
        return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
      case 'Failed':
        return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    }
    return undefined;
  },
};
