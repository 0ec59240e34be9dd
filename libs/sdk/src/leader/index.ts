export { LeaderElector } from './leader-elector';
export {
  DEFAULT_LEASE_DURATION_MS,
  DEFAULT_RENEW_DEADLINE_MS,
  DEFAULT_RETRY_PERIOD_MS,
  resolveLeaderElection,
} from './leader-election-config';
export type { LeaderElectionOptions } from './leader-election-config';
