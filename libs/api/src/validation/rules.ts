/**
 * The bridge between class-validator and Kubernetes field errors.
 *
 * Per-field rules are declared on the resource classes with `@FieldRule`
 * (or one of the ready-made rules below). A rule is a pure function that
 * returns the problems it finds; class-validator decides *where* rules run
 * (nesting, arrays, optional fields) and `validateClass` walks its
 * ValidationError tree back into a flat list of `FieldError`s with k8s-style
 * paths (`spec.containers[0].ports[1].containerPort`).
 *
 * Rules that need more than one field (selector vs template labels, volume
 * mounts vs volumes, ...) are plain functions in each group's validation
 * folder; they are not decorators on purpose.
 */
import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import { IsOptional, registerDecorator, ValidateNested, validateSync, ValidationError } from 'class-validator';
import { FieldError, FieldErrorType, fieldError, notSupported, typeInvalid } from './field-error';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
} from './names';

export interface FieldProblem {
  type: FieldErrorType;
  detail?: string;
  /** The value to report; defaults to the property's value. */
  value?: unknown;
  /** Appended to the property's path, e.g. `[key]` or `.name`. */
  suffix?: string;
  /** For FieldValueNotSupported. */
  supported?: readonly string[];
}

/** A rule: given the property value and the object holding it, what is wrong. */
export type FieldCheck = (value: any, owner: any) => FieldProblem[];

interface RuleContext {
  check: FieldCheck;
}

/** Declares a Kubernetes validation rule on a property. `name` must be unique per property. */
export function FieldRule(name: string, check: FieldCheck): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    const context: RuleContext = { check };
    registerDecorator({
      name: `k8s:${name}`,
      target: target.constructor,
      propertyName: propertyName as string,
      options: { context },
      validator: {
        validate: (value: unknown, args) => check(value, args?.object).length === 0,
        defaultMessage: () => name,
      },
    });
  };
}

const present = (v: unknown): boolean => v !== undefined && v !== null;
const invalidEach = (msgs: string[]): FieldProblem[] => msgs.map((detail) => ({ type: 'FieldValueInvalid' as const, detail }));

/** Required: missing, null, empty string or empty list. */
export const Required = (detail?: string): PropertyDecorator =>
  FieldRule('required', (v) =>
    !present(v) || v === '' || (Array.isArray(v) && v.length === 0) ? [{ type: 'FieldValueRequired', detail }] : [],
  );

/** An enumerated string: when set, it must be one of `values`. */
export const OneOf = (values: readonly string[]): PropertyDecorator =>
  FieldRule('oneOf', (v) => (present(v) && v !== '' && !values.includes(v) ? [{ type: 'FieldValueNotSupported', supported: values }] : []));

const stringRule = (name: string, fn: (s: string) => string[]): PropertyDecorator =>
  FieldRule(name, (v) => (typeof v === 'string' && v !== '' ? invalidEach(fn(v)) : []));

export const DNS1123Label = (): PropertyDecorator => stringRule('dns1123Label', isDNS1123Label);
export const DNS1123Subdomain = (): PropertyDecorator => stringRule('dns1123Subdomain', isDNS1123Subdomain);
export const DNS1035Label = (): PropertyDecorator => stringRule('dns1035Label', isDNS1035Label);
export const QualifiedName = (): PropertyDecorator => stringRule('qualifiedName', isQualifiedName);
export const IanaSvcName = (): PropertyDecorator => stringRule('ianaSvcName', isValidPortName);
export const EnvVarName = (): PropertyDecorator => stringRule('envVarName', isEnvVarName);
export const ConfigMapKey = (): PropertyDecorator => stringRule('configMapKey', isConfigMapKey);

/** An integer field; anything but a whole number is a type error. */
export const Int = (): PropertyDecorator =>
  FieldRule('int', (v) => (present(v) && !Number.isInteger(v) ? [{ type: 'FieldValueTypeInvalid', detail: 'must be of type integer' }] : []));

/** A list of strings (command, args): numbers and booleans are type errors, as in Kubernetes' decoder. */
export const StrList = (): PropertyDecorator =>
  FieldRule('stringList', (v) => {
    if (!present(v)) return [];
    if (!Array.isArray(v)) return [{ type: 'FieldValueTypeInvalid', detail: 'must be of type array' }];
    return v.flatMap((item, i) =>
      typeof item === 'string' ? [] : [{ type: 'FieldValueTypeInvalid' as const, suffix: `[${i}]`, value: item, detail: 'must be of type string' }],
    );
  });

export const Bool = (): PropertyDecorator =>
  FieldRule('bool', (v) => (present(v) && typeof v !== 'boolean' ? [{ type: 'FieldValueTypeInvalid', detail: 'must be of type boolean' }] : []));

export const Str = (): PropertyDecorator =>
  FieldRule('string', (v) => (present(v) && typeof v !== 'string' ? [{ type: 'FieldValueTypeInvalid', detail: 'must be of type string' }] : []));

/** ValidateNonnegativeField. */
export const NonNegative = (): PropertyDecorator =>
  FieldRule('nonNegative', (v) =>
    typeof v === 'number' && v < 0 ? [{ type: 'FieldValueInvalid', detail: 'must be greater than or equal to 0' }] : [],
  );

/** A strictly positive number (`must be greater than 0`), when set. */
export const Positive = (): PropertyDecorator =>
  FieldRule('positive', (v) => (typeof v === 'number' && v <= 0 ? [{ type: 'FieldValueInvalid', detail: 'must be greater than 0' }] : []));

/** When set, at least `min` (`must be greater than or equal to <min>`). */
export const Minimum = (min: number): PropertyDecorator =>
  FieldRule('minimum', (v) =>
    typeof v === 'number' && v < min ? [{ type: 'FieldValueInvalid', detail: `must be greater than or equal to ${min}` }] : [],
  );

/** A port number 1-65535; `required` makes 0/missing an error too. */
export const PortNumber = (opts: { required?: boolean } = {}): PropertyDecorator =>
  FieldRule('portNumber', (v) => {
    if (!present(v) || v === 0) return opts.required ? [{ type: 'FieldValueRequired' }] : [];
    return typeof v === 'number' ? invalidEach(isValidPortNum(v)) : [];
  });

/** A map of string to string; each key checked with `keyCheck` (problems reported on the map's path). */
export const StringMap = (keyCheck?: (k: string) => string[]): PropertyDecorator =>
  FieldRule('stringMap', (v) => {
    if (!present(v)) return [];
    if (typeof v !== 'object' || Array.isArray(v)) return [{ type: 'FieldValueTypeInvalid', detail: 'must be of type object' }];
    const problems: FieldProblem[] = [];
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      if (typeof val !== 'string') problems.push({ type: 'FieldValueTypeInvalid', suffix: `[${k}]`, value: val, detail: 'must be of type string' });
      if (keyCheck) for (const detail of keyCheck(k)) problems.push({ type: 'FieldValueInvalid', value: k, detail });
    }
    return problems;
  });

/** Label maps: keys are qualified names, values label values. */
export const Labels = (): PropertyDecorator =>
  FieldRule('labels', (v) => {
    if (!present(v) || typeof v !== 'object') return [];
    const problems: FieldProblem[] = [];
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      for (const detail of isQualifiedName(k)) problems.push({ type: 'FieldValueInvalid', value: k, detail });
      if (typeof val !== 'string') problems.push({ type: 'FieldValueTypeInvalid', suffix: `[${k}]`, value: val, detail: 'must be of type string' });
      else for (const detail of isValidLabelValue(val)) problems.push({ type: 'FieldValueInvalid', value: val, detail });
    }
    return problems;
  });

// --- running class-validator and flattening its tree -----------------------

type Ctor<T> = new () => T;

/** The class-instance view of a plain object: nested classes built, unknown fields kept. */
export function asInstance<T extends object>(cls: Ctor<T>, plain: unknown): T {
  return plainToInstance(cls, plain as object, { exposeUnsetFields: false });
}

/**
 * Validates `plain` against the rules declared on `cls`. The plain object is
 * never modified; errors come back with paths rooted at `root`.
 */
export function validateClass<T extends object>(cls: Ctor<T>, plain: unknown, root: string): FieldError[] {
  if (plain === undefined || plain === null) return [];
  if (typeof plain !== 'object' || Array.isArray(plain)) return [typeInvalid(root, plain, 'must be of type object')];
  const instance = asInstance(cls, plain);
  const errors = validateSync(instance, { forbidUnknownValues: false, validationError: { target: true, value: true } });
  const out: FieldError[] = [];
  for (const e of errors) flatten(e, root, false, out);
  return out;
}

function flatten(e: ValidationError, parentPath: string, parentIsArray: boolean, out: FieldError[]): void {
  const path = parentIsArray ? `${parentPath}[${e.property}]` : parentPath ? `${parentPath}.${e.property}` : e.property;
  for (const [constraint, message] of Object.entries(e.constraints ?? {})) {
    const ctx = e.contexts?.[constraint] as RuleContext | undefined;
    if (ctx?.check) {
      for (const p of ctx.check(e.value, e.target)) out.push(toFieldError(p, path, e.value));
    } else if (constraint === 'nestedValidation') {
      out.push(typeInvalid(path, e.value, 'must be of type object'));
    } else {
      out.push(fieldError('FieldValueInvalid', path, e.value, message));
    }
  }
  const isArray = Array.isArray(e.value);
  for (const c of e.children ?? []) flatten(c, path, isArray, out);
}

function toFieldError(p: FieldProblem, path: string, value: unknown): FieldError {
  const field = path + (p.suffix ?? '');
  const v = 'value' in p ? p.value : value;
  if (p.type === 'FieldValueNotSupported') return notSupported(field, v, p.supported ?? []);
  return fieldError(p.type, field, v, p.detail);
}

/**
 * A nested object (or list of them) of class `type`: built as that class by
 * class-transformer and validated recursively. Optional unless `required`.
 */
export function Nested(type: () => new () => object, opts: { required?: boolean } = {}): PropertyDecorator {
  const decorators: PropertyDecorator[] = [Type(type), ValidateNested()];
  if (!opts.required) decorators.push(IsOptional());
  return (target, key) => decorators.forEach((d) => d(target, key));
}
