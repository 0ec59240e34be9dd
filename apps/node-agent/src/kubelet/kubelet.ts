import type { Node, Pod } from '@logbook/api';
import { isAlreadyExists, isApiError, isConflict, isNotFound } from '@logbook/machinery';
import { EventRecorder, InformerEvent, InformerFactory, kinds, KubeClient, SdkLogger, TransportError, WorkQueue } from '@logbook/sdk';
import { Logger } from '@nestjs/common';
import { Subscription } from 'rxjs';
import type { ContainerRuntime } from '../runtime/container-runtime';
import { NodeConfig } from './node-config';
import { NodeLease, NodeLeaseOptions } from './node-lease';
import { healthyConditions, nodeObject } from './node-object';
import { ContainerEvents } from './container-events';
import { desiredPodStatus, statusDiffers, statusPatch } from './pod-status';

export interface KubeletOptions extends NodeLeaseOptions {
  client: KubeClient;
  /** Where the Pod informer comes from; kubelets of one process share it. */
  informers: InformerFactory;
  node: NodeConfig & { address: string; podCIDR: string };
  runtime: ContainerRuntime;
  /** The Node's `osImage`. */
  osImage?: string;
  /** How often the Ready condition's heartbeat is written (the Lease is the frequent heartbeat). Default 60 s. */
  statusReportIntervalMs?: number;
  /** Pods synced at once (each sync waits on the API: its status write, or a deletion's grace period). Default 32. */
  workers?: number;
  /** Record Pulled/Created/Started/Killing/BackOff events, as a kubelet does. Default true. */
  recordEvents?: boolean;
  logger?: SdkLogger;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const keyOf = (pod: Pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`;
/** Worth trying again: no answer, a conflict or a vanished object mid-way, a server error, throttling. */
const isRetriable = (err: unknown) =>
  err instanceof TransportError || isConflict(err) || isNotFound(err) || (isApiError(err) && (err.code >= 500 || err.code === 429));
const rvNumber = (o: { metadata?: { resourceVersion?: string } } | undefined) => Number(o?.metadata?.resourceVersion ?? 0);

/**
 * One node's kubelet: registers the Node, keeps its Lease, and runs the
 * pods bound to it through a ContainerRuntime.
 *
 * Pod workers (a work queue keyed by namespace/name, fed by the Pod
 * informer and by the runtime's changes) sync each pod:
 * - being deleted: stop its containers within the grace period, then
 *   delete it for good (`gracePeriodSeconds: 0`, guarded by uid), as the
 *   apiserver expects kubelets to finish graceful deletion;
 * - finished (Succeeded/Failed) and unknown to the runtime: left alone;
 * - otherwise: the runtime makes it run, and the status it reports
 *   (phase, conditions, IPs, container statuses) is written whenever it
 *   differs from the pod's, with the pod's resourceVersion as precondition.
 */
export class Kubelet {
  readonly name: string;
  private readonly log: SdkLogger;
  private readonly queue: WorkQueue<string>;
  private readonly subscriptions: Subscription[] = [];
  private readonly uidToKey = new Map<string, string>();
  /** The last pod object this kubelet wrote, per key: newer than the cache until the watch catches up. */
  private readonly written = new Map<string, Pod>();
  /** Uids of pods this kubelet has deleted for good: later syncs on a cache that still shows them do not delete again. */
  private readonly deletedUids = new Set<string>();
  private workers: Promise<void>[] = [];
  private lease?: NodeLease;
  private heartbeat?: NodeJS.Timeout;
  private registered?: Node;
  private running = false;
  private readonly events: ContainerEvents;

  constructor(private readonly opts: KubeletOptions) {
    this.name = opts.node.name;
    this.log = opts.logger ?? new Logger(`Kubelet ${this.name}`);
    this.queue = new WorkQueue<string>({ name: `kubelet-${this.name}` });
    const recorder = opts.recordEvents === false ? undefined : new EventRecorder(opts.client, { component: 'kubelet', instance: this.name, logger: this.log });
    this.events = new ContainerEvents(recorder);
  }

  get node(): Node | undefined {
    return this.registered;
  }

  get leaseRenewals(): number {
    return this.lease?.renewals ?? 0;
  }

  /** Registers the Node and its Lease, then starts the pod workers. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.registered = await this.register();
    if (!this.running) throw new Error(`kubelet ${this.name} was stopped while registering`);
    this.lease = new NodeLease(this.opts.client, this.registered, this.log, this.opts);
    await this.lease.start();
    if (!this.running) {
      await this.lease.stop();
      throw new Error(`kubelet ${this.name} was stopped while registering`);
    }
    this.scheduleHeartbeat();

    const pods = this.opts.informers.informerFor(kinds.Pod);
    this.subscriptions.push(
      pods.events$.subscribe((e) => this.onPodEvent(e)),
      this.opts.runtime.changes$.subscribe((uid) => {
        const key = this.uidToKey.get(uid);
        if (key) this.queue.add(key);
      }),
    );
    const runtimeEvents = this.opts.runtime.events$?.subscribe((e) => {
      const key = this.uidToKey.get(e.uid);
      const pod = key ? this.current(key) : undefined;
      if (pod?.metadata?.uid === e.uid) this.events.record(pod, e.type, e.reason, e.message);
    });
    if (runtimeEvents) this.subscriptions.push(runtimeEvents);
    this.workers = Array.from({ length: this.opts.workers ?? 32 }, () => this.work());
    this.log.log(`registered node ${this.name} (${this.opts.runtime.name} runtime, pod CIDR ${this.opts.node.podCIDR})`);
  }

  /**
   * Stops the workers, the heartbeat and the lease (containers are left to
   * the runtime's `close`). The Node stays registered, as when a kubelet
   * stops: the node lifecycle controller notices its lease expiring.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.subscriptions.splice(0).forEach((s) => s.unsubscribe());
    this.queue.shutDown();
    await Promise.all(this.workers.splice(0));
    clearTimeout(this.heartbeat);
    await this.lease?.stop();
  }

  // --- node --------------------------------------------------------------------

  /**
   * Creates the Node; if it exists (a restart), brings its labels and status
   * up to date. Like a kubelet, it keeps trying while the API server cannot
   * be reached or answers with a server error.
   */
  private async register(): Promise<Node> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.registerOnce();
      } catch (err) {
        if (!this.running || !isRetriable(err)) throw err;
        if (attempt % 10 === 0) this.log.warn(`registering node ${this.name} (will retry): ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 5_000)));
      }
    }
  }

  private async registerOnce(): Promise<Node> {
    const desired = nodeObject(this.opts.node, { version: this.opts.runtime.version, osImage: this.opts.osImage ?? 'Logbook node' }, Date.now());
    try {
      return await this.opts.client.create(kinds.Node, desired);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    const existing = await this.opts.client.get(kinds.Node, { name: this.name });
    const labelled = await this.opts.client.patch(kinds.Node, { name: this.name }, { metadata: { labels: desired.metadata!.labels } }, { type: 'merge' });
    const status = { ...desired.status!, conditions: healthyConditions(Date.now(), existing.status?.conditions) };
    return this.opts.client.patchStatus(kinds.Node, { name: this.name }, { metadata: { resourceVersion: labelled.metadata?.resourceVersion }, status }, { type: 'merge' });
  }

  private scheduleHeartbeat(): void {
    this.heartbeat = setTimeout(() => void this.reportNodeStatus().finally(() => this.running && this.scheduleHeartbeat()), this.opts.statusReportIntervalMs ?? 60_000);
  }

  /** Writes the node's conditions with a fresh heartbeat. */
  async reportNodeStatus(): Promise<void> {
    try {
      const node = await this.opts.client.get(kinds.Node, { name: this.name });
      this.registered = await this.opts.client.patchStatus(
        kinds.Node,
        { name: this.name },
        { status: { conditions: healthyConditions(Date.now(), node.status?.conditions) } },
        { type: 'strategic' },
      );
    } catch (err) {
      this.log.warn(`reporting node status: ${(err as Error).message}`);
    }
  }

  // --- pods ----------------------------------------------------------------------

  private onPodEvent(e: InformerEvent<Pod>): void {
    const pod = e.object;
    if (pod.spec?.nodeName !== this.name) return;
    const key = keyOf(pod);
    if (e.type !== 'DELETED' && pod.metadata?.uid) this.uidToKey.set(pod.metadata.uid, key);
    if (e.type === 'DELETED' && pod.metadata?.uid) this.deletedUids.delete(pod.metadata.uid);
    this.queue.add(key);
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.syncPod(key);
        this.queue.forget(key);
      } catch (err) {
        if (!isConflict(err)) this.log.warn(`syncing pod ${key}: ${(err as Error).message}`);
        if (this.running) this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  /** The freshest view of a pod: the cache's, or the one this kubelet last wrote if that is newer. */
  private current(key: string): Pod | undefined {
    const [namespace, name] = key.split('/');
    const cached = this.opts.informers.informerFor(kinds.Pod).lister.get(namespace, name);
    const written = this.written.get(key);
    if (!cached) {
      this.written.delete(key);
      return undefined;
    }
    if (written && written.metadata?.uid === cached.metadata?.uid && rvNumber(written) > rvNumber(cached)) return written;
    this.written.delete(key);
    return cached;
  }

  private async syncPod(key: string): Promise<void> {
    // Pods of this name the runtime still has from before (deleted, or re-created with a new uid).
    await this.forget(key);
    const pod = this.current(key);
    if (!pod || pod.spec?.nodeName !== this.name) return;
    const uid = pod.metadata!.uid!;
    const client = this.opts.client.withCause(pod.metadata?.resourceVersion);

    if (pod.metadata?.deletionTimestamp) {
      if (this.deletedUids.has(uid)) return; // gone already; the cache has not seen it yet
      const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
      this.events.stopping(pod, this.opts.runtime.status(uid));
      await this.opts.runtime.killPod(pod, grace);
      try {
        await client.delete(kinds.Pod, { namespace: pod.metadata.namespace, name: pod.metadata.name! }, { gracePeriodSeconds: 0, preconditions: { uid } });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
      this.deletedUids.add(uid);
      return;
    }

    // A pod the API says has finished never runs again, and never goes back to a running phase
    // (whoever set it: this kubelet, or someone failing it by hand).
    const finished = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    if (finished) {
      const known = this.opts.runtime.status(uid);
      if (!known) return;
      if ([...known.initContainers, ...known.containers].some((c) => !c.state.terminated)) {
        this.events.stopping(pod, known);
        await this.opts.runtime.killPod(pod, pod.spec?.terminationGracePeriodSeconds ?? 30);
      }
    } else {
      await this.opts.runtime.syncPod(pod);
    }
    const rt = this.opts.runtime.status(uid);
    if (!rt) return;
    this.events.observe(pod, rt);
    const desired = desiredPodStatus(pod, rt, { hostIP: this.opts.node.address, now: iso(Date.now()) });
    if (finished) desired.phase = pod.status!.phase;
    if (!statusDiffers(pod.status, desired)) return;
    const updated = await client.patchStatus(kinds.Pod, { namespace: pod.metadata!.namespace, name: pod.metadata!.name! }, statusPatch(pod, desired), {
      type: 'strategic',
      fieldManager: 'kubelet',
    });
    this.written.set(key, updated);
  }

  /**
   * Lets the runtime forget the pods of this key that are gone (or no
   * longer ours). What this kubelet last wrote for the key stays: `current`
   * drops it once the cache has caught up or the uid changed, and until
   * then it is the only view that includes this kubelet's own status write
   * (without it, a sync on the stale cache writes the status again).
   */
  private async forget(key: string): Promise<void> {
    for (const [uid, k] of this.uidToKey) {
      if (k !== key) continue;
      const [namespace, name] = key.split('/');
      const live = this.opts.informers.informerFor(kinds.Pod).lister.get(namespace, name);
      if (live?.metadata?.uid === uid && live.spec?.nodeName === this.name) continue;
      await this.opts.runtime.killPod({ metadata: { uid, name, namespace } } as Pod, 0);
      await this.opts.runtime.removePod(uid);
      this.events.forget(uid);
      this.uidToKey.delete(uid);
    }
  }
}
