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
import {
  getMetadataStorage,
  IsOptional,
  registerDecorator,
  ValidateNested,
  validateSync,
  ValidationError,
  ValidationTypes,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
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
  /**
   * The rule looks only at whether the value is present and, for a list, at
   * its length: a list of plain objects and the list of class instances
   * class-transformer would build from it get the same answer.
   */
  shapeOnly?: boolean;
}

/** Declares a Kubernetes validation rule on a property. `name` must be unique per property. */
export function FieldRule(name: string, check: FieldCheck, opts: { shapeOnly?: boolean } = {}): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    const context: RuleContext = { check, ...opts };
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
  FieldRule(
    'required',
    (v) => (!present(v) || v === '' || (Array.isArray(v) && v.length === 0) ? [{ type: 'FieldValueRequired', detail }] : []),
    { shapeOnly: true },
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
 *
 * Valid objects (nearly every write) are recognised by `passesWithoutInstances`, which runs
 * the same class-validator rules over the plain object without building
 * class instances. Only when it finds a problem (or meets a shape it does
 * not handle) does the full class-transformer + class-validator run produce
 * the errors, so their paths, values, order and wording are exactly those
 * of that run.
 */
export function validateClass<T extends object>(cls: Ctor<T>, plain: unknown, root: string): FieldError[] {
  if (plain === undefined || plain === null) return [];
  if (typeof plain !== 'object' || Array.isArray(plain)) return [typeInvalid(root, plain, 'must be of type object')];
  if (passesWithoutInstances(cls, plain)) return [];
  return validateInstance(cls, plain, root);
}

/** The full run: class-transformer builds the instances, class-validator walks them. */
export function validateInstance<T extends object>(cls: Ctor<T>, plain: object, root: string): FieldError[] {
  const instance = asInstance(cls, plain);
  const errors = validateSync(instance, VALIDATOR_OPTIONS);
  const out: FieldError[] = [];
  for (const e of errors) flatten(e, root, false, out);
  return out;
}

const VALIDATOR_OPTIONS = { forbidUnknownValues: false, validationError: { target: true, value: true } };

// --- the fast check: class-validator's metadata, cached per class ----------

/** The element class of each `@Nested` property, by declaring class (class-transformer's @Type, kept where this module can read it). */
const nestedTypes = new Map<Function, Map<string, () => Ctor<object>>>();

interface CustomRule {
  validator: ValidatorConstraintInterface;
  metadata: { propertyName: string; constraints: unknown[] };
  /** Must see what class-transformer would hand it (class instances), not the plain value. */
  needsInstances: boolean;
}

interface PropertyPlan {
  name: string;
  /** IsOptional and the like: all must hold for the rules to run. */
  conditions: Array<(object: object, value: unknown) => boolean>;
  rules: CustomRule[];
  /** One entry per ValidateNested: the class of the nested value(s), if declared. */
  nested: Array<Ctor<object> | undefined>;
}

/** How to check a class without instances; `undefined` when only the full run will do. */
type ClassPlan = { cls: Function; properties: PropertyPlan[] } | undefined;

const plans = new Map<Function, ClassPlan>();

function planOf(cls: Function): ClassPlan {
  if (plans.has(cls)) return plans.get(cls);
  const plan = buildPlan(cls);
  plans.set(cls, plan);
  return plan;
}

/**
 * Reads the class's validation metadata once, as class-validator's executor
 * reads it on every call (same options: no groups, not `always`). Anything
 * beyond what `passesWithoutInstances` reproduces (groups, `each`, `validateIf`, async or
 * IsDefined/whitelist/promise rules, rules that read the owning object)
 * leaves the class to the full run.
 */
function buildPlan(cls: Function): ClassPlan {
  // class-transformer builds instances with `new cls()`: a field it
  // initialises would be seen by the rules where the plain object has none.
  try {
    const probe = new (cls as Ctor<object>)();
    if (Object.values(probe).some((v) => v !== undefined)) return undefined;
  } catch {
    return undefined;
  }
  const storage = getMetadataStorage();
  const grouped = storage.groupByPropertyName(storage.getTargetValidationMetadatas(cls, undefined as unknown as string, false, false, undefined));
  const properties: PropertyPlan[] = [];
  for (const [name, metadatas] of Object.entries(grouped)) {
    const plan: PropertyPlan = { name, conditions: [], rules: [], nested: [] };
    for (const m of metadatas) {
      if (m.each || m.always !== undefined || m.groups?.length) return undefined;
      if (m.type === ValidationTypes.CONDITIONAL_VALIDATION) {
        plan.conditions.push(m.constraints[0] as (object: object, value: unknown) => boolean);
      } else if (m.type === ValidationTypes.NESTED_VALIDATION) {
        plan.nested.push(nestedTypeOf(cls, name)?.());
      } else if (m.type === ValidationTypes.CUSTOM_VALIDATION) {
        if ((m as { validateIf?: unknown }).validateIf) return undefined;
        const context = m.context as RuleContext | undefined;
        // A rule that reads the owning object gets the class instance in the full run.
        if (!context?.check || context.check.length > 1) return undefined;
        for (const c of storage.getTargetValidatorConstraints(m.constraintCls)) {
          if (c.async) return undefined;
          plan.rules.push({ validator: c.instance, metadata: m, needsInstances: !context.shapeOnly });
        }
      } else {
        return undefined;
      }
    }
    properties.push(plan);
  }
  for (const p of properties) {
    // A rule on a nested property sees class instances in the full run.
    if (p.nested.length > 0) for (const r of p.rules) if (r.needsInstances) return undefined;
  }
  return { cls, properties };
}

function nestedTypeOf(cls: Function, property: string): (() => Ctor<object>) | undefined {
  for (let c: Function | null = cls; c && c !== Object.prototype.constructor; c = Object.getPrototypeOf(c) as Function | null) {
    const t = nestedTypes.get(c)?.get(property);
    if (t) return t;
  }
  return undefined;
}

/**
 * True when class-validator would find nothing wrong with `plain` as an
 * instance of `cls`: the same rules, conditions and nesting as its executor
 * (ValidationExecutor.performValidations), on the plain values. False when it
 * finds a problem, or cannot tell without the full run.
 */
export function passesWithoutInstances(cls: Function, plain: object): boolean {
  const plan = planOf(cls);
  if (!plan) return validateSync(asInstance(cls as Ctor<object>, plain), VALIDATOR_OPTIONS).length === 0;
  if (Object.getPrototypeOf(plain) !== Object.prototype) return false;
  const owner = plain as Record<string, unknown>;
  for (const p of plan.properties) {
    const value = owner[p.name];
    let run = true;
    for (const c of p.conditions) if (!c(owner, value)) run = false;
    if (!run) continue;
    for (const r of p.rules) {
      const args: ValidationArguments = { targetName: plan.cls.name, property: r.metadata.propertyName, object: owner, value, constraints: r.metadata.constraints };
      if (r.validator.validate(value, args) !== true) return false;
    }
    if (value === undefined) continue;
    for (const type of p.nested) if (!nestedPasses(type, value)) return false;
  }
  return true;
}

/** ValidationExecutor.nestedValidations: lists element by element, objects by their class, anything else an error. */
function nestedPasses(type: Ctor<object> | undefined, value: unknown): boolean {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item === undefined) continue;
      // Lists of lists: left to the full run.
      if (Array.isArray(item) || typeof item !== 'object' || item === null) return false;
      if (type && !passesWithoutInstances(type, item)) return false;
    }
    return true;
  }
  if (typeof value !== 'object' || value === null) return false;
  return type === undefined || passesWithoutInstances(type, value);
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
  return (target, key) => {
    decorators.forEach((d) => d(target, key));
    const types = nestedTypes.get(target.constructor) ?? new Map<string, () => Ctor<object>>();
    types.set(key as string, type);
    nestedTypes.set(target.constructor, types);
  };
}
