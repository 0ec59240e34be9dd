import type { Lease, LeaseSpec } from '@logbook/api';
import { isAlreadyExists, isConflict, isNotFound } from '@logbook/machinery';
import { BehaviorSubject, distinctUntilChanged, Observable } from 'rxjs';
import { kinds, KubeClient } from '../client';
import { Clock, realClock, sleep } from '../clock';
import { defaultLogger, errorMessage, SdkLogger } from '../logging';
import { JITTER_FACTOR, LeaderElectionOptions, resolveLeaderElection, ResolvedLeaderElectionOptions } from './leader-election-config';

/** metav1.MicroTime: RFC 3339 with microseconds. */
const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

const sameRecord = (a: LeaseSpec | undefined, b: LeaseSpec | undefined) =>
  !!a &&
  !!b &&
  (a.holderIdentity ?? '') === (b.holderIdentity ?? '') &&
  a.leaseDurationSeconds === b.leaseDurationSeconds &&
  a.acquireTime === b.acquireTime &&
  a.renewTime === b.renewTime &&
  (a.leaseTransitions ?? 0) === (b.leaseTransitions ?? 0);

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's
 * leaderelection package does it:
 *
 * - A candidate reads the Lease every retry period (with jitter). It takes
 *   the lease when nobody holds it, or when the record has not changed for
 *   a lease duration *as measured on its own clock* since it first saw that
 *   record (so clock skew between replicas does not matter).
 * - The leader renews every retry period; if it cannot renew within the
 *   renew deadline it stops leading — before anyone else may take over.
 * - Every write is an update guarded by the Lease's resourceVersion, so two
 *   candidates cannot both win.
 * - `leaseTransitions` counts changes of holder; `acquireTime` is when the
 *   current holder took it.
 *
 * Unlike client-go (whose users usually exit when they lose the lease), an
 * elector that loses leadership becomes a candidate again.
 */
export class LeaderElector {
  readonly config: ResolvedLeaderElectionOptions;
  private readonly client: KubeClient;
  private readonly clock: Clock;
  private readonly log: SdkLogger;
  private readonly leading = new BehaviorSubject<boolean>(false);
  private observedRecord?: LeaseSpec;
  private observedTime = 0;
  private observedResourceVersion?: string;
  private abort?: AbortController;
  private running?: Promise<void>;

  constructor(client: KubeClient, opts: LeaderElectionOptions & { identity: string; clock?: Clock; logger?: SdkLogger }) {
    this.config = resolveLeaderElection(opts, opts.identity);
    // An attempt may take up to the renew deadline (client-go bounds the whole renewal by it, not
    // each request by the retry period): on a busy server a slow answer still renews in time.
    this.client = client.withRequestTimeout(this.config.renewDeadlineMs).withFieldManager('leader-election');
    this.clock = opts.clock ?? realClock;
    this.log = opts.logger ?? defaultLogger(`LeaderElector ${this.config.leaseNamespace}/${this.config.leaseName}`);
  }

  /** true while this replica leads; emits on every change. */
  get leading$(): Observable<boolean> {
    return this.leading.pipe(distinctUntilChanged());
  }

  get isLeader(): boolean {
    return this.leading.value;
  }

  /** Who holds the lease, as last observed ('' when nobody). */
  get leaderIdentity(): string {
    return this.observedRecord?.holderIdentity ?? '';
  }

  start(): void {
    if (this.running) return;
    this.abort = new AbortController();
    this.running = this.run(this.abort.signal);
  }

  /** Stops campaigning and renewing; releases the lease if leading and `releaseOnCancel`. */
  async stop(): Promise<void> {
    if (!this.running) return;
    const wasLeader = this.observedRecord?.holderIdentity === this.config.identity;
    this.abort!.abort();
    await this.running;
    this.running = undefined;
    if (wasLeader && this.config.releaseOnCancel) await this.release();
    this.leading.next(false);
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { retryPeriodMs, renewDeadlineMs, identity } = this.config;
    while (!signal.aborted) {
      // Acquire.
      while (!signal.aborted && !(await this.tryAcquireOrRenew())) {
        // wait.Jitter: between 1 and 1 + JitterFactor retry periods.
        await sleep(retryPeriodMs * (1 + Math.random() * JITTER_FACTOR), this.clock, signal);
      }
      if (signal.aborted) break;
      this.log.log(`${identity} became leader`);
      this.leading.next(true);
      // Renew until the deadline passes without success.
      for (;;) {
        await sleep(retryPeriodMs, this.clock, signal);
        if (signal.aborted) break;
        const deadline = this.clock.now() + renewDeadlineMs;
        let renewed = false;
        while (!signal.aborted && this.clock.now() < deadline) {
          if ((renewed = await this.tryAcquireOrRenew())) break;
          await sleep(Math.min(retryPeriodMs, Math.max(0, deadline - this.clock.now())), this.clock, signal);
        }
        if (signal.aborted) break;
        if (!renewed) {
          this.log.warn(`${identity} could not renew the lease within ${renewDeadlineMs} ms: stopped leading`);
          this.leading.next(false);
          break;
        }
      }
    }
  }

  /** One attempt (client-go's tryAcquireOrRenew). */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { leaseName: name, leaseNamespace: namespace, identity, leaseDurationMs } = this.config;
    const now = this.clock.now();
    const fresh: LeaseSpec = {
      holderIdentity: identity,
      leaseDurationSeconds: leaseDurationMs / 1000,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    let lease: Lease;
    try {
      lease = await this.client.get(kinds.Lease, { namespace, name });
    } catch (err) {
      if (!isNotFound(err)) {
        this.log.warn(`reading the lease: ${errorMessage(err)}`);
        return false;
      }
      try {
        const created = await this.client.create(kinds.Lease, { metadata: { name, namespace }, spec: fresh });
        this.observe(created, now);
        return true;
      } catch (createErr) {
        if (!isAlreadyExists(createErr)) this.log.warn(`creating the lease: ${errorMessage(createErr)}`);
        return false;
      }
    }
    const old = lease.spec ?? {};
    if (!sameRecord(old, this.observedRecord)) {
      this.observedRecord = old;
      this.observedTime = now;
    }
    this.observedResourceVersion = lease.metadata?.resourceVersion;
    const holder = old.holderIdentity ?? '';
    const heldByMe = holder === identity;
    const duration = (old.leaseDurationSeconds ?? leaseDurationMs / 1000) * 1000;
    if (holder !== '' && !heldByMe && this.observedTime + duration > now) return false;

    const next: LeaseSpec = heldByMe
      ? { ...fresh, acquireTime: old.acquireTime ?? fresh.acquireTime, leaseTransitions: old.leaseTransitions ?? 0 }
      : { ...fresh, leaseTransitions: (old.leaseTransitions ?? 0) + 1 };
    try {
      const updated = await this.client.update(kinds.Lease, { ...lease, spec: { ...lease.spec, ...next } });
      this.observe(updated, now);
      return true;
    } catch (err) {
      if (!isConflict(err)) this.log.warn(`updating the lease: ${errorMessage(err)}`);
      return false;
    }
  }

  private observe(lease: Lease, now: number): void {
    this.observedRecord = lease.spec ?? {};
    this.observedTime = now;
    this.observedResourceVersion = lease.metadata?.resourceVersion;
  }

  /** Hands the lease back: holder cleared, duration 1 s (client-go's release). */
  private async release(): Promise<void> {
    const { leaseName: name, leaseNamespace: namespace } = this.config;
    const now = microTime(this.clock.now());
    try {
      await this.client.update(kinds.Lease, {
        metadata: { name, namespace, resourceVersion: this.observedResourceVersion },
        spec: { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: this.observedRecord?.leaseTransitions ?? 0 },
      });
      this.log.log(`${this.config.identity} released the lease`);
    } catch (err) {
      this.log.warn(`releasing the lease: ${errorMessage(err)}`);
    }
  }
}
