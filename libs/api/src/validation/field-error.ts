/**
 * Field-level validation errors, shaped and worded like Kubernetes'
 * `k8s.io/apimachinery/pkg/util/validation/field` package so that messages a
 * user sees from Logbook read exactly like the ones kube-apiserver prints:
 *
 *   spec.containers[0].name: Required value
 *   metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain ...
 *   spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"
 *
 * A `FieldError` is a plain record; `message` is precomputed so that callers
 * (the apiserver's Status builder) need no formatting logic of their own.
 */

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueNotFound'
  | 'FieldValueTypeInvalid'
  | 'InternalError';

export interface FieldError {
  type: FieldErrorType;
  /** Path of the offending field, e.g. `spec.containers[0].name`. */
  field: string;
  /** The offending value, as found in the object (omitted where k8s omits it). */
  value?: unknown;
  detail?: string;
  /** `<field>: <body>`, exactly as field.Error.Error() renders it. */
  message: string;
}

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueNotFound: 'Not found',
  FieldValueTypeInvalid: 'Invalid value',
  InternalError: 'Internal error',
};

/** Types whose body never shows the bad value (field.Error.ErrorBody). */
const VALUELESS = new Set<FieldErrorType>(['FieldValueRequired', 'FieldValueForbidden', 'FieldValueTooLong', 'InternalError']);

/**
 * Wraps a value that must print verbatim, the way Go prints values that
 * implement fmt.Stringer (IntOrString, Quantity): `Invalid value: 25%`.
 */
export class Printed {
  constructor(readonly text: string, readonly raw: unknown) {}
}

export function printed(text: string, raw: unknown = text): Printed {
  return new Printed(text, raw);
}

/** The part of the message after `<field>: ` (what Status causes carry). */
export function errorBody(type: FieldErrorType, value: unknown, detail?: string): string {
  let s = TYPE_TEXT[type];
  if (!VALUELESS.has(type)) s += `: ${goValue(value)}`;
  if (detail) s += `: ${detail}`;
  return s;
}

export function fieldError(type: FieldErrorType, field: string, value?: unknown, detail?: string): FieldError {
  const raw = value instanceof Printed ? value.raw : value;
  const err: FieldError = { type, field, message: `${field}: ${errorBody(type, value, detail)}` };
  if (raw !== undefined && !(VALUELESS.has(type) && raw === '')) err.value = raw;
  if (detail) err.detail = detail;
  return err;
}

export const required = (field: string, detail?: string): FieldError => fieldError('FieldValueRequired', field, '', detail);
export const invalid = (field: string, value: unknown, detail?: string): FieldError => fieldError('FieldValueInvalid', field, value, detail);
export const duplicate = (field: string, value: unknown): FieldError => fieldError('FieldValueDuplicate', field, value);
export const forbidden = (field: string, detail: string): FieldError => fieldError('FieldValueForbidden', field, '', detail);
export const typeInvalid = (field: string, value: unknown, detail: string): FieldError =>
  fieldError('FieldValueTypeInvalid', field, value, detail);
export const tooLong = (field: string, maxLength: number): FieldError =>
  fieldError('FieldValueTooLong', field, '', `must have at most ${maxLength} bytes`);
export const tooMany = (field: string, actual: number, max: number): FieldError =>
  fieldError('FieldValueTooMany', field, actual, `must have at most ${max} items`);
export const notFound = (field: string, value: unknown): FieldError => fieldError('FieldValueNotFound', field, value);

export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
  const detail = supported.length ? `supported values: ${supported.map(goQuote).join(', ')}` : undefined;
  return fieldError('FieldValueNotSupported', field, value, detail);
}

/** `field is immutable` (apimachinery's FieldImmutableErrorMsg). */
export const FIELD_IMMUTABLE = 'field is immutable';
export const immutable = (field: string, value: unknown): FieldError => invalid(field, value, FIELD_IMMUTABLE);

/** Go's strconv.Quote for the characters JSON manifests can hold. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/**
 * Renders a value as Go's `%v`/`%q`/`%#v` would in field.Error: strings
 * quoted, numbers and booleans bare, string maps and lists in Go syntax,
 * nil as `null`. Other objects fall back to JSON.
 */
export function goValue(value: unknown): string {
  if (value instanceof Printed) return value.text;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) return `[]string{${value.map(goQuote).join(', ')}}`;
    return JSON.stringify(value);
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.every(([, v]) => typeof v === 'string')) {
      const body = entries
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `${goQuote(k)}:${goQuote(v as string)}`)
        .join(', ');
      return `map[string]string{${body}}`;
    }
    return JSON.stringify(value);
  }
  return String(value);
}

/** Renders a list of errors the way an aggregate prints them: `[a, b]`. */
export function aggregateMessage(errors: readonly FieldError[]): string {
  const unique = [...new Set(errors.map((e) => e.message))];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

/** field.Path helpers: `child('spec', 'containers')`, `index(p, 0)`, `key(p, 'app')`. */
export const child = (path: string, ...names: string[]): string =>
  names.reduce((p, n) => (p ? `${p}.${n}` : n), path);
export const index = (path: string, i: number): string => `${path}[${i}]`;
export const key = (path: string, k: string): string => `${path}[${k}]`;
