import type { HistoryFilter, StoredEvent } from '@logbook/event-store';
import { parseDuration } from '@logbook/event-store';
import type { Scheme } from '@logbook/api';
import { LabelSelectorError, badRequest, parseLabelSelector } from '@logbook/machinery';

/**
 * A point in time as the history API accepts it: RFC 3339
 * (`2025-01-31T10:00:00Z`, fractions and offsets allowed), or a duration
 * before now (`90m`, `2h`, `7d`).
 */
export function parseTime(name: string, value: string, now = new Date()): Date {
  // An unencoded `+` of an offset arrives in a query string as a space.
  const v = value.trim().replace(/(\d) (\d{2}:?\d{2})$/, '$1+$2');
  if (/^\d+(\.\d+)?(ms|s|m|h|d|w)/.test(v)) {
    try {
      return new Date(now.getTime() - parseDuration(v));
    } catch {
      /* reported below */
    }
  }
  if (/^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/.test(v)) {
    const d = new Date(v);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw badRequest(`${name}: invalid time "${value}": use RFC 3339 (2025-01-31T10:00:00Z) or a duration before now (90m, 2h, 7d)`);
}

export function parseSeq(name: string, value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw badRequest(`${name}: invalid resource version: ${value}`);
  return Number(value);
}

/** What resource a user named (`deployments`, `deploy`, `Deployment`, `deployments.apps`), via the scheme. */
export function resolveResource(scheme: Scheme, name: string, group?: string): { group: string; resource: string; kind: string } {
  const found = scheme.find(group !== undefined && !name.includes('.') ? (group ? `${name}.${group}` : name) : name);
  const candidates = group === '' ? found.filter((d) => d.group === '') : found;
  if (candidates.length === 0) throw badRequest(`the server doesn't have a resource type "${name}"`);
  if (candidates.length > 1) {
    // Core wins over others, as kubectl's short names do.
    const core = candidates.find((d) => d.group === '');
    if (core) return { group: '', resource: core.resource, kind: core.kind };
    throw badRequest(`resource "${name}" is ambiguous: ${candidates.map((d) => `${d.resource}.${d.group}`).join(', ')}; name the group`);
  }
  return { group: candidates[0].group, resource: candidates[0].resource, kind: candidates[0].kind };
}

const FIELD_ALIASES: Record<string, string> = {
  kind: 'kind',
  'objectRef.kind': 'kind',
  name: 'name',
  'objectRef.name': 'name',
  uid: 'uid',
  'objectRef.uid': 'uid',
  resource: 'resource',
  'objectRef.resource': 'resource',
  group: 'group',
  'objectRef.apiGroup': 'group',
  actor: 'actor',
  'actor.username': 'actor',
  verb: 'verb',
  type: 'type',
  'metadata.name': 'seq',
};

/**
 * The filter a history request asks for: its query parameters (group,
 * resource, kind, name, uid, actor, verb, type, since, until,
 * fromResourceVersion, toResourceVersion, labelSelector) and, for kubectl,
 * the same as a field selector (`--field-selector kind=Deployment,actor=alice`).
 */
export function parseHistoryFilter(params: URLSearchParams, namespace: string | undefined, scheme: Scheme, now = new Date()): HistoryFilter {
  const values: Record<string, string> = {};
  for (const key of ['group', 'resource', 'kind', 'name', 'uid', 'actor', 'verb', 'type']) {
    const v = params.get(key);
    if (v !== null && v !== '') values[key] = v;
  }
  const fieldSelector = params.get('fieldSelector') ?? '';
  for (const term of fieldSelector.split(',').map((t) => t.trim()).filter(Boolean)) {
    const m = /^([^=!]+?)\s*(==|=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`fieldSelector: only equality is supported on history, not "${term}"`);
    const field = FIELD_ALIASES[m[1].trim()];
    if (!field) throw badRequest(`"${m[1].trim()}" is not a known field selector: only ${Object.keys(FIELD_ALIASES).join(', ')}`);
    values[field] = m[3].trim();
  }

  const f: HistoryFilter = {};
  if (namespace !== undefined) f.namespace = namespace;
  if (values.resource !== undefined) {
    const r = resolveResource(scheme, values.resource, values.group);
    f.group = r.group;
    f.resource = r.resource;
  } else if (values.group !== undefined) f.group = values.group;
  if (values.kind !== undefined) f.kind = values.kind;
  if (values.name !== undefined) f.name = values.name;
  if (values.uid !== undefined) f.uid = values.uid;
  if (values.actor !== undefined) f.actor = values.actor;
  if (values.verb !== undefined) f.verb = values.verb;
  if (values.seq !== undefined) f.fromSeq = f.toSeq = parseSeq('metadata.name', values.seq);

  const since = params.get('since');
  const until = params.get('until');
  if (since) f.since = parseTime('since', since, now);
  if (until) f.until = parseTime('until', until, now);
  const from = params.get('fromResourceVersion');
  const to = params.get('toResourceVersion');
  if (from) f.fromSeq = parseSeq('fromResourceVersion', from);
  if (to) f.toSeq = parseSeq('toResourceVersion', to);

  const tests: Array<(e: StoredEvent) => boolean> = [];
  if (values.type !== undefined) {
    const type = values.type.toUpperCase();
    if (!['ADDED', 'MODIFIED', 'DELETED'].includes(type)) throw badRequest(`type: Unsupported value: "${values.type}": supported values: "ADDED", "MODIFIED", "DELETED"`);
    tests.push((e) => e.type === type);
  }
  const labelSelector = params.get('labelSelector');
  if (labelSelector) {
    try {
      const sel = parseLabelSelector(labelSelector);
      tests.push((e) => sel.matches(e.object.metadata?.labels as Record<string, string> | undefined));
    } catch (err) {
      if (err instanceof LabelSelectorError) throw badRequest(err.message);
      throw err;
    }
  }
  if (tests.length) f.match = (e) => tests.every((t) => t(e));
  return f;
}

/** The filter as a predicate over events (for watches, which see events one by one). */
export function eventMatches(f: HistoryFilter): (e: StoredEvent) => boolean {
  return (e) =>
    (f.group === undefined || e.group === f.group) &&
    (f.resource === undefined || e.resource === f.resource) &&
    (f.kind === undefined || e.kind === f.kind) &&
    (f.namespace === undefined || e.namespace === f.namespace) &&
    (f.name === undefined || e.name === f.name) &&
    (f.uid === undefined || e.uid === f.uid) &&
    (f.uids === undefined || f.uids.includes(e.uid)) &&
    (f.actor === undefined || e.provenance.actor.user === f.actor) &&
    (f.verb === undefined || e.provenance.verb === f.verb) &&
    (f.since === undefined || e.time.getTime() >= f.since.getTime()) &&
    (f.until === undefined || e.time.getTime() <= f.until.getTime()) &&
    (f.fromSeq === undefined || e.seq >= f.fromSeq) &&
    (f.toSeq === undefined || e.seq <= f.toSeq) &&
    (f.match === undefined || f.match(e));
}
