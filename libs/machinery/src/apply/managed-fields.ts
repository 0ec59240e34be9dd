import { goQuote, isJsonObject } from '../json';
import { FieldSet, FieldsV1 } from './field-set';

/** The JSON shape of `metav1.ManagedFieldsEntry`. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  /** RFC 3339, second precision (`2024-05-01T12:00:00Z`). */
  time?: string;
  fieldsType?: 'FieldsV1';
  fieldsV1?: FieldsV1;
  subresource?: string;
}

/** Who owns a set of fields: the identity Kubernetes keys managers by. */
export interface ManagerIdentity {
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  /** Only part of the identity for Update: an applier keeps its fields across versions. */
  readonly apiVersion?: string;
  readonly subresource?: string;
}

/** One manager's fields, decoded. */
export interface ManagedSet {
  readonly identity: ManagerIdentity;
  /** The version the fields were recorded in. */
  readonly apiVersion: string;
  readonly fields: FieldSet;
  readonly time?: string;
}

export class ManagedFieldsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManagedFieldsError';
  }
}

/** The map key of an identity, as Kubernetes builds it (the JSON of the entry without fields and time). */
export function managerKey(id: ManagerIdentity): string {
  const o: Record<string, string> = { manager: id.manager, operation: id.operation };
  if (id.operation === 'Update' && id.apiVersion) o.apiVersion = id.apiVersion;
  if (id.subresource) o.subresource = id.subresource;
  return JSON.stringify(o);
}

/** How a manager is named in conflict messages: `"kubectl" using apps/v1`, `"ctl" with subresource "status"`. */
export function describeManager(id: ManagerIdentity): string {
  let s = goQuote(id.manager);
  if (id.subresource) s += ` with subresource ${goQuote(id.subresource)}`;
  if (id.operation === 'Update') s += ` using ${id.apiVersion ?? ''}`;
  return s;
}

/**
 * Decodes `metadata.managedFields` (`DecodeManagedFields`), checking each
 * entry as Kubernetes does. Returns managers keyed by `managerKey`.
 */
export function decodeManagedFields(entries: unknown): Map<string, ManagedSet> {
  const out = new Map<string, ManagedSet>();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) throw new ManagedFieldsError('managedFields must be a list');
  entries.forEach((raw, i) => {
    const e = (isJsonObject(raw) ? raw : {}) as ManagedFieldsEntry;
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new ManagedFieldsError('operation must be `Apply` or `Update`');
    if (!e.apiVersion) throw new ManagedFieldsError('apiVersion must not be empty');
    if (e.fieldsType === undefined || (e.fieldsType as string) === '') {
      throw new ManagedFieldsError(`missing fieldsType in managed fields entry ${i}`);
    }
    if (e.fieldsType !== 'FieldsV1') throw new ManagedFieldsError(`invalid fieldsType "${e.fieldsType}" in managed fields entry ${i}`);
    const identity: ManagerIdentity = {
      manager: e.manager ?? '',
      operation: e.operation,
      apiVersion: e.operation === 'Update' ? e.apiVersion : undefined,
      subresource: e.subresource || undefined,
    };
    let fields: FieldSet;
    try {
      fields = FieldSet.fromFieldsV1(e.fieldsV1 ?? {});
    } catch (err) {
      throw new ManagedFieldsError(`error decoding set: ${(err as Error).message}`);
    }
    out.set(managerKey(identity), { identity, apiVersion: e.apiVersion, fields, time: e.time });
  });
  return out;
}

function seconds(time: string | undefined): number {
  if (!time) return 0;
  const t = Date.parse(time);
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}

/**
 * Encodes managers back into `metadata.managedFields`, sorted as Kubernetes
 * sorts them: Apply before Update, then by time, manager, apiVersion and
 * subresource. Returns `undefined` when there are no managers.
 */
export function encodeManagedFields(managers: ReadonlyMap<string, ManagedSet>): ManagedFieldsEntry[] | undefined {
  if (managers.size === 0) return undefined;
  const entries: ManagedFieldsEntry[] = [...managers.values()].map((m) => {
    const e: ManagedFieldsEntry = { manager: m.identity.manager, operation: m.identity.operation, apiVersion: m.apiVersion };
    if (m.time) e.time = m.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = m.fields.toFieldsV1();
    if (m.identity.subresource) e.subresource = m.identity.subresource;
    return e;
  });
  const cmp = (a: string | undefined, b: string | undefined) => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);
  return entries.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource, q.subresource),
  );
}

/** Most Update managers kept on an object; older ones are folded into `ancient-changes`. */
export const MAX_UPDATE_MANAGERS = 10;

/**
 * Caps the number of Update managers (`capManagersManager`): the oldest are
 * merged, per API version, into an `ancient-changes` manager.
 */
export function capUpdateManagers(managers: Map<string, ManagedSet>, max = MAX_UPDATE_MANAGERS): Map<string, ManagedSet> {
  const updaters = [...managers.entries()].filter(([, m]) => m.identity.operation === 'Update');
  if (updaters.length <= max) return managers;
  updaters.sort(([ka, a], [kb, b]) => seconds(a.time) - seconds(b.time) || (ka < kb ? -1 : ka > kb ? 1 : 0));
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const [key, m] = updaters[i];
    const bucketId: ManagerIdentity = { manager: 'ancient-changes', operation: 'Update', apiVersion: m.apiVersion };
    const bucket = managerKey(bucketId);
    const first = firstByVersion.get(m.apiVersion);
    if (first === undefined) {
      firstByVersion.set(m.apiVersion, key);
      continue;
    }
    if (!managers.has(bucket)) {
      const firstSet = managers.get(first)!;
      managers.delete(first);
      managers.set(bucket, { ...firstSet, identity: bucketId });
    }
    const current = managers.get(bucket)!;
    managers.set(bucket, { identity: bucketId, apiVersion: m.apiVersion, fields: m.fields.union(current.fields), time: m.time });
    managers.delete(key);
    length--;
  }
  return managers;
}

/** The fields Kubernetes never records as owned (`stripMetaManager`). */
export const STRIPPED_FIELDS: FieldSet = FieldSet.of(
  [{ kind: 'field', name: 'apiVersion' }],
  [{ kind: 'field', name: 'kind' }],
  [{ kind: 'field', name: 'metadata' }],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(
    (name) => [{ kind: 'field' as const, name: 'metadata' }, { kind: 'field' as const, name }],
  ),
);
