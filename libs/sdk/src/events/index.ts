export { EventRecorder, referenceTo } from './event-recorder';
export type { EventRecorderOptions, EventType } from './event-recorder';
