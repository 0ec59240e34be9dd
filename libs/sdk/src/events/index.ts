export { EventRecorder, referenceTo } from './event-recorder';
export type { EventRecorderOptions, EventType } from './event-recorder';
export { COMBINED_PREFIX, EventCorrelator } from './event-correlator';
export type { Correlation, CorrelatorOptions, EventFields } from './event-correlator';
