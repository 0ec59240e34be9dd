import type { Job, Pod } from '@logbook/api';
import { parseApiVersion } from '@logbook/api';
import { compareResourceVersions, controllerReferenceOf, InformerEvent, InformerFactory, kinds } from '@logbook/sdk';
import { Subscription } from 'rxjs';
import { ControllerExpectations } from '../shared';
import { hasTrackingFinalizer } from './job-tracking';

export const podKey = (p: Pod) => `${p.metadata?.namespace}/${p.metadata?.name}`;

/**
 * What the Job controller is still waiting to see in its caches after
 * acting, so that a sync on a lagging cache does not act twice:
 *
 * - pod creations and deletions (shared ControllerExpectations), as kube's
 *   expectations: no pods are created or deleted until they are observed;
 * - finalizer removals, by pod uid (kube's finalizerExpectations): a pod
 *   whose finalizer we removed but which the cache still shows with it must
 *   not be counted again;
 * - the Job's own status writes, by resourceVersion: a sync on a cached Job
 *   older than the last status written would count from stale counters.
 *
 * Counted off by a subscription to the pod informer, as kube's pod event
 * handlers do.
 */
export class JobExpectations {
  readonly pods: ControllerExpectations;
  private readonly removals = new Map<string, Set<string>>();
  private readonly written = new Map<string, string>();
  private subscription?: Subscription;

  constructor(
    private readonly informers: InformerFactory,
    opts: { ttlMs?: number; now?: () => number } = {},
  ) {
    this.pods = new ControllerExpectations(opts);
  }

  /** Starts counting off from pod events (idempotent; call from every sync). */
  observe(): void {
    if (this.subscription && !this.subscription.closed) return;
    this.subscription = this.informers.informerFor(kinds.Pod).events$.subscribe((e) => this.onPodEvent(e));
  }

  close(): void {
    this.subscription?.unsubscribe();
  }

  /** Forgets everything about a Job (it was deleted). */
  forget(jobKey: string): void {
    this.pods.delete(jobKey);
    this.removals.delete(jobKey);
    this.written.delete(jobKey);
  }

  // --- finalizer removals ----------------------------------------------------------

  expectFinalizersRemoved(jobKey: string, podUids: Iterable<string>): void {
    const set = this.removals.get(jobKey) ?? new Set<string>();
    for (const uid of podUids) set.add(uid);
    if (set.size) this.removals.set(jobKey, set);
  }

  finalizerRemovalObserved(jobKey: string, podUid: string): void {
    const set = this.removals.get(jobKey);
    if (!set) return;
    set.delete(podUid);
    if (set.size === 0) this.removals.delete(jobKey);
  }

  /** Pod uids whose finalizer removal is not observed yet. */
  pendingFinalizerRemovals(jobKey: string): ReadonlySet<string> {
    return this.removals.get(jobKey) ?? new Set();
  }

  // --- the Job's own writes ---------------------------------------------------------

  statusWritten(jobKey: string, job: Job): void {
    const rv = job.metadata?.resourceVersion;
    if (rv) this.written.set(jobKey, rv);
  }

  /** Whether the cached Job has caught up with our last status write. */
  jobCaughtUp(jobKey: string, cached: Job): boolean {
    const rv = this.written.get(jobKey);
    return !rv || !cached.metadata?.resourceVersion || compareResourceVersions(cached.metadata.resourceVersion, rv) >= 0;
  }

  // --- pod events -----------------------------------------------------------------------

  private jobKeyOf(pod: Pod): string | undefined {
    const ref = controllerReferenceOf(pod);
    if (!ref || ref.kind !== 'Job' || parseApiVersion(ref.apiVersion).group !== 'batch') return undefined;
    return `${pod.metadata?.namespace}/${ref.name}`;
  }

  private onPodEvent(e: InformerEvent<Pod>): void {
    const pod = e.object;
    const key = this.jobKeyOf(pod) ?? (e.type === 'UPDATED' ? this.jobKeyOf(e.oldObject) : undefined);
    if (!key) return;
    const uid = pod.metadata?.uid ?? '';
    switch (e.type) {
      case 'ADDED':
        if (pod.metadata?.deletionTimestamp) this.pods.deletionObserved(key, podKey(pod));
        else this.pods.creationObserved(key);
        if (!hasTrackingFinalizer(pod)) this.finalizerRemovalObserved(key, uid);
        return;
      case 'UPDATED':
        if (pod.metadata?.deletionTimestamp && !e.oldObject.metadata?.deletionTimestamp) this.pods.deletionObserved(key, podKey(pod));
        if (!hasTrackingFinalizer(pod)) this.finalizerRemovalObserved(key, uid);
        return;
      case 'DELETED':
        this.pods.deletionObserved(key, podKey(pod));
        this.finalizerRemovalObserved(key, uid);
        return;
    }
  }
}
