import { JsonPrimitive } from '../json';

/**
 * What strategic merge patch and server-side apply need to know about the
 * shape of objects: for each field of each named type, the type of its value
 * and, for lists, how items are merged. It is the information Kubernetes
 * keeps in the `patchStrategy`/`patchMergeKey` struct tags (strategic merge)
 * and the `+listType`/`+listMapKey`/`+mapType`/`+structType` markers
 * (server-side apply) of k8s.io/api.
 *
 * Fields not described behave as for a schema-less object: maps merge key by
 * key, lists are replaced (atomic).
 */

/** How server-side apply treats a list: whole (`atomic`), as a set of scalars, or as a map keyed by fields. */
export type ListType = 'atomic' | 'set' | 'map';

export interface ListSchema {
  /** Strategic merge patch: `merge` items by key (or as a set of scalars), or `replace` the list. */
  readonly patchStrategy: 'merge' | 'replace';
  /** Strategic merge patch: the field identifying an item (`name` for containers). */
  readonly patchMergeKey?: string;
  /** Strategic merge patch: items honour `$retainKeys` (`merge,retainKeys`). */
  readonly retainKeys?: boolean;
  /** Server-side apply: how the list is owned and merged. */
  readonly listType: ListType;
  /** Server-side apply: the fields identifying an item of a `map` list. */
  readonly listMapKeys?: readonly string[];
  /** Server-side apply: values of key fields an item may omit (`protocol: TCP`). */
  readonly keyDefaults?: Readonly<Record<string, JsonPrimitive>>;
}

export interface FieldSchema {
  /** The named type of the value, or of the items when the field is a list. */
  readonly type?: string;
  /** Present when the field is a list. */
  readonly list?: ListSchema;
  /** A map or struct that is owned and replaced as a whole (`+mapType=atomic`). */
  readonly atomic?: boolean;
  /** Strategic merge patch replaces this map instead of merging it (`patchStrategy:"replace"`). */
  readonly replace?: boolean;
  /** The map honours `$retainKeys` (`patchStrategy:"retainKeys"`). */
  readonly retainKeys?: boolean;
}

export interface TypeSchema {
  readonly fields: Readonly<Record<string, FieldSchema>>;
  /** The whole struct is one value for apply (`+structType=atomic`, e.g. LabelSelector). */
  readonly atomic?: boolean;
}

/** A set of named types. */
export type SchemaTypes = Readonly<Record<string, TypeSchema>>;

/**
 * A position in a schema: a named type, or nothing known (`type` undefined),
 * in which case everything below is schema-less.
 */
export class SchemaNode {
  constructor(
    readonly types: SchemaTypes,
    readonly type: string | undefined,
  ) {}

  /** The type's description, if the node is typed. */
  get typeSchema(): TypeSchema | undefined {
    return this.type === undefined ? undefined : this.types[this.type];
  }

  /** The description of a field of this type. */
  field(name: string): FieldSchema | undefined {
    const t = this.typeSchema;
    return t && Object.prototype.hasOwnProperty.call(t.fields, name) ? t.fields[name] : undefined;
  }

  /** The node of a field's value (or of its list items). */
  child(name: string): SchemaNode {
    return new SchemaNode(this.types, this.field(name)?.type);
  }

  /** True when this node's type is a struct owned as one value. */
  get isAtomic(): boolean {
    return this.typeSchema?.atomic === true;
  }

  /** True when the node has a named type (it is a struct, not a free-form map). */
  get isStruct(): boolean {
    return this.typeSchema !== undefined;
  }
}

/** A schema-less node: maps merge, lists are replaced. */
export function schemaless(): SchemaNode {
  return new SchemaNode({}, undefined);
}

// Builders for schema tables -------------------------------------------------

/** A field whose value is the named struct type. */
export function struct(type: string, options: { replace?: boolean; retainKeys?: boolean } = {}): FieldSchema {
  return { type, ...options };
}

/** A map or struct owned as one value by apply (`+mapType=atomic`). */
export function atomicMap(type?: string): FieldSchema {
  return { type, atomic: true };
}

/**
 * A list of objects merged by key: `patchStrategy:"merge" patchMergeKey:<key>`
 * and `+listType=map` with `listMapKeys` (defaults to the merge key).
 */
export function keyedList(
  mergeKey: string,
  type?: string,
  options: { listMapKeys?: readonly string[]; keyDefaults?: Record<string, JsonPrimitive>; retainKeys?: boolean; listType?: ListType } = {},
): FieldSchema {
  return {
    type,
    list: {
      patchStrategy: 'merge',
      patchMergeKey: mergeKey,
      retainKeys: options.retainKeys,
      listType: options.listType ?? 'map',
      listMapKeys: options.listType === 'atomic' ? undefined : (options.listMapKeys ?? [mergeKey]),
      keyDefaults: options.keyDefaults,
    },
  };
}

/** A list of scalars merged as a set (`patchStrategy:"merge"`, `+listType=set`). */
export function scalarSet(): FieldSchema {
  return { list: { patchStrategy: 'merge', listType: 'set' } };
}

/** A list replaced as a whole by both patch and apply (`+listType=atomic`). */
export function atomicList(type?: string): FieldSchema {
  return { type, list: { patchStrategy: 'replace', listType: 'atomic' } };
}

/** A list replaced by strategic merge patch but keyed for apply (`+listType=map` without a patch strategy). */
export function applyKeyedList(keys: readonly string[], type?: string): FieldSchema {
  return { type, list: { patchStrategy: 'replace', listType: 'map', listMapKeys: keys } };
}
