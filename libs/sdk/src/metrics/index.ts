export { SdkMetrics } from './sdk-metrics';
