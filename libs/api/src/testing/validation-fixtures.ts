/**
 * Helpers for validation tests: take a manifest through what the apiserver
 * does before validating (namespace, uid, defaults, create strategy).
 */
import { applyDefaults } from '../defaulting/apply-defaults';
import { prepareForCreate } from '../defaulting/strategies';
import { defaultScheme } from '../scheme/default-scheme';
import type { FieldError } from '../validation/field-error';
import { validateCreate, validateUpdate } from '../validation/validate';

type Obj = Record<string, any>;

/** The object as the apiserver would hand it to validation on create. */
export function asCreated<T extends Obj>(obj: T, namespace = 'default'): T {
  const def = defaultScheme.forObject(obj);
  const o: Obj = obj;
  const meta = (o.metadata ??= {});
  if (def?.namespaced && meta.namespace === undefined) meta.namespace = namespace;
  meta.uid ??= '6f1c2b1e-0d6c-4a43-9c5b-0b3f1e7a9c10';
  meta.resourceVersion ??= '1';
  applyDefaults(obj);
  return prepareForCreate(obj);
}

export const messages = (errs: FieldError[]): string[] => errs.map((e) => e.message);

/** Messages of validateCreate on the object after defaulting. */
export const createErrors = (obj: Obj): string[] => messages(validateCreate(asCreated(obj)));

/** Messages of validateUpdate from `old` (created) to `change(copy of old)`. */
export function updateErrors<T extends Obj>(old: T, change: (o: T) => void): string[] {
  const before = asCreated(old);
  const after = structuredClone(before);
  change(after);
  applyDefaults(after);
  return messages(validateUpdate(after, before));
}
