import { isJsonObject, jsonEqual, JsonObject, JsonValue } from '../json';
import { SchemaNode } from '../patch/schema';
import { FieldSet } from './field-set';
import { ManagedSet } from './managed-fields';
import { fieldPathToString, PathElement } from './path-element';
import { compareObjects, Comparison } from './typed-compare';
import { mergeObjects } from './typed-merge';
import { removeItems, toFieldSet } from './typed-value';

/**
 * The ownership algebra of server-side apply (structured-merge-diff's
 * `merge.Updater`), on objects without `metadata.managedFields`. Managers are
 * keyed by `managerKey`. `server-side-apply.ts` wraps this with what
 * kube-apiserver adds (identities, timestamps, stripped metadata).
 */

/** One field another manager owns with a different value. */
export interface FieldConflict {
  readonly managerKey: string;
  readonly path: PathElement[];
}

export class ConflictsError extends Error {
  constructor(readonly conflicts: readonly FieldConflict[]) {
    super(conflicts.map((c) => `conflict with ${c.managerKey}: ${fieldPathToString(c.path)}`).join('\n'));
    this.name = 'ConflictsError';
  }
}

export type Managers = Map<string, ManagedSet>;

export interface UpdaterContext {
  readonly schema: SchemaNode;
  /** Paths no operation may own (e.g. `status` through the main resource). */
  readonly ignored: FieldSet;
}

function filterComparison(c: Comparison, ignored: FieldSet): Comparison {
  if (ignored.isEmpty()) return c;
  return {
    added: c.added.withoutPrefixes(ignored),
    modified: c.modified.withoutPrefixes(ignored),
    removed: c.removed.withoutPrefixes(ignored),
  };
}

/**
 * Takes changed fields away from the other managers: fields the change
 * modified or added (conflicts, an error unless `force`) and fields it
 * removed. Managers left with nothing are dropped.
 */
function takeOwnership(
  live: JsonObject,
  next: JsonObject,
  managers: Managers,
  self: string,
  force: boolean,
  ctx: UpdaterContext,
): Comparison {
  const compare = filterComparison(compareObjects(live, next, ctx.schema), ctx.ignored);
  const changed = compare.modified.union(compare.added);
  const conflicts: FieldConflict[] = [];
  const taken = new Map<string, FieldSet>();
  for (const [key, m] of [...managers.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (key === self) continue;
    const clash = m.fields.intersection(changed);
    if (!clash.isEmpty()) {
      taken.set(key, clash);
      for (const path of clash.paths()) conflicts.push({ managerKey: key, path });
    }
  }
  if (!force && conflicts.length > 0) throw new ConflictsError(conflicts);
  for (const [key, m] of managers) {
    if (key === self) continue;
    let fields = m.fields;
    const clash = taken.get(key);
    if (clash) fields = fields.difference(clash);
    if (!compare.removed.isEmpty()) fields = fields.difference(compare.removed);
    if (fields.isEmpty()) managers.delete(key);
    else if (fields !== m.fields) managers.set(key, { ...m, fields });
  }
  return compare;
}

/**
 * Records an ordinary write (`Updater.Update`): `self` gains what the write
 * added or modified, loses what it removed, and takes those fields from
 * every other manager (never a conflict).
 */
export function updateOwnership(
  live: JsonObject,
  next: JsonObject,
  managers: Managers,
  self: string,
  fresh: () => ManagedSet,
  ctx: UpdaterContext,
): void {
  const compare = takeOwnership(live, next, managers, self, true, ctx);
  const previous = managers.get(self) ?? fresh();
  const fields = previous.fields.difference(compare.removed).union(compare.modified).union(compare.added).withoutPrefixes(ctx.ignored);
  if (fields.isEmpty()) managers.delete(self);
  else managers.set(self, { ...previous, fields });
}

/**
 * Applies a configuration (`Updater.Apply`): merges it into the live object,
 * makes `self` own exactly the configuration's fields, removes fields `self`
 * applied before, no longer applies and nobody else owns, and fails with
 * `ConflictsError` when the configuration changes a field another manager
 * owns (unless `force`, which takes the field over).
 *
 * Returns the new object, or `undefined` when nothing changed.
 */
export function applyOwnership(
  live: JsonObject,
  config: JsonObject,
  managers: Managers,
  self: string,
  applied: (fields: FieldSet) => ManagedSet,
  force: boolean,
  ctx: UpdaterContext,
): JsonObject | undefined {
  let merged = mergeObjects(live, config, ctx.schema);
  const last = managers.get(self)?.fields;
  managers.set(self, applied(toFieldSet(config, ctx.schema).withoutPrefixes(ctx.ignored)));
  if (last && !last.isEmpty()) merged = prune(merged, managers, last, ctx.schema);
  takeOwnership(live, merged, managers, self, force, ctx);
  return jsonEqual(live, merged) ? undefined : merged;
}

/**
 * Removes from the merged object the fields `self` applied last time, when
 * no manager (`self` included, with its new configuration) owns them any more.
 */
function prune(merged: JsonObject, managers: Managers, last: FieldSet, schema: SchemaNode): JsonObject {
  const lastSet = last.ensureNamedFieldsAreMembers();
  let owned = FieldSet.empty();
  for (const m of managers.values()) owned = owned.union(m.fields);
  owned = owned.ensureNamedFieldsAreMembers();
  const fieldsOf = (o: JsonObject) => toFieldSet(o, schema).ensureNamedFieldsAreMembers();
  const mergedSet = fieldsOf(merged);
  // 1. Drop everything applied last time; 2. put back what someone owns;
  // 3. of what is still missing, drop only what was applied last time.
  const dropped = removeItems(merged, lastSet, schema);
  const ownedBack = removeItems(merged, mergedSet.difference(fieldsOf(dropped).union(owned)), schema);
  return removeItems(merged, mergedSet.difference(fieldsOf(ownedBack)).intersection(lastSet), schema);
}

/** Drops `null` members recursively: an applied `null` sets nothing. */
export function withoutNulls(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNulls(v);
    return out;
  }
  return value;
}
