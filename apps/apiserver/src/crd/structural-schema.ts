import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { FieldError } from '@logbook/machinery';

/** A CRD version's openAPIV3Schema (a structural schema with x-kubernetes-* extensions). */
export type JSONSchemaProps = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
addFormats(ajv);
// Kubernetes' extensions are annotations to the validator.
for (const k of [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
]) {
  ajv.addKeyword(k);
}

/**
 * Validation of custom resources against their CRD's schema, with ajv (a
 * maintained JSON Schema validator). `metadata`, `apiVersion` and `kind`
 * are the API server's; the schema governs the rest.
 */
export class StructuralSchema {
  private readonly validate: ValidateFunction;

  constructor(readonly schema: JSONSchemaProps) {
    this.validate = ajv.compile(toJsonSchema(schema, true));
  }

  /** Field errors in Kubernetes' words, e.g. `spec.replicas: Invalid value: "x": spec.replicas in body must be of type integer: "string"`. */
  errors(obj: Record<string, unknown>): FieldError[] {
    const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = obj;
    if (this.validate(rest)) return [];
    return (this.validate.errors ?? []).map((e) => fieldErrorOf(e, rest));
  }

  /**
   * Drops fields the schema does not specify (unless it preserves unknown
   * fields there), as kube-apiserver prunes structural custom resources.
   */
  prune(obj: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      if (k === 'apiVersion' || k === 'kind' || k === 'metadata') out[k] = v;
      else if (this.schema.properties?.[k] || this.schema['x-kubernetes-preserve-unknown-fields']) out[k] = pruneValue(v, this.schema.properties?.[k]);
    }
    return out;
  }
}

function pruneValue(value: unknown, schema: JSONSchemaProps | undefined): unknown {
  if (!schema || schema['x-kubernetes-preserve-unknown-fields'] || schema['x-kubernetes-embedded-resource']) return value;
  if (Array.isArray(value)) return value.map((v) => pruneValue(v, schema.items));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (schema.properties?.[k]) out[k] = pruneValue(v, schema.properties[k]);
    else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') out[k] = pruneValue(v, schema.additionalProperties);
    else if (schema.additionalProperties === true) out[k] = v;
  }
  return out;
}

/** OpenAPI v3 schema props to JSON Schema for ajv: nullable, int-or-string, and no metadata checks. */
function toJsonSchema(s: JSONSchemaProps, root = false): JSONSchemaProps {
  if (typeof s !== 'object' || s === null) return s;
  const out: JSONSchemaProps = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties') {
      out.properties = Object.fromEntries(Object.entries(v as object).filter(([name]) => !(root && name === 'metadata')).map(([name, p]) => [name, toJsonSchema(p)]));
    } else if (k === 'items' || k === 'additionalProperties' || k === 'not') {
      out[k] = typeof v === 'object' ? toJsonSchema(v) : v;
    } else if (k === 'allOf' || k === 'anyOf' || k === 'oneOf') {
      out[k] = (v as JSONSchemaProps[]).map((x) => toJsonSchema(x));
    } else if (k !== 'nullable' && k !== 'description' && k !== 'example' && k !== 'externalDocs') {
      out[k] = v;
    }
  }
  if (root && out.required) out.required = (out.required as string[]).filter((r) => r !== 'metadata');
  if (s['x-kubernetes-int-or-string']) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (s.nullable && out.type) out.type = [out.type, 'null'];
  return out;
}

function fieldErrorOf(e: ErrorObject, obj: unknown): FieldError {
  const segments = e.instancePath.split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let field = '';
  for (const s of segments) field += /^\d+$/.test(s) ? `[${s}]` : field ? `.${s}` : s;
  const value = segments.reduce<unknown>((v, s) => (v as Record<string, unknown> | undefined)?.[s], obj);
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return { type: 'FieldValueRequired', field: field ? `${field}.${missing}` : missing, badValue: '', detail: '' };
  }
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ');
    return { type: 'FieldValueNotSupported', field, badValue: value, detail: `supported values: ${allowed}` };
  }
  const where = field || '<root>';
  const detail = e.keyword === 'type' ? `${where} in body must be of type ${(e.params as { type: string }).type}: "${jsonType(value)}"` : `${where} in body ${e.message ?? 'is invalid'}`;
  return { type: 'FieldValueInvalid', field: where, badValue: value, detail };
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}
