/** Kubernetes' defaults (client-go, controller-runtime, kube-controller-manager). */
export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;
/** client-go's JitterFactor for acquire attempts. */
export const JITTER_FACTOR = 1.2;

export interface LeaderElectionOptions {
  /** The Lease's name: one per set of replicas that must not act together. */
  leaseName: string;
  /** Default `kube-system`. */
  leaseNamespace?: string;
  /**
   * How long a non-leader waits, from the last change it saw, before taking
   * over (whole seconds in the Lease). Default 15 s.
   */
  leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before it gives up leading. Default 10 s. */
  renewDeadlineMs?: number;
  /** Between attempts to acquire or renew. Default 2 s. */
  retryPeriodMs?: number;
  /**
   * On a graceful stop, hand the lease back (holder cleared, duration 1 s)
   * so another replica takes over at once. Default true. (client-go's
   * ReleaseOnCancel; false leaves others waiting out the lease, as a crash does.)
   */
  releaseOnCancel?: boolean;
}

export interface ResolvedLeaderElectionOptions extends Required<LeaderElectionOptions> {
  identity: string;
}

/** Fills in defaults and checks the timings as client-go's NewLeaderElector does. */
export function resolveLeaderElection(opts: LeaderElectionOptions, identity: string): ResolvedLeaderElectionOptions {
  const r: ResolvedLeaderElectionOptions = {
    leaseName: opts.leaseName,
    leaseNamespace: opts.leaseNamespace ?? 'kube-system',
    leaseDurationMs: opts.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS,
    renewDeadlineMs: opts.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS,
    retryPeriodMs: opts.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS,
    releaseOnCancel: opts.releaseOnCancel ?? true,
    identity,
  };
  const problems: string[] = [];
  if (!r.leaseName) problems.push('leaseName is required');
  if (!identity) problems.push('an identity is required');
  if (r.leaseDurationMs % 1000 !== 0 || r.leaseDurationMs < 1000) problems.push('leaseDurationMs must be whole seconds (the Lease stores seconds)');
  if (r.leaseDurationMs <= r.renewDeadlineMs) problems.push('leaseDurationMs must be greater than renewDeadlineMs');
  if (r.renewDeadlineMs <= JITTER_FACTOR * r.retryPeriodMs) problems.push(`renewDeadlineMs must be greater than ${JITTER_FACTOR} * retryPeriodMs`);
  if (r.retryPeriodMs < 1) problems.push('retryPeriodMs must be positive');
  if (problems.length) throw new Error(`leader election: ${problems.join('; ')}`);
  return r;
}
