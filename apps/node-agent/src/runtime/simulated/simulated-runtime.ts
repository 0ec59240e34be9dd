import { randomBytes } from 'crypto';
import type { Container, ContainerState, Pod } from '@logbook/api';
import { Observable, Subject } from 'rxjs';
import type { ContainerRuntime, RuntimeContainerStatus, RuntimePodStatus } from '../container-runtime';
import { imageId, normalizeImage } from '../image-reference';
import { PodIpAllocator } from './pod-ip-allocator';
import { Behaviour, behaviourOf, SimulationRule } from './simulation-rules';

export { normalizeImage } from '../image-reference';

export interface SimulatedRuntimeOptions {
  /** The node's pod CIDR, where pod IPs come from. */
  podCIDR: string;
  /** From seeing a pod to its containers running: a random delay in this range (ms). Default [100, 300]. */
  startDelayMs?: [number, number];
  /** How long a finite container (a job) runs. Default 1000 ms. */
  runMs?: number;
  /** How long containers take to stop when asked (never more than the grace period). Default 100 ms. */
  terminationDelayMs?: number;
  /** First restart back-off after a container exits; doubles per restart. Default 1000 ms (Kubernetes: 10 s). */
  restartBackoffMs?: number;
  /** Cap of the restart back-off. Default 30 s (Kubernetes: 5 min). */
  maxRestartBackoffMs?: number;
  /** Scales seconds read from pod specs (`sleep N`, probe delays, grace periods). Default 1. */
  timeScale?: number;
  /** Image rules tried before the defaults (see simulation-rules.ts). */
  rules?: SimulationRule[];
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface SimContainer {
  spec: Container;
  init: boolean;
  behaviour: Behaviour;
  status: RuntimeContainerStatus;
}

interface SimPod {
  uid: string;
  pod: Pod;
  podIP?: string;
  init: SimContainer[];
  containers: SimContainer[];
  timers: Set<NodeJS.Timeout>;
  killing?: Promise<void>;
}

/**
 * The `simulated` runtime (as KWOK simulates kubelets): no processes, only
 * the lifecycle a pod's containers would go through, on timers — sandbox
 * and IP, init containers one after the other, containers running and
 * becoming ready, jobs exiting 0 or 1, restarts with back-off as
 * `restartPolicy` says, and termination within the grace period. How each
 * container behaves is decided by `behaviourOf` (annotations, image rules,
 * the command line). Cheap: thousands of pods per process.
 */
export class SimulatedRuntime implements ContainerRuntime {
  readonly name = 'simulated';
  readonly version = 'simulated://1.0.0';
  private readonly pods = new Map<string, SimPod>();
  private readonly changes = new Subject<string>();
  private readonly ips: PodIpAllocator;
  private readonly opts: Required<Omit<SimulatedRuntimeOptions, 'rules'>> & { rules: SimulationRule[] };
  private closed = false;

  constructor(options: SimulatedRuntimeOptions) {
    this.opts = {
      podCIDR: options.podCIDR,
      startDelayMs: options.startDelayMs ?? [100, 300],
      runMs: options.runMs ?? 1000,
      terminationDelayMs: options.terminationDelayMs ?? 100,
      restartBackoffMs: options.restartBackoffMs ?? 1000,
      maxRestartBackoffMs: options.maxRestartBackoffMs ?? 30_000,
      timeScale: options.timeScale ?? 1,
      rules: options.rules ?? [],
    };
    this.ips = new PodIpAllocator(options.podCIDR);
  }

  get changes$(): Observable<string> {
    return this.changes.asObservable();
  }

  /** Pods the runtime knows. */
  get podCount(): number {
    return this.pods.size;
  }

  async syncPod(pod: Pod): Promise<void> {
    if (this.closed) return;
    const uid = pod.metadata!.uid!;
    const known = this.pods.get(uid);
    if (known) {
      known.pod = pod;
      return;
    }
    const sim = this.adopt(pod) ?? this.create(pod);
    this.pods.set(uid, sim);
    this.changed(sim);
  }

  killPod(pod: Pod, gracePeriodSeconds: number): Promise<void> {
    const sim = this.pods.get(pod.metadata!.uid!);
    if (!sim) return Promise.resolve();
    if (sim.killing) return sim.killing;
    this.clearTimers(sim);
    const delay = Math.min(this.opts.terminationDelayMs, Math.max(0, gracePeriodSeconds) * 1000 * this.opts.timeScale);
    sim.killing = new Promise<void>((resolve) => {
      const finish = () => {
        const now = Date.now();
        for (const c of [...sim.init, ...sim.containers]) {
          if (c.status.state.terminated) continue;
          const startedAt = c.status.state.running?.startedAt ?? null;
          c.status.state = { terminated: { exitCode: 0, reason: 'Completed', startedAt, finishedAt: iso(now), containerID: c.status.containerID } };
          c.status.ready = false;
          c.status.started = false;
        }
        this.changed(sim);
        resolve();
      };
      if (delay <= 0) finish();
      else this.after(sim, delay, finish);
    });
    return sim.killing;
  }

  async removePod(uid: string): Promise<void> {
    const sim = this.pods.get(uid);
    if (!sim) return;
    this.clearTimers(sim);
    this.ips.release(sim.podIP);
    this.pods.delete(uid);
  }

  status(uid: string): RuntimePodStatus | undefined {
    const sim = this.pods.get(uid);
    if (!sim) return undefined;
    const copy = (c: SimContainer): RuntimeContainerStatus => structuredClone(c.status);
    return { uid, podIP: sim.podIP, initContainers: sim.init.map(copy), containers: sim.containers.map(copy) };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const sim of this.pods.values()) this.clearTimers(sim);
    this.pods.clear();
    this.changes.complete();
  }

  // --- lifecycle ---------------------------------------------------------------

  private create(pod: Pod): SimPod {
    const inits = (pod.spec?.initContainers ?? []).map((c) => this.container(pod, c, true, { waiting: { reason: 'PodInitializing' } }));
    const waiting: ContainerState = { waiting: { reason: inits.length ? 'PodInitializing' : 'ContainerCreating' } };
    const containers = (pod.spec?.containers ?? []).map((c) => this.container(pod, c, false, structuredClone(waiting)));
    const sim: SimPod = { uid: pod.metadata!.uid!, pod, init: inits, containers, timers: new Set() };
    const [min, max] = this.opts.startDelayMs;
    const delay = min + Math.random() * Math.max(0, max - min);
    const sandbox = () => {
      sim.podIP = pod.spec?.hostNetwork ? undefined : this.ips.allocate();
      this.runInit(sim, 0);
    };
    if (delay <= 0) sandbox();
    else this.after(sim, delay, () => (sandbox(), this.changed(sim)));
    return sim;
  }

  /**
   * A pod whose status says its containers ran (the node agent restarted):
   * carry on from that state instead of starting it again.
   */
  private adopt(pod: Pod): SimPod | undefined {
    const statuses = pod.status?.containerStatuses ?? [];
    if (!statuses.some((s) => s.state?.running || s.state?.terminated || s.lastState?.terminated)) return undefined;
    const byName = new Map(statuses.map((s) => [s.name, s]));
    const initByName = new Map((pod.status?.initContainerStatuses ?? []).map((s) => [s.name, s]));
    const restore = (c: Container, init: boolean) => {
      const sim = this.container(pod, c, init, { waiting: { reason: 'ContainerCreating' } });
      const s = (init ? initByName : byName).get(c.name);
      if (s) Object.assign(sim.status, { state: s.state ?? sim.status.state, lastState: s.lastState, ready: s.ready, started: s.started ?? false, restartCount: s.restartCount, containerID: s.containerID ?? sim.status.containerID });
      return sim;
    };
    const sim: SimPod = {
      uid: pod.metadata!.uid!,
      pod,
      podIP: pod.status?.podIP,
      init: (pod.spec?.initContainers ?? []).map((c) => restore(c, true)),
      containers: (pod.spec?.containers ?? []).map((c) => restore(c, false)),
      timers: new Set(),
    };
    if (sim.podIP && !this.ips.reserve(sim.podIP)) sim.podIP = this.ips.allocate();
    for (const c of sim.containers) {
      if (c.status.state.running) this.schedule(sim, c, Date.parse(c.status.state.running.startedAt ?? '') || Date.now());
      else if (c.status.state.waiting || (c.status.state.terminated && this.restarts(sim.pod, c.status.state.terminated.exitCode))) this.restartLater(sim, c);
    }
    return sim;
  }

  private container(pod: Pod, spec: Container, init: boolean, state: ContainerState): SimContainer {
    const behaviour = behaviourOf(pod, spec, { runMs: this.opts.runMs, timeScale: this.opts.timeScale }, this.opts.rules);
    // An init container always runs to completion (unless told to fail or to loop forever by its command).
    if (init && spec.restartPolicy !== 'Always' && behaviour.outcome === 'run') behaviour.outcome = 'complete';
    const image = spec.image ?? '';
    return {
      spec,
      init,
      behaviour,
      status: {
        name: spec.name,
        image: normalizeImage(image),
        imageID: '',
        containerID: undefined,
        state,
        ready: false,
        started: false,
        restartCount: 0,
      },
    };
  }

  /** Runs the init containers in order (sidecars keep running), then the containers. */
  private runInit(sim: SimPod, index: number): void {
    if (this.closed || sim.killing) return;
    const init = sim.init[index];
    if (!init) {
      for (const c of sim.containers) this.start(sim, c);
      return;
    }
    this.start(sim, init);
    if (init.spec.restartPolicy === 'Always') return this.runInit(sim, index + 1);
    // The next one starts when this one completes (see exited).
  }

  private start(sim: SimPod, c: SimContainer): void {
    const now = Date.now();
    c.status.containerID = `simulated://${randomBytes(32).toString('hex')}`;
    c.status.imageID = imageId(c.spec.image ?? '');
    c.status.state = { running: { startedAt: iso(now) } };
    c.status.started = true;
    c.status.ready = !c.init && !c.behaviour.neverReady && c.behaviour.readyAfterMs <= 0;
    if (c.init && c.spec.restartPolicy === 'Always') c.status.ready = !c.behaviour.neverReady;
    this.schedule(sim, c, now);
  }

  /** Timers for what happens next to a running container: becoming ready, exiting. */
  private schedule(sim: SimPod, c: SimContainer, startedAt: number): void {
    const now = Date.now();
    if (!c.status.ready && !c.behaviour.neverReady && !c.init && c.behaviour.readyAfterMs > 0) {
      this.after(sim, Math.max(0, startedAt + c.behaviour.readyAfterMs - now), () => {
        if (!c.status.state.running) return;
        c.status.ready = true;
        this.changed(sim);
      });
    }
    if (c.behaviour.outcome === 'run') return;
    this.after(sim, Math.max(0, startedAt + c.behaviour.runMs - now), () => this.exited(sim, c, c.behaviour.outcome === 'complete' ? 0 : 1));
  }

  private exited(sim: SimPod, c: SimContainer, exitCode: number): void {
    const now = Date.now();
    c.status.state = {
      terminated: {
        exitCode,
        reason: exitCode === 0 ? 'Completed' : 'Error',
        startedAt: c.status.state.running?.startedAt ?? null,
        finishedAt: iso(now),
        containerID: c.status.containerID,
      },
    };
    c.status.ready = false;
    c.status.started = false;
    if (c.init && c.spec.restartPolicy !== 'Always') {
      if (exitCode === 0) this.runInit(sim, sim.init.indexOf(c) + 1);
      else if (this.restarts(sim.pod, exitCode)) this.restartLater(sim, c);
    } else if (this.restarts(sim.pod, exitCode)) {
      this.restartLater(sim, c);
    }
    this.changed(sim);
  }

  /** Whether the kubelet restarts a container that exited so (init containers: OnFailure unless Never). */
  private restarts(pod: Pod, exitCode: number): boolean {
    const policy = pod.spec?.restartPolicy ?? 'Always';
    return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
  }

  /** CrashLoopBackOff: wait (doubling per restart), then run the container again. */
  private restartLater(sim: SimPod, c: SimContainer): void {
    const backoff = Math.min(this.opts.restartBackoffMs * 2 ** c.status.restartCount, this.opts.maxRestartBackoffMs);
    const last = c.status.state.terminated ? { terminated: c.status.state.terminated } : c.status.lastState;
    c.status.lastState = last;
    const seconds = Math.round(backoff / 1000);
    c.status.state = {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${seconds}s restarting failed container=${c.spec.name} pod=${sim.pod.metadata?.name}_${sim.pod.metadata?.namespace}(${sim.uid})`,
      },
    };
    this.after(sim, backoff, () => {
      c.status.restartCount++;
      this.start(sim, c);
      this.changed(sim);
    });
  }

  private after(sim: SimPod, ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      sim.timers.delete(t);
      if (this.closed) return;
      fn();
    }, ms);
    sim.timers.add(t);
  }

  private clearTimers(sim: SimPod): void {
    for (const t of sim.timers) clearTimeout(t);
    sim.timers.clear();
  }

  private changed(sim: SimPod): void {
    if (!this.closed) this.changes.next(sim.uid);
  }
}
