export { realClock, sleep } from './clock';
export type { Clock, TimerHandle } from './clock';
export { FakeClock } from './fake-clock';
