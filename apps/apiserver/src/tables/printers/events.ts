// Events, core/v1 and events.k8s.io/v1 (both print through the same internal
// type): LAST SEEN, TYPE, REASON, OBJECT, MESSAGE; wide SUBOBJECT, SOURCE,
// FIRST SEEN, COUNT, NAME.

import { since } from '../duration';
import { ObjectMetaJSON, Printer } from '../types';
import { column, nameColumn, wide } from '../util';

interface ObjectReference {
  kind?: string;
  name?: string;
  fieldPath?: string;
}

interface CoreEvent {
  metadata?: ObjectMetaJSON;
  involvedObject?: ObjectReference;
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string } | null;
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  reportingInstance?: string;
}

interface EventsV1Event {
  metadata?: ObjectMetaJSON;
  regarding?: ObjectReference;
  reason?: string;
  note?: string;
  type?: string;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string } | null;
  reportingController?: string;
  reportingInstance?: string;
  deprecatedSource?: { component?: string; host?: string };
  deprecatedFirstTimestamp?: string | null;
  deprecatedLastTimestamp?: string | null;
  deprecatedCount?: number;
}

/** events.k8s.io/v1 -> core/v1 field names (the conversion kube applies). */
export function fromEventsV1(e: EventsV1Event): CoreEvent {
  return {
    metadata: e.metadata,
    involvedObject: e.regarding,
    reason: e.reason,
    message: e.note,
    type: e.type,
    count: e.deprecatedCount,
    firstTimestamp: e.deprecatedFirstTimestamp,
    lastTimestamp: e.deprecatedLastTimestamp,
    eventTime: e.eventTime,
    series: e.series,
    source: e.deprecatedSource,
    reportingComponent: e.reportingController,
    reportingInstance: e.reportingInstance,
  };
}

function eventSource(e: CoreEvent): string {
  const component = e.source?.component || e.reportingComponent || '';
  const instance = e.source?.host || e.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

function makeEventPrinter(normalize: (e: any) => CoreEvent): Printer {
  return {
    columns: [
      column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
      column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
      column('Reason', 'string', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
      column('Object', 'string', 'The object that this event is about.'),
      wide('Subobject', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.'),
      wide('Source', 'The component reporting this event.'),
      column('Message', 'string', 'A human-readable description of the status of this operation.'),
      wide('First Seen', 'The time at which the event was first recorded.'),
      wide('Count', 'The number of times this event has occurred.'),
      { ...nameColumn(), priority: 1 },
    ],
    cells(raw: unknown, ctx) {
      const e = normalize(raw);
      let first = since(e.firstTimestamp, ctx.now);
      if (!e.firstTimestamp) first = since(e.eventTime, ctx.now);
      let last = e.lastTimestamp ? since(e.lastTimestamp, ctx.now) : first;
      let count = e.count ?? 0;
      if (e.series) {
        last = since(e.series.lastObservedTime, ctx.now);
        count = e.series.count ?? 0;
      } else if (count === 0) {
        count = 1; // singleton events don't set count in the new API
      }
      const kind = (e.involvedObject?.kind ?? '').toLowerCase();
      const target = e.involvedObject?.name ? `${kind}/${e.involvedObject.name}` : kind;
      return [
        last,
        e.type ?? '',
        e.reason ?? '',
        target,
        e.involvedObject?.fieldPath ?? '',
        eventSource(e),
        (e.message ?? '').trim(),
        first,
        count,
        e.metadata?.name ?? '',
      ];
    },
  };
}

export const eventPrinter = makeEventPrinter((e: CoreEvent) => e);
export const eventsV1EventPrinter = makeEventPrinter(fromEventsV1);
