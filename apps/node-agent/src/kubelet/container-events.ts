import type { Pod } from '@logbook/api';
import type { EventRecorder } from '@logbook/sdk';
import type { RuntimeContainerStatus, RuntimePodStatus } from '../runtime/container-runtime';

/**
 * The events a kubelet records about a pod's containers, as `kubectl
 * describe pod` shows them: `Pulled`, `Created`, `Started` when a container
 * (re)starts, `BackOff` when it waits to be restarted, `Killing` when it is
 * stopped. Derived by comparing what the runtime reports with what it
 * reported before, so any runtime gets them. What only the runtime sees
 * (failed probes, a container killed for one, image pulls) it reports
 * itself, and `record` writes it.
 */
export class ContainerEvents {
  /** Per pod uid, per container: the last containerID and waiting reason seen. */
  private readonly seen = new Map<string, Map<string, { id?: string; waiting?: string }>>();
  private readonly killing = new Set<string>();

  constructor(private readonly recorder: EventRecorder | undefined) {}

  observe(pod: Pod, rt: RuntimePodStatus): void {
    if (!this.recorder) return;
    let last = this.seen.get(rt.uid);
    if (!last) this.seen.set(rt.uid, (last = new Map()));
    const specs = new Map([...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => [c.name, c]));
    for (const c of [...rt.initContainers, ...rt.containers]) {
      const before = last.get(c.name) ?? {};
      const now = { id: c.containerID, waiting: c.state.waiting?.reason };
      last.set(c.name, now);
      if (c.containerID && c.containerID !== before.id && (c.state.running || c.state.terminated)) this.started(pod, c, specs.get(c.name)?.image ?? c.image);
      if (now.waiting === 'CrashLoopBackOff' && before.waiting !== 'CrashLoopBackOff') {
        void this.recorder.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${pod.metadata?.name}_${pod.metadata?.namespace}(${rt.uid})`);
      }
    }
  }

  /** Before stopping a pod's containers (once per pod). */
  stopping(pod: Pod, rt: RuntimePodStatus | undefined): void {
    const uid = pod.metadata?.uid ?? '';
    if (!this.recorder || !rt || this.killing.has(uid)) return;
    this.killing.add(uid);
    for (const c of [...rt.initContainers, ...rt.containers]) {
      if (c.state.running) void this.recorder.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`);
    }
  }

  /** An event the runtime reported (`Unhealthy`, `Killing` for a probe, `Failed` pulls ...). */
  record(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (this.recorder) void this.recorder.event(pod, type, reason, message);
  }

  forget(uid: string): void {
    this.seen.delete(uid);
    this.killing.delete(uid);
  }

  private started(pod: Pod, c: RuntimeContainerStatus, image: string): void {
    const r = this.recorder!;
    void r.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
    void r.event(pod, 'Normal', 'Created', `Created container ${c.name}`);
    void r.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
  }
}
