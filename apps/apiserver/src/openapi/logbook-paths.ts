/**
 * The OpenAPI `paths` of `/apis/logbook.io/v1`, the history API (served by
 * apps/apiserver/src/history, documented in docs/history.md). Its response
 * schemas are the `logbookV1` declarations of libs/api, turned into schemas
 * like every other type; the history code is checked against them at
 * compile time. Every operation is a GET: the history cannot be changed.
 */
import { JSONSchema, ref } from './definitions';
import { PARAMETERS as P } from './operations';
import type { PathItem } from './operations';

const PREFIX = '/apis/logbook.io/v1';
const PKG = 'io.logbook.v1';
const TAG = ['logbook_v1'];

const q = (name: string, description: string, type = 'string'): JSONSchema => ({ description, in: 'query', name, schema: { type, uniqueItems: true } });
const pathParam = (name: string, description: string): JSONSchema => ({ description, in: 'path', name, required: true, schema: { type: 'string', uniqueItems: true } });
const NAMESPACE = pathParam('namespace', 'object name and auth scope, such as for teams and projects');

/** The filters history, timeline, explain, diff and audit share. */
const OBJECT = [
  q('group', "The object's API group ('' for core)."),
  q('resource', "The object's resource, resolved as kubectl would: `deploy`, `deployments.apps`, `po`."),
  q('kind', "The object's kind: `Deployment`."),
  q('name', "The object's name (every incarnation of it)."),
];
const WINDOW = [
  q('since', 'Only events at or after this time: RFC 3339, or a duration before now (`90m`, `2h`, `7d`).'),
  q('until', 'Only events at or before this time (same forms as since).'),
  q('fromResourceVersion', 'Only events from this resourceVersion (inclusive).'),
  q('toResourceVersion', 'Only events up to this resourceVersion (inclusive).'),
];
const HISTORY_FILTERS = [
  ...OBJECT,
  q('uid', 'One incarnation of an object.'),
  q('actor', 'Who made the change: `alice`, `system:node:n1`.'),
  q('verb', 'The API verb: create, update, patch, delete, deletecollection.'),
  q('type', '`ADDED`, `MODIFIED` or `DELETED`.'),
  P.labelSelector,
  P.fieldSelector,
  ...WINDOW,
  P.limit,
  P.continue,
  q('withObject', 'Each event carries the whole object after the change.', 'boolean'),
  P.watch,
  P.resourceVersion,
  P.timeoutSeconds,
];

const ok = (schemaName: string, types = ['application/json']) => ({
  '200': { description: 'OK', content: Object.fromEntries(types.map((t) => [t, { schema: ref(`${PKG}.${schemaName}`) }])) },
  '401': { description: 'Unauthorized' },
});

function get(operationId: string, description: string, parameters: JSONSchema[], responses: JSONSchema, action = 'get'): PathItem {
  return { get: { tags: TAG, description, operationId, parameters, responses, 'x-kubernetes-action': action } };
}

/** The history API's paths, both scopes where it has two. */
export function logbookV1Paths(): Record<string, PathItem> {
  const historyList = ok('HistoryEventList', ['application/json', 'application/json;stream=watch']);
  return {
    [`${PREFIX}/history`]: get('listLogbookV1HistoryForAllNamespaces', 'list or watch the history of every namespace (and of cluster-scoped objects)', HISTORY_FILTERS, historyList, 'list'),
    [`${PREFIX}/namespaces/{namespace}/history`]: get('listLogbookV1NamespacedHistory', 'list or watch the history of one namespace', [NAMESPACE, ...HISTORY_FILTERS], historyList, 'list'),
    [`${PREFIX}/namespaces/{namespace}/history/{name}`]: get('readLogbookV1NamespacedHistory', 'read one event of the history, by its resourceVersion', [NAMESPACE, pathParam('name', 'the resourceVersion of the event'), q('withObject', 'Carry the whole object after the change.', 'boolean')], ok('HistoryEvent')),
    [`${PREFIX}/explain/{resourceVersion}`]: get('readLogbookV1Explanation', 'the causes of an event back to the action that started it, and its consequences', [pathParam('resourceVersion', 'the event')], ok('Explanation')),
    [`${PREFIX}/explain`]: get('readLogbookV1ExplanationOfObject', "explain a cluster-scoped object's latest event", OBJECT, ok('Explanation')),
    [`${PREFIX}/namespaces/{namespace}/explain`]: get('readLogbookV1NamespacedExplanation', "explain an object's latest event", [NAMESPACE, ...OBJECT], ok('Explanation')),
    [`${PREFIX}/timeline`]: get('readLogbookV1Timeline', 'the events of a window for a cluster-scoped object and everything it owns', [...OBJECT, ...WINDOW, P.limit, P.continue], ok('Timeline')),
    [`${PREFIX}/namespaces/{namespace}/timeline`]: get('readLogbookV1NamespacedTimeline', 'the events of a window for an object and everything it owns (a Deployment, its ReplicaSets, their Pods)', [NAMESPACE, ...OBJECT, ...WINDOW, P.limit, P.continue], ok('Timeline')),
    [`${PREFIX}/diff`]: get('readLogbookV1Diff', 'what changed in a cluster-scoped object between two points', [...OBJECT, q('from', 'A resourceVersion, an RFC 3339 time or a duration ago.'), q('to', 'The same; default now.')], ok('ObjectDiff')),
    [`${PREFIX}/namespaces/{namespace}/diff`]: get('readLogbookV1NamespacedDiff', 'what changed in an object between two points', [NAMESPACE, ...OBJECT, q('from', 'A resourceVersion, an RFC 3339 time or a duration ago.'), q('to', 'The same; default now.')], ok('ObjectDiff')),
    [`${PREFIX}/audit`]: get('listLogbookV1AuditEvents', 'the changes as audit.k8s.io/v1 Events, one JSON object per line', [...WINDOW, q('actor', 'Who.'), q('verb', 'The API verb.'), q('resource', 'The resource.')], auditLines()),
    [`${PREFIX}/namespaces/{namespace}/audit`]: get('listLogbookV1NamespacedAuditEvents', 'the changes of one namespace as audit.k8s.io/v1 Events, one JSON object per line', [NAMESPACE, ...WINDOW, q('actor', 'Who.'), q('verb', 'The API verb.'), q('resource', 'The resource.')], auditLines()),
    [`${PREFIX}/compactions`]: get('listLogbookV1Compaction', 'what each compaction of the log removed', [], ok('CompactionList'), 'list'),
    [`${PREFIX}/compactions/{name}`]: get('readLogbookV1Compaction', 'one compaction', [pathParam('name', 'the compaction number')], ok('Compaction')),
    [`${PREFIX}/asof/{point}/{path}`]: get(
      'readLogbookV1AsOf',
      'get or list any resource as it was at a resourceVersion or a time: `path` is the normal API path of the get or list (with its parameters)',
      [pathParam('point', 'a resourceVersion, an RFC 3339 time, or a duration before now'), pathParam('path', 'the API path, e.g. apis/apps/v1/namespaces/default/deployments/web')],
      { '200': { description: 'OK: what the API would have answered then; X-Logbook-Resource-Version names the resourceVersion used' }, '401': { description: 'Unauthorized' } },
    ),
  };
}

function auditLines(): JSONSchema {
  return { '200': { description: 'OK', content: { 'application/x-ndjson': { schema: { type: 'string', description: 'audit.k8s.io/v1 Event objects, one per line' } } } }, '401': { description: 'Unauthorized' } };
}
