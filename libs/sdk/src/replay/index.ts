/**
 * Dry-run replay: a reconciler run once against the cluster as of a
 * resourceVersion, its reads served from Logbook's time travel, its writes
 * captured (with diffs) instead of sent. See ReplaySession.
 */
export { ReplaySession, replayReconcile, replaySteps, timelineResourceVersions } from './replay-session';
export type { ReplayLogLine, ReplayOptions, ReplayReport, WouldBeEvent } from './replay-session';
export { PastState } from './past-state';
export type { PastReader, ReplayRead } from './past-state';
export { ReplayClient, ReplayUnsupportedError } from './replay-client';
export type { WouldBeWrite } from './would-be-write';
