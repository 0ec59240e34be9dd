import type { ContainerState, Pod } from '@logbook/api';
import type { Observable } from 'rxjs';
import type { Duplex } from 'stream';

/** One container as the runtime sees it: what becomes a `ContainerStatus`. */
export interface RuntimeContainerStatus {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  state: ContainerState;
  lastState?: ContainerState;
  ready: boolean;
  started: boolean;
  restartCount: number;
}

/** A pod as the runtime sees it. */
export interface RuntimePodStatus {
  uid: string;
  /** Set once the pod's sandbox (its network) exists. */
  podIP?: string;
  initContainers: RuntimeContainerStatus[];
  containers: RuntimeContainerStatus[];
}

/** Where a container run's log is (`live`: still being written), or why there is none (a 400 for `kubectl logs`). */
export type ContainerLogRef = { path: string; live: () => boolean } | { error: string };

/** How to run a command inside a running container (its namespaces, environment and working directory), or why not. */
export type ExecTarget = { file: string; args: string[]; env: Record<string, string>; cwd?: string } | { error: string };

/** Opens a TCP connection to a port of a pod, from inside its network namespace. */
export type PortDialer = (port: number) => Duplex;

/**
 * Something the runtime saw happen to a pod's container that the kubelet
 * records as an Event (a failed probe, a container killed for it, an image
 * that cannot be pulled), as the kubelet's prober and image manager do.
 */
export interface RuntimeEvent {
  uid: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/**
 * What runs a node's pods. The kubelet tells it what should run
 * (`syncPod`, `killPod`) and reads back what does (`status`); the runtime
 * says when that changed (`changes$`), and the kubelet writes the pod's
 * status from it.
 *
 * Implementations: `simulated` (pods go through their lifecycle on timers,
 * no processes — for tests and benchmarks); `process` (each container an
 * OS process; logs and exec).
 */
export interface ContainerRuntime {
  /** `simulated`, `process`, ... */
  readonly name: string;
  /** The Node's `nodeInfo.containerRuntimeVersion`, e.g. `simulated://1.0.0`. */
  readonly version: string;
  /**
   * Brings the pod's containers to what its spec asks: starts them the first
   * time, restarts them as `restartPolicy` says. Called on every change of
   * the pod; must be idempotent. Never called for a pod being deleted.
   */
  syncPod(pod: Pod): Promise<void>;
  /** Stops every container of the pod within `gracePeriodSeconds`; resolves once all have stopped. */
  killPod(pod: Pod, gracePeriodSeconds: number): Promise<void>;
  /** Forgets a pod that no longer exists (frees its IP and any resources). */
  removePod(uid: string): Promise<void>;
  /** The pod's current state, or undefined if the runtime does not know it. */
  status(uid: string): RuntimePodStatus | undefined;
  /** Emits a pod's uid whenever its state changed (a container started, exited, became ready). */
  readonly changes$: Observable<string>;
  /** Stops everything (the node agent is shutting down). */
  close(): Promise<void>;
  /** Prepares the node (its pod network); before the first pod. */
  prepare?(): Promise<void>;
  /** The node's own address, when the runtime decides it (the pod bridge's). */
  readonly nodeAddress?: string;
  /** Features this runtime lacks on this machine (e.g. without root), for the node's annotation. */
  readonly missingFeatures?: string[];
  /** A container's log file, for `kubectl logs`. */
  containerLog?(uid: string, container: string, previous: boolean): ContainerLogRef;
  /** A command to run inside a running container, for `kubectl exec`. */
  execIn?(uid: string, container: string, command: string[]): ExecTarget;
  /** How to reach a pod's ports, for `kubectl port-forward`. */
  portDialer?(uid: string): PortDialer | { error: string };
  /** Events about containers for the kubelet to record (probe failures, kills, image pulls). */
  readonly events$?: Observable<RuntimeEvent>;
}
