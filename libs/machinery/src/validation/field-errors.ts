import { goJson, goQuote, isJsonObject } from '../json';
import { PathLike, renderPath } from './field-path';

/**
 * Validation errors for one field, as `k8s.io/apimachinery/pkg/util/validation/field`
 * models them. They become the `details.causes` of an Invalid (422) Status, and
 * their rendering (`spec.replicas: Invalid value: -1: must be greater than or
 * equal to 0`) is the one kubectl prints.
 */
export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTooFew'
  | 'FieldValueTooShort'
  | 'FieldValueTypeInvalid'
  | 'InternalError';

/** Pass as the value to print only the error type, without a value. */
export const OMIT_VALUE: unique symbol = Symbol('omit value');

export interface FieldError {
  readonly type: FieldErrorType;
  /** The rendered path, e.g. `spec.containers[0].name`. */
  readonly field: string;
  readonly badValue: unknown;
  readonly detail: string;
}

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueTooFew: 'Too few',
  FieldValueTooShort: 'Too short',
  FieldValueTypeInvalid: 'Invalid value',
  InternalError: 'Internal error',
};

/** Types whose message never shows the bad value. */
const VALUELESS: ReadonlySet<FieldErrorType> = new Set([
  'FieldValueRequired',
  'FieldValueForbidden',
  'FieldValueTooLong',
  'FieldValueTooShort',
  'InternalError',
]);

/**
 * A bad value that already knows how Go prints it (`[]string{"/x"}`,
 * `rbac.RoleRef{...}`) carries the text under this registry symbol.
 */
export const GO_STRING = Symbol.for('logbook.goString');

function renderValue(value: unknown): string {
  if (typeof value === 'object' && value !== null && GO_STRING in value) return String((value as Record<symbol, unknown>)[GO_STRING]);
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Error) return goJson({});
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value) || isJsonObject(value)) return goJson(value);
  return String(value);
}

/** The message without the field: `Invalid value: -1: must be greater than or equal to 0`. */
export function fieldErrorBody(e: FieldError): string {
  let s = TYPE_TEXT[e.type];
  if (!VALUELESS.has(e.type) && e.badValue !== OMIT_VALUE) {
    s += `: ${renderValue(e.badValue)}`;
  }
  if (e.detail.length > 0) s += `: ${e.detail}`;
  return s;
}

/** `field: body`, as Go's `(*field.Error).Error()`. */
export function fieldErrorToString(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

/**
 * Joins messages the way `utilerrors.NewAggregate(...).Error()` does: duplicates
 * dropped, one message as is, several as `[a, b]`.
 */
export function aggregateMessages(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  if (unique.length === 1) return unique[0];
  return `[${unique.join(', ')}]`;
}

/** The aggregate message of a list of field errors (`ErrorList.ToAggregate().Error()`). */
export function fieldErrorsToString(errors: readonly FieldError[]): string {
  return aggregateMessages(errors.map(fieldErrorToString));
}

function make(type: FieldErrorType, path: PathLike, badValue: unknown, detail: string): FieldError {
  return { type, field: renderPath(path), badValue, detail };
}

/** `Required value` (with an optional explanation). */
export function required(path: PathLike, detail = ''): FieldError {
  return make('FieldValueRequired', path, '', detail);
}

/** `Invalid value: <value>: <detail>`. */
export function invalid(path: PathLike, value: unknown, detail: string): FieldError {
  return make('FieldValueInvalid', path, value, detail);
}

/** `Invalid value: <value>: <detail>` for a value of the wrong JSON type. */
export function typeInvalid(path: PathLike, value: unknown, detail: string): FieldError {
  return make('FieldValueTypeInvalid', path, value, detail);
}

/** `Unsupported value: "X": supported values: "A", "B"`. */
export function notSupported(path: PathLike, value: unknown, supported: readonly string[]): FieldError {
  const detail = supported.length > 0 ? `supported values: ${supported.map((v) => goQuote(v)).join(', ')}` : '';
  return make('FieldValueNotSupported', path, value, detail);
}

/** `Duplicate value: <value>`. */
export function duplicate(path: PathLike, value: unknown): FieldError {
  return make('FieldValueDuplicate', path, value, '');
}

/** `Not found: <value>`. */
export function notFoundField(path: PathLike, value: unknown): FieldError {
  return make('FieldValueNotFound', path, value, '');
}

/** `Forbidden: <detail>`. */
export function forbidden(path: PathLike, detail: string): FieldError {
  return make('FieldValueForbidden', path, '', detail);
}

/** `Too long: may not be more than N bytes` (a negative limit: `value is too long`). */
export function tooLong(path: PathLike, maxLength: number): FieldError {
  const detail =
    maxLength >= 0 ? `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}` : 'value is too long';
  return make('FieldValueTooLong', path, '<value omitted>', detail);
}

/** `Too long: may not be more than N characters`. */
export function tooLongCharacters(path: PathLike, maxLength: number): FieldError {
  const detail =
    maxLength >= 0
      ? `may not be more than ${maxLength} ${maxLength === 1 ? 'character' : 'characters'}`
      : 'value is too long';
  return make('FieldValueTooLong', path, '<value omitted>', detail);
}

/** `Too short: must be at least N characters`. */
export function tooShort(path: PathLike, value: string, minLength: number): FieldError {
  const detail =
    minLength >= 0
      ? `must be at least ${minLength} ${minLength === 1 ? 'character' : 'characters'}`
      : 'value is too short';
  return make('FieldValueTooShort', path, value, detail);
}

/** `Too many: 5: must have at most 3 items`. */
export function tooMany(path: PathLike, actual: number, max: number): FieldError {
  const detail = max >= 0 ? `must have at most ${max} ${max === 1 ? 'item' : 'items'}` : 'has too many items';
  return make('FieldValueTooMany', path, actual >= 0 ? actual : OMIT_VALUE, detail);
}

/** `Too few: 1: must have at least 2 items`. */
export function tooFew(path: PathLike, actual: number, min: number): FieldError {
  const detail = min >= 0 ? `must have at least ${min} ${min === 1 ? 'item' : 'items'}` : 'has too few items';
  return make('FieldValueTooFew', path, actual, detail);
}

/** `Internal error: <message>`. */
export function internalFieldError(path: PathLike, err: Error | string): FieldError {
  const message = typeof err === 'string' ? err : err.message;
  return make('InternalError', path, err, message);
}
