import { isJsonObject } from '../json';
import { FieldSelector, FieldSelectorError, parseFieldSelector } from './field-selector';

/** Reads one selectable field of an object as a string; `undefined` reads as `""`. */
export type FieldGetter = (obj: unknown) => string | undefined;

/**
 * Which fields of a kind can be selected, and how to read them. `getter`
 * returns `undefined` for a field that cannot be selected; the apiserver turns
 * that into 400 `field label not supported: <field>`.
 */
export interface FieldExtractor {
  getter(field: string): FieldGetter | undefined;
}

/** Reads a dotted path (`status.phase`) and renders scalars as Go would format them. */
export function dottedPathGetter(path: string): FieldGetter {
  const segments = path.split('.');
  return (obj) => {
    let cur: unknown = obj;
    for (const s of segments) {
      if (!isJsonObject(cur)) return undefined;
      cur = cur[s];
    }
    if (typeof cur === 'string') return cur;
    if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur);
    return undefined;
  };
}

/** An extractor of exactly the fields of a table. */
export function fieldExtractorFromTable(table: Readonly<Record<string, FieldGetter>>): FieldExtractor {
  return { getter: (field) => (Object.prototype.hasOwnProperty.call(table, field) ? table[field] : undefined) };
}

/** An extractor of the given dotted paths (e.g. a CRD's `selectableFields`). */
export function fieldExtractorFromPaths(paths: readonly string[], namespaced = true): FieldExtractor {
  const table: Record<string, FieldGetter> = { ...objectMetaGetters(namespaced) };
  for (const p of paths) table[p] = dottedPathGetter(p);
  return fieldExtractorFromTable(table);
}

function objectMetaGetters(namespaced: boolean): Record<string, FieldGetter> {
  const table: Record<string, FieldGetter> = { 'metadata.name': dottedPathGetter('metadata.name') };
  if (namespaced) table['metadata.namespace'] = dottedPathGetter('metadata.namespace');
  return table;
}

const WELL_FORMED_PATH = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/;

/**
 * The default extractor: `metadata.name` and `metadata.namespace` of any
 * object, and any other well-formed dotted path read from the object itself.
 * Only a malformed path (`a..b`, `.a`, `a b`) is unsupported. Use
 * `selectableFieldsFor` to accept exactly what kube-apiserver accepts.
 */
export const defaultFieldExtractor: FieldExtractor = {
  getter: (field) => (WELL_FORMED_PATH.test(field) ? dottedPathGetter(field) : undefined),
};

const str =
  (path: string, fallback = ''): FieldGetter =>
  (obj) =>
    dottedPathGetter(path)(obj) ?? fallback;

/** `strconv.FormatBool` of an optional boolean (absent is false). */
const bool =
  (path: string): FieldGetter =>
  (obj) =>
    dottedPathGetter(path)(obj) === 'true' ? 'true' : 'false';

/** `strconv.Itoa` of an optional integer (absent is 0). */
const int =
  (path: string): FieldGetter =>
  (obj) =>
    dottedPathGetter(path)(obj) ?? '0';

const POD_FIELDS: Record<string, FieldGetter> = {
  'spec.nodeName': str('spec.nodeName'),
  'spec.restartPolicy': str('spec.restartPolicy'),
  'spec.schedulerName': str('spec.schedulerName'),
  'spec.serviceAccountName': str('spec.serviceAccountName'),
  'spec.hostNetwork': bool('spec.hostNetwork'),
  'status.phase': str('status.phase'),
  // The first of status.podIPs, as Kubernetes reads it.
  'status.podIP': (obj) => {
    const ips = isJsonObject(obj) && isJsonObject(obj.status) ? obj.status.podIPs : undefined;
    if (Array.isArray(ips) && ips.length > 0 && isJsonObject(ips[0]) && typeof ips[0].ip === 'string') return ips[0].ip;
    return dottedPathGetter('status.podIP')(obj) ?? '';
  },
  'status.nominatedNodeName': str('status.nominatedNodeName'),
};

const EVENT_FIELDS: Record<string, FieldGetter> = {
  'involvedObject.kind': str('involvedObject.kind'),
  'involvedObject.namespace': str('involvedObject.namespace'),
  'involvedObject.name': str('involvedObject.name'),
  'involvedObject.uid': str('involvedObject.uid'),
  'involvedObject.apiVersion': str('involvedObject.apiVersion'),
  'involvedObject.resourceVersion': str('involvedObject.resourceVersion'),
  'involvedObject.fieldPath': str('involvedObject.fieldPath'),
  reason: str('reason'),
  reportingComponent: str('reportingComponent'),
  // source.component, or the reporting controller for events.k8s.io writers.
  source: (obj) => dottedPathGetter('source.component')(obj) || dottedPathGetter('reportingComponent')(obj) || '',
  type: str('type'),
};

interface BuiltinFields {
  namespaced: boolean;
  fields: Record<string, FieldGetter>;
}

/**
 * Kubernetes' selectable fields for built-in resources, by `resource` or
 * `resource.group` (`pods`, `replicasets.apps`). Every other resource
 * selects `metadata.name` (and `metadata.namespace` when namespaced).
 */
const BUILTIN: Record<string, BuiltinFields> = {
  pods: { namespaced: true, fields: POD_FIELDS },
  events: { namespaced: true, fields: EVENT_FIELDS },
  nodes: { namespaced: false, fields: { 'spec.unschedulable': bool('spec.unschedulable') } },
  // `name` is a historical alias Kubernetes still accepts.
  namespaces: { namespaced: false, fields: { 'status.phase': str('status.phase'), name: str('metadata.name') } },
  persistentvolumes: { namespaced: false, fields: { name: str('metadata.name') } },
  secrets: { namespaced: true, fields: { type: str('type') } },
  replicationcontrollers: { namespaced: true, fields: { 'status.replicas': int('status.replicas') } },
  'replicasets.apps': { namespaced: true, fields: { 'status.replicas': int('status.replicas') } },
  'jobs.batch': { namespaced: true, fields: { 'status.successful': int('status.successful') } },
};

/**
 * The fields kube-apiserver lets clients select on a resource. `group` is the
 * API group (`''` for core). For resources it does not list, only object
 * metadata (`metadata.name`, and `metadata.namespace` if `namespaced`).
 */
export function selectableFieldsFor(resource: string, group = '', namespaced = true): FieldExtractor {
  const builtin = BUILTIN[group ? `${resource}.${group}` : resource];
  if (!builtin) return fieldExtractorFromTable(objectMetaGetters(namespaced));
  return fieldExtractorFromTable({ ...objectMetaGetters(builtin.namespaced), ...builtin.fields });
}

/** A predicate over objects, ready to filter a list or a watch. */
export type ObjectPredicate = (obj: unknown) => boolean;

/**
 * Checks every field of a selector against an extractor and returns a
 * predicate. Throws `FieldSelectorError('field label not supported: x')` for
 * the first field the extractor does not know, which the apiserver answers
 * with 400 BadRequest.
 */
export function compileFieldSelector(
  selector: FieldSelector | string,
  extractor: FieldExtractor = defaultFieldExtractor,
): ObjectPredicate {
  const parsed = typeof selector === 'string' ? parseFieldSelector(selector) : selector;
  const getters = new Map<string, FieldGetter>();
  for (const field of parsed.fields()) {
    const getter = extractor.getter(field);
    if (!getter) throw new FieldSelectorError(`field label not supported: ${field}`);
    getters.set(field, getter);
  }
  return (obj) => {
    const values: Record<string, string | undefined> = {};
    for (const [field, getter] of getters) values[field] = getter(obj);
    return parsed.matchesFields(values);
  };
}

/** One-shot form of `compileFieldSelector`. */
export function matchesFieldSelector(
  obj: unknown,
  selector: FieldSelector | string,
  extractor: FieldExtractor = defaultFieldExtractor,
): boolean {
  return compileFieldSelector(selector, extractor)(obj);
}
