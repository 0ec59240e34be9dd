import { ResourceDefinition, validateCreate, validateStatusUpdate, validateUpdate } from '@logbook/api';
import { FieldError, invalid } from '@logbook/machinery';
import type { Obj } from './resource-store';

type ApiFieldError = { type: string; field: string; value?: unknown; detail?: string };

/**
 * Validation of objects before they are written: the built-in rules of
 * `@logbook/api`, and (for custom resources) their CRD schema. Failures are
 * one 422 Invalid Status with a cause per field.
 */
export class ObjectValidator {
  private readonly extra: Array<(def: ResourceDefinition, obj: Obj, old?: Obj) => FieldError[]> = [];

  /** Adds a check (e.g. a CRD's openAPIV3Schema) run after the built-in rules. */
  use(check: (def: ResourceDefinition, obj: Obj, old?: Obj) => FieldError[]): void {
    this.extra.push(check);
  }

  validateCreate(def: ResourceDefinition, obj: Obj): void {
    const errors = (validateCreate(obj) as ApiFieldError[]).map(toFieldError);
    for (const check of this.extra) errors.push(...check(def, obj));
    this.fail(def, obj, errors);
  }

  /** An update; through the `status` subresource only what such a write can change is checked (`validateStatusUpdate`). */
  validateUpdate(def: ResourceDefinition, obj: Obj, old: Obj, subresource?: string): void {
    const builtin = subresource === 'status' ? validateStatusUpdate(obj, old) : validateUpdate(obj, old);
    const errors = (builtin as ApiFieldError[]).map(toFieldError);
    for (const check of this.extra) errors.push(...check(def, obj, old));
    this.fail(def, obj, errors);
  }

  private fail(def: ResourceDefinition, obj: Obj, errors: FieldError[]): void {
    if (errors.length === 0) return;
    throw invalid({ group: def.group, kind: def.kind }, String(obj.metadata?.name ?? ''), errors);
  }
}

function toFieldError(e: ApiFieldError): FieldError {
  return { type: e.type as FieldError['type'], field: e.field, badValue: e.value, detail: e.detail ?? '' };
}
