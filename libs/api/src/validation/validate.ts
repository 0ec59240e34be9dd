/**
 * `validateCreate(obj)` and `validateUpdate(obj, old)`: what kube-apiserver's
 * strategies' Validate/ValidateUpdate return, as a flat list of field errors
 * (empty when valid). Dispatched by apiVersion/kind through the Scheme;
 * objects of a served non-storage version (v1beta1 Ingress, CronJob) are
 * converted to their storage version first, so errors name v1 fields.
 *
 * Expected input: an object after `applyDefaults` (and, on create, after
 * the apiserver filled metadata.namespace/uid and `prepareForCreate`). Fields
 * Kubernetes defaults are only checked when present, so validating an
 * undefaulted manifest reports real mistakes rather than missing defaults.
 *
 * Custom resources get metadata validation here; their OpenAPI schema is the
 * apiserver's schema validator's job.
 */
import { defaultScheme } from '../scheme/default-scheme';
import type { Scheme } from '../scheme/scheme';
import type { ResourceDefinition } from '../scheme/types';
import { parseApiVersion } from '../scheme/types';
import { FieldError, fieldError, required } from './field-error';
import { KIND_VALIDATIONS, KindValidation } from './kinds';
import { nameIsDNSSubdomain } from './names';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta';
import { Nested, validateClass } from './rules';
import { ObjectMeta } from '../meta/v1/types';

type Obj = Record<string, any>;

/** Custom resources: only their metadata is checked here. */
class MetaOnly {
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
}

interface Resolved {
  obj: Obj;
  def?: ResourceDefinition;
  rules?: KindValidation;
}

function resolve(input: object, scheme: Scheme): Resolved | FieldError[] {
  const o = input as Obj;
  const missing: FieldError[] = [];
  if (typeof o.apiVersion !== 'string' || !o.apiVersion) missing.push(required('apiVersion', ''));
  if (typeof o.kind !== 'string' || !o.kind) missing.push(required('kind', ''));
  if (missing.length) return missing;
  const def = scheme.forObject(o);
  const group = parseApiVersion(o.apiVersion).group;
  const rules = KIND_VALIDATIONS[`${group}/${o.kind}`];
  const obj = def && !def.storage ? scheme.toStorageVersion(o) : o;
  return { obj, def, rules };
}

/**
 * Kubernetes validates pod templates' labels and annotations at
 * `<template>.labels`, not `<template>.metadata.labels`; keep its paths.
 */
function templateMetaPath(e: FieldError): FieldError {
  const field = e.field.replace(/(^|\.)template\.metadata\.(labels|annotations)/, '$1template.$2');
  return field === e.field ? e : { ...e, field, message: field + e.message.slice(e.field.length) };
}

/**
 * The object as the per-field rules see it: without metadata.managedFields,
 * which no rule checks and which the class view would copy whole (the
 * apiserver's own record, often the largest part of an object).
 */
function forFieldRules(obj: Obj): Obj {
  if (!obj.metadata?.managedFields) return obj;
  return { ...obj, metadata: { ...obj.metadata, managedFields: undefined } };
}

function objectRules(r: Resolved): FieldError[] {
  const { obj, rules } = r;
  if (!rules) return [];
  return [...validateClass(rules.cls, forFieldRules(obj), '').map(templateMetaPath), ...(rules.rules?.(obj) ?? [])];
}

function metaRules(r: Resolved): { namespaced: boolean; name: typeof nameIsDNSSubdomain; builtin: boolean } {
  return {
    namespaced: r.def?.namespaced ?? true,
    name: r.rules?.name ?? nameIsDNSSubdomain,
    builtin: !r.def?.custom,
  };
}

/** Validation of a new object. */
export function validateCreate(obj: object, scheme: Scheme = defaultScheme): FieldError[] {
  const r = resolve(obj, scheme);
  if (Array.isArray(r)) return r;
  if (!r.def && !r.rules) return [];
  const meta = r.rules?.subresource ? [] : validateObjectMeta(r.obj.metadata, metaRules(r));
  const metaClass = r.rules ? [] : validateClass(MetaOnly, forFieldRules(r.obj), '');
  return [...meta, ...metaClass, ...objectRules(r), ...(r.rules?.createOnly?.(r.obj) ?? [])];
}

/** Validation of an update of `old` to `obj` (both in any served version). */
export function validateUpdate(obj: object, old: object, scheme: Scheme = defaultScheme): FieldError[] {
  const both = resolveUpdate(obj, old, scheme);
  if ('errors' in both) return both.errors;
  const { r, before } = both;
  const meta = r.rules?.subresource ? [] : validateObjectMetaUpdate(r.obj.metadata, before.obj.metadata);
  const metaClass = r.rules ? [] : validateClass(MetaOnly, forFieldRules(r.obj), '');
  return [...meta, ...metaClass, ...objectRules(r), ...(r.rules?.update?.(r.obj, before.obj) ?? [])];
}

/**
 * Validation of a write through the `status` subresource (kube's status
 * strategies' ValidateUpdate, e.g. ValidatePodStatusUpdate): the metadata
 * update. Everything else but the status is the stored object's (the status
 * strategy resets it), and that was validated when it was written, so the
 * spec's rules do not run again — a status write of an object whose spec
 * predates a stricter rule still goes through, as in Kubernetes.
 */
export function validateStatusUpdate(obj: object, old: object, scheme: Scheme = defaultScheme): FieldError[] {
  const both = resolveUpdate(obj, old, scheme);
  if ('errors' in both) return both.errors;
  const { r, before } = both;
  const meta = r.rules?.subresource ? [] : validateObjectMetaUpdate(r.obj.metadata, before.obj.metadata);
  // ObjectMeta's own rules on the metadata alone: the class view of the whole object would copy spec and status too.
  return [...meta, ...validateClass(ObjectMeta, forFieldRules(r.obj).metadata, 'metadata')];
}

/** Both sides of an update resolved, or the errors (none: nothing to validate) that end validation. */
function resolveUpdate(obj: object, old: object, scheme: Scheme): { errors: FieldError[] } | { r: Resolved; before: Resolved } {
  const r = resolve(obj, scheme);
  if (Array.isArray(r)) return { errors: r };
  const before = resolve(old, scheme);
  if (Array.isArray(before)) return { errors: [fieldError('InternalError', '', undefined, 'the existing object has no apiVersion or kind')] };
  if (!r.def && !r.rules) return { errors: [] };
  return { r, before };
}
