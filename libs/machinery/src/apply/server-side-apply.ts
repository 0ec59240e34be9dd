import { applyConflict, badRequest } from '../errors/api-error';
import { goQuote, isJsonObject, jsonClone, JsonObject } from '../json';
import { applySchemaFor } from '../patch/builtin-schema';
import { SchemaNode } from '../patch/schema';
import { applyOwnership, ConflictsError, Managers, updateOwnership, UpdaterContext, withoutNulls } from './field-manager';
import { FieldSet } from './field-set';
import {
  capUpdateManagers,
  decodeManagedFields,
  describeManager,
  encodeManagedFields,
  ManagedFieldsEntry,
  ManagedFieldsError,
  ManagedSet,
  ManagerIdentity,
  managerKey,
  STRIPPED_FIELDS,
} from './managed-fields';
import { fieldPathToString } from './path-element';

/**
 * Server-side apply and managed-fields tracking as kube-apiserver does them
 * (k8s.io/apimachinery/pkg/util/managedfields): who owns which field of an
 * object, recorded in `metadata.managedFields`.
 *
 * - `applyConfiguration` serves `application/apply-patch+yaml` patches
 *   (`kubectl apply --server-side`): merge, prune, conflicts, `force`.
 * - `recordUpdate` is called for every other write (create, update, patch)
 *   so that the writer owns what it changed.
 *
 * Objects are plain JSON; neither input is modified.
 */

export interface FieldManagerOptions {
  /** The `fieldManager` of the request; `unknown` when empty. */
  manager: string;
  /** Merge rules; by default those of the object's kind (`applySchemaFor`). */
  schema?: SchemaNode;
  /** The clock, for `managedFields[].time`. */
  now?: Date;
  /** `status`, `scale`... when the write goes to a subresource. */
  subresource?: string;
  /**
   * Top-level paths this endpoint resets and nobody may own through it,
   * e.g. `['status']` for the main resource of a Deployment, `['spec',
   * 'metadata']` for its status subresource (Kubernetes' reset fields).
   */
  ignoredFields?: readonly string[];
}

export interface ApplyOptions extends FieldManagerOptions {
  /** Take over fields other managers own instead of failing with a conflict. */
  force?: boolean;
}

type Obj = Record<string, unknown>;

function metadataOf(obj: unknown): JsonObject | undefined {
  return isJsonObject(obj) && isJsonObject(obj.metadata) ? obj.metadata : undefined;
}

function withoutManagedFields(obj: unknown): JsonObject {
  const copy = (isJsonObject(obj) ? jsonClone(obj) : {}) as JsonObject;
  const meta = metadataOf(copy);
  if (meta) delete meta.managedFields;
  return copy;
}

/** `obj` with `entries` as its managed fields; `owned`: `obj` is a private copy, set them on it instead of copying it again. */
function withManagedFields<T>(obj: JsonObject, entries: ManagedFieldsEntry[] | undefined, owned = false): T {
  const out = owned ? obj : jsonClone(obj);
  if (entries) {
    if (!isJsonObject(out.metadata)) out.metadata = {};
    (out.metadata as JsonObject).managedFields = entries as unknown as JsonObject[];
  }
  return out as unknown as T;
}

let formattedSecond = NaN;
let formatted = '';

/** `metav1.Time` text: RFC 3339 to the second (formatted once per second: every write asks for it). */
export function formatTime(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== formattedSecond) {
    formatted = date.toISOString().replace(/\.\d{3}Z$/, 'Z');
    formattedSecond = second;
  }
  return formatted;
}

function context(obj: Obj, options: FieldManagerOptions): UpdaterContext & { apiVersion: string } {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  const ignored = FieldSet.of(...(options.ignoredFields ?? []).map((p) => p.split('.').map((name) => ({ kind: 'field' as const, name }))));
  return { schema: options.schema ?? applySchemaFor(apiVersion, kind), ignored, apiVersion };
}

function strip(managers: Managers, key: string): void {
  const m = managers.get(key);
  if (!m) return;
  const fields = m.fields.difference(STRIPPED_FIELDS);
  if (fields.isEmpty()) managers.delete(key);
  else managers.set(key, { ...m, fields });
}

/**
 * The Update pipeline (`managedFieldsUpdater` over `stripMeta` over the
 * structured update): the write's own changes are computed under a temporary
 * manager, stripped of metadata, then added to the writer's fields, with a
 * new timestamp.
 */
function trackUpdate(
  live: JsonObject,
  next: JsonObject,
  managers: Managers,
  identity: ManagerIdentity,
  apiVersion: string,
  ctx: UpdaterContext,
  now: Date,
): void {
  const temp = managerKey({ manager: 'current-operation', operation: 'Update', apiVersion });
  updateOwnership(live, next, managers, temp, () => ({ identity, apiVersion, fields: FieldSet.empty() }), ctx);
  strip(managers, temp);
  const changes = managers.get(temp);
  managers.delete(temp);
  if (changes) {
    const key = managerKey(identity);
    const previous = managers.get(key);
    const fields = previous ? changes.fields.union(previous.fields) : changes.fields;
    managers.set(key, { identity, apiVersion, fields, time: formatTime(now) });
  }
  capUpdateManagers(managers);
}

function decodeOrEmpty(entries: unknown): Managers | undefined {
  try {
    return decodeManagedFields(entries);
  } catch {
    return undefined;
  }
}

function isReset(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  return entries.length === 0 || (entries.length === 1 && isJsonObject(entries[0]) && Object.keys(entries[0]).length === 0);
}

/**
 * Records an ordinary write in `metadata.managedFields` and returns the
 * object to store (`FieldManager.Update`).
 *
 * - On create, pass `live` undefined: the writer owns every field it set.
 * - The request's own `managedFields` are used when valid (clients may edit
 *   them); `[]` clears them. For subresources they are ignored.
 * - An existing object without managed fields stays without them.
 */
export function recordUpdate<T>(live: T | undefined, updated: T, options: FieldManagerOptions): T {
  const liveObj = (live ?? {}) as unknown as Obj;
  const nextObj = updated as unknown as Obj;
  const requested = metadataOf(nextObj)?.managedFields;
  let managers: Managers;
  if (options.subresource) managers = decodeOrEmpty(metadataOf(liveObj)?.managedFields) ?? new Map();
  else if (isReset(requested)) managers = new Map();
  else {
    const fromRequest = decodeOrEmpty(requested);
    managers =
      fromRequest && fromRequest.size > 0 ? fromRequest : (decodeOrEmpty(metadataOf(liveObj)?.managedFields) ?? new Map());
  }
  const next = withoutManagedFields(nextObj);
  const hasUid = live !== undefined && typeof metadataOf(liveObj)?.uid === 'string' && metadataOf(liveObj)!.uid !== '';
  // `next` is recordUpdate's own copy (withoutManagedFields), returned as the result.
  if (managers.size === 0 && hasUid) return withManagedFields(next, undefined, true);
  const ctx = context(nextObj, options);
  const identity: ManagerIdentity = {
    manager: options.manager || 'unknown',
    operation: 'Update',
    apiVersion: ctx.apiVersion,
    subresource: options.subresource,
  };
  trackUpdate(withoutManagedFields(liveObj), next, managers, identity, ctx.apiVersion, ctx, options.now ?? new Date());
  return withManagedFields(next, encodeManagedFields(managers), true);
}

/**
 * Applies a configuration for a field manager (`FieldManager.Apply`) and
 * returns the object to store. `live` is undefined when the object does not
 * exist yet (apply creates it).
 *
 * Throws `ApiError`: 400 when the configuration carries `managedFields`,
 * 409 Conflict listing the conflicting managers and fields (`Apply failed
 * with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas`)
 * unless `force`. Throws `ManagedFieldsError` when the live object's
 * managed fields cannot be decoded.
 */
export function applyConfiguration<T>(live: T | undefined, config: unknown, options: ApplyOptions): T {
  if (!isJsonObject(config)) throw badRequest('the applied configuration must be a JSON object');
  if (metadataOf(config)?.managedFields !== undefined) throw badRequest('metadata.managedFields must be nil');
  const liveObj = (live ?? {}) as unknown as Obj;
  let managers: Managers;
  try {
    managers = decodeManagedFields(metadataOf(liveObj)?.managedFields);
  } catch (e) {
    throw new ManagedFieldsError(`failed to decode managed fields: ${(e as Error).message}`);
  }
  const ctx = context(config, options);
  const now = options.now ?? new Date();
  const current = withoutManagedFields(liveObj);
  if (managers.size === 0 && Object.keys(current).length > 0) {
    // Fields set before anyone applied belong to a `before-first-apply` manager.
    const before: ManagerIdentity = { manager: 'before-first-apply', operation: 'Update', apiVersion: ctx.apiVersion };
    trackUpdate({}, current, managers, before, ctx.apiVersion, ctx, now);
  }
  const identity: ManagerIdentity = { manager: options.manager || 'unknown', operation: 'Apply', subresource: options.subresource };
  const key = managerKey(identity);
  let result: JsonObject | undefined;
  try {
    result = applyOwnership(
      current,
      withoutNulls(config) as JsonObject,
      managers,
      key,
      (fields): ManagedSet => ({ identity, apiVersion: ctx.apiVersion, fields, time: managers.get(key)?.time }),
      options.force === true,
      ctx,
    );
  } catch (e) {
    if (e instanceof ConflictsError) throw conflictError(e, managers);
    throw e;
  }
  strip(managers, key);
  const applied = managers.get(key);
  if (result && applied) managers.set(key, { ...applied, time: formatTime(now) });
  return withManagedFields(result ?? current, encodeManagedFields(managers));
}

function conflictError(e: ConflictsError, managers: Managers) {
  const name = (key: string) => {
    const m = managers.get(key);
    return m ? describeManager(m.identity) : goQuote(key);
  };
  const causes = e.conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${name(c.managerKey)}`,
    field: fieldPathToString(c.path),
  }));
  if (e.conflicts.length === 1) {
    const c = e.conflicts[0];
    return applyConflict(causes, `Apply failed with 1 conflict: conflict with ${name(c.managerKey)}: ${fieldPathToString(c.path)}`);
  }
  const byManager = new Map<string, string[]>();
  for (const c of e.conflicts) byManager.set(c.managerKey, [...(byManager.get(c.managerKey) ?? []), fieldPathToString(c.path)]);
  const lines: string[] = [];
  for (const key of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${name(key)}:`);
    for (const p of byManager.get(key)!) lines.push(`- ${p}`);
  }
  return applyConflict(causes, `Apply failed with ${e.conflicts.length} conflicts: ${lines.join('\n')}`);
}
