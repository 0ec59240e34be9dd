export { WorkQueue, NORMAL_PRIORITY, LOW_PRIORITY } from './work-queue';
export type { AddOptions, WorkQueueMetrics, WorkQueueOptions } from './work-queue';
export {
  BucketRateLimiter,
  DEFAULT_RATE_LIMITS,
  defaultControllerRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
} from './rate-limiter';
export type { RateLimiter } from './rate-limiter';
