/**
 * What kube-apiserver's JSON decoding finds wrong in a request body, read
 * off the OpenAPI schemas instead of Go structs:
 *
 * - type errors, worded as Go's encoding/json reports them (kube decodes
 *   into typed structs with sigs.k8s.io/json):
 *   `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`
 *   (struct = the innermost struct type, field = the JSON path without list
 *   indices, as Go's decoder keeps it); kube reports the first one only;
 * - unknown fields, as sigs.k8s.io/json's strict mode lists them:
 *   `spec.containers[0].foo` (list items with their index, map keys after
 *   a dot), at most 100, in document order.
 *
 * `null` is accepted anywhere (Go leaves the field unset). Duplicate keys are
 * out of scope: JSON.parse has already dropped them.
 */
import { isQuantity, QUANTITY_FORMAT_ERROR } from '@logbook/api';
import {
  goPackageOf,
  GroupVersionKind,
  INT_OR_STRING,
  JSONSchema,
  OBJECT_META,
  PRESERVE_UNKNOWN,
  refName,
  WELL_KNOWN_NAMES,
} from './definitions';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface DecodeCheckResult {
  /** Go-worded decode errors; kube answers the first with a 400 (see `decodeErrorMessage`). */
  typeErrors: string[];
  /** Paths of unknown fields (empty under `Ignore`). */
  unknownFields: string[];
}

/** What checkObject needs of a schema registry. */
export interface SchemaLookup {
  readonly definitions: Readonly<Record<string, JSONSchema>>;
  nameFor(gvk: GroupVersionKind): string | undefined;
}

const MAX_UNKNOWN_FIELDS = 100; // sigs.k8s.io/json stops collecting there
const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Where a value sits, as a chain to the root; the path texts are built only
 * when an error or unknown field needs them.
 */
interface Position {
  parent?: Position;
  /** The property name or list index leading here from `parent` (none at the root). */
  key?: string | number;
  /** A struct field: the key is part of Go's error-context path (map keys and list indexes are not). */
  field: boolean;
  /** The Go struct whose field holds the value. */
  struct: string;
}

/** Strict-decoding path: `spec.containers[0].name`. */
function pathOf(at: Position): string {
  let path = '';
  for (let p: Position | undefined = at; p && p.key !== undefined; p = p.parent) {
    path = typeof p.key === 'number' ? `[${p.key}]${path}` : p.parent?.key !== undefined ? `.${p.key}${path}` : `${p.key}${path}`;
  }
  return path;
}

/** Go's error-context path: `spec.containers.name`. */
function goPathOf(at: Position): string {
  const keys: string[] = [];
  for (let p: Position | undefined = at; p && p.key !== undefined; p = p.parent) if (p.field) keys.push(String(p.key));
  return keys.reverse().join('.');
}

/**
 * Checks a decoded JSON body against the schema of its kind. An unknown
 * kind has nothing to check against and passes. `apiVersion` and `kind`
 * are always known.
 */
export function checkObject(
  obj: unknown,
  gvk: GroupVersionKind,
  schemas: SchemaLookup,
  options: { unknownFields: FieldValidation } = { unknownFields: 'Strict' },
): DecodeCheckResult {
  const result: DecodeCheckResult = { typeErrors: [], unknownFields: [] };
  const name = schemas.nameFor(gvk);
  if (!name) return result;
  new Checker(schemas.definitions, result, options.unknownFields !== 'Ignore').value(obj, { $ref: `#/components/schemas/${name}` }, { field: false, struct: gvk.kind });
  return result;
}

class Checker {
  constructor(
    private readonly defs: Readonly<Record<string, JSONSchema>>,
    private readonly result: DecodeCheckResult,
    private readonly collectUnknown: boolean,
  ) {}

  value(v: unknown, schema: JSONSchema, at: Position, defName?: string): void {
    const target = refName(schema);
    if (target) return this.value(v, this.defs[target] ?? {}, at, target);
    if (v === null || v === undefined) return;
    if (defName === WELL_KNOWN_NAMES.Quantity) {
      if (!isQuantity(v)) this.result.typeErrors.push(QUANTITY_FORMAT_ERROR);
      return;
    }
    if (schema[INT_OR_STRING]) {
      if (typeof v !== 'string') this.integer(v, 'int32', at);
      return;
    }
    const type = schema.type ?? (schema.properties || schema.additionalProperties ? 'object' : undefined);
    switch (type) {
      case 'string':
        if (typeof v !== 'string') return this.typeError(v, 'string', at);
        if (schema.format === 'date-time' && (defName === WELL_KNOWN_NAMES.Time || defName === WELL_KNOWN_NAMES.MicroTime) && !RFC3339.test(v))
          this.result.typeErrors.push(`parsing time ${goQuote(v)} as "2006-01-02T15:04:05Z07:00": cannot parse ${goQuote(v)} as "2006"`);
        return;
      case 'integer':
        return this.integer(v, schema.format === 'int64' ? 'int64' : 'int32', at);
      case 'number':
        if (typeof v !== 'number') this.typeError(v, 'float64', at);
        return;
      case 'boolean':
        if (typeof v !== 'boolean') this.typeError(v, 'bool', at);
        return;
      case 'array':
        if (!Array.isArray(v)) return this.typeError(v, goType(schema, defName), at);
        v.forEach((item, i) => this.value(item, (schema.items as JSONSchema) ?? {}, { parent: at, key: i, field: false, struct: at.struct }));
        return;
      case 'object':
        if (typeof v !== 'object' || Array.isArray(v)) return this.typeError(v, goType(schema, defName), at);
        return this.object(v as Record<string, unknown>, schema, at, defName);
    }
  }

  private object(v: Record<string, unknown>, schema: JSONSchema, at: Position, defName?: string): void {
    const props = (schema.properties as Record<string, JSONSchema> | undefined) ?? {};
    const additional = schema.additionalProperties;
    const struct = defName ? shortName(defName) : at.struct;
    const embedded = schema['x-kubernetes-embedded-resource'] === true;
    for (const [key, child] of Object.entries(v)) {
      let childSchema: JSONSchema | undefined = Object.prototype.hasOwnProperty.call(props, key) ? props[key] : undefined;
      if (!childSchema && embedded && (key === 'apiVersion' || key === 'kind')) childSchema = { type: 'string' };
      if (!childSchema && embedded && key === 'metadata') childSchema = { $ref: `#/components/schemas/${OBJECT_META}` };
      if (childSchema) {
        this.value(child, childSchema, { parent: at, key, field: true, struct });
      } else if (additional && typeof additional === 'object') {
        this.value(child, additional as JSONSchema, { parent: at, key, field: false, struct: at.struct });
      } else if (additional === true || schema[PRESERVE_UNKNOWN] === true || (at.key === undefined && (key === 'apiVersion' || key === 'kind'))) {
        continue;
      } else if (this.collectUnknown && this.result.unknownFields.length < MAX_UNKNOWN_FIELDS) {
        this.result.unknownFields.push(pathOf({ parent: at, key, field: false, struct: at.struct }));
      }
    }
  }

  private integer(v: unknown, goTypeName: 'int32' | 'int64', at: Position): void {
    if (typeof v !== 'number') return this.typeError(v, goTypeName, at);
    const inRange = goTypeName === 'int32' ? v >= INT32.min && v <= INT32.max : Number.isSafeInteger(v);
    if (!Number.isInteger(v) || !inRange) this.typeError(v, goTypeName, at, `number ${v}`);
  }

  private typeError(v: unknown, goTypeName: string, at: Position, word = jsonWord(v)): void {
    const goPath = goPathOf(at);
    const where = goPath ? `Go struct field ${at.struct}.${goPath}` : 'Go value';
    this.result.typeErrors.push(`json: cannot unmarshal ${word} into ${where} of type ${goTypeName}`);
  }
}

/** How Go's decoder names a JSON value in UnmarshalTypeError. */
function jsonWord(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v === 'boolean' ? 'bool' : typeof v; // string | number
}

const shortName = (def: string): string => def.slice(def.lastIndexOf('.') + 1);

/** The Go type kube would name: `v1.PodSpec`, `[]v1.Container`, `map[string]string`. */
function goType(schema: JSONSchema, defName?: string): string {
  const target = refName(schema);
  if (target) return goType({}, target);
  if (defName) return `${goPackageOf(defName)}.${shortName(defName)}`;
  switch (schema.type) {
    case 'array':
      return `[]${goType((schema.items as JSONSchema) ?? {})}`;
    case 'object':
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object') return `map[string]${goType(schema.additionalProperties as JSONSchema)}`;
      return schema.properties ? 'struct' : 'map[string]interface {}';
    case 'integer':
      return schema.format === 'int64' ? 'int64' : 'int32';
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
    default:
      return 'interface {}';
  }
}

// --- what the apiserver sends back ---------------------------------------------

/** `fieldValidation` as a request gives it; absent means `Warn` (kube's default), anything else is invalid. */
export function fieldValidationMode(param: string | undefined | null): FieldValidation | undefined {
  if (param === undefined || param === null || param === '') return 'Warn';
  return param === 'Strict' || param === 'Warn' || param === 'Ignore' ? param : undefined;
}

/** The 400 BadRequest message for a type error (handlers' transformDecodeError). */
export function decodeErrorMessage(gvk: GroupVersionKind, typeError: string): string {
  return `${gvk.kind} in version ${goQuote(gvk.version)} cannot be handled as a ${gvk.kind}: ${typeError}`;
}

/** `unknown field "spec.x"` for each path. */
export const unknownFieldMessages = (paths: readonly string[]): string[] => paths.map((p) => `unknown field ${goQuote(p)}`);

/** The 400 BadRequest message under `fieldValidation=Strict`. */
export function strictDecodingMessage(paths: readonly string[]): string {
  return `strict decoding error: ${unknownFieldMessages(paths).join(', ')}`;
}

/** `Warning` header values under `fieldValidation=Warn`: `299 - "unknown field \"spec.x\""`. */
export function unknownFieldWarnings(paths: readonly string[]): string[] {
  return unknownFieldMessages(paths).map(warningHeader);
}

/** A `Warning` header value (apimachinery's NewWarningHeader: code 299, agent `-`). */
export const warningHeader = (text: string): string => `299 - "${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;

/** Go's strconv.Quote for the strings that occur here. */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-1][0-9a-f])/g, (_, hex: string) => `\\x${hex}`);
}
