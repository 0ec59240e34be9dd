/**
 * ObjectMeta validation: the part that depends on the kind (which name rule,
 * namespaced or not) and the update rules. Labels, annotations, owner
 * references and finalizer syntax are declared on the ObjectMeta class.
 */
import { FieldError, forbidden, immutable, invalid, required } from './field-error';
import { NameValidator, isQualifiedName, nameIsDNSLabel } from './names';
import { semanticEqual } from './equality';
import { goLabelSelector } from './selector';

type Obj = Record<string, any>;

export interface ObjectMetaRules {
  namespaced: boolean;
  name: NameValidator;
  /** Built-in kinds also require finalizers without '/' to be standard ones. */
  builtin?: boolean;
}

const STANDARD_FINALIZERS = ['kubernetes', 'orphan', 'foregroundDeletion'];

/** ValidateNamespaceName: a DNS-1123 label. */
export const validateNamespaceName: NameValidator = nameIsDNSLabel;

export function validateObjectMeta(meta: Obj | undefined, rules: ObjectMetaRules, path = 'metadata'): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  if (m.generateName) for (const msg of rules.name(String(m.generateName), true)) errs.push(invalid(`${path}.generateName`, m.generateName, msg));
  if (!m.name) errs.push(required(`${path}.name`, 'name or generateName is required'));
  else for (const msg of rules.name(String(m.name), false)) errs.push(invalid(`${path}.name`, m.name, msg));
  if (rules.namespaced) {
    if (!m.namespace) errs.push(required(`${path}.namespace`, ''));
    else for (const msg of namespaceNameErrors(String(m.namespace))) errs.push(invalid(`${path}.namespace`, m.namespace, msg));
  } else if (m.namespace) {
    errs.push(forbidden(`${path}.namespace`, 'not allowed on this type'));
  }
  if (typeof m.generation === 'number' && m.generation < 0) errs.push(invalid(`${path}.generation`, m.generation, 'must be greater than or equal to 0'));
  errs.push(...validateOwnerReferenceControllers(m.ownerReferences, `${path}.ownerReferences`));
  errs.push(...validateFinalizerSet(m.finalizers, `${path}.finalizers`, rules.builtin ?? true));
  return errs;
}

const namespaceNameErrors = (ns: string): string[] => validateNamespaceName(ns, false);

function validateOwnerReferenceControllers(refs: unknown, path: string): FieldError[] {
  if (!Array.isArray(refs)) return [];
  const errs: FieldError[] = [];
  let first = '';
  for (const ref of refs) {
    if (ref?.apiVersion === 'v1' && ref?.kind === 'Event') errs.push(invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    if (ref?.controller === true) {
      const current = `${ref.kind}/${ref.name}`;
      if (first)
        errs.push(invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${first} and ${current}`));
      else first = current;
    }
  }
  return errs;
}

function validateFinalizerSet(finalizers: unknown, path: string, builtin: boolean): FieldError[] {
  if (!Array.isArray(finalizers)) return [];
  const errs: FieldError[] = [];
  for (const f of finalizers) {
    if (builtin && typeof f === 'string' && !f.includes('/') && isQualifiedName(f).length === 0 && !STANDARD_FINALIZERS.includes(f))
      errs.push(invalid(path, f, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion'))
    errs.push(invalid(path, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  return errs;
}

/**
 * ValidateObjectMetaUpdate: identity and bookkeeping fields may not change.
 * Not checked here: metadata.resourceVersion. Kubernetes fills it from the
 * stored object for unconditional updates (every built-in allows them), and
 * optimistic concurrency is the apiserver's precondition, not validation.
 */
export function validateObjectMetaUpdate(meta: Obj | undefined, old: Obj | undefined, path = 'metadata'): FieldError[] {
  const m = meta ?? {};
  const o = old ?? {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const added = (m.finalizers ?? []).filter((f: string) => !(o.finalizers ?? []).includes(f));
    if (added.length)
      errs.push(
        forbidden(
          `${path}.finalizers`,
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${[...new Set(added as string[])]
            .sort()
            .map((f) => JSON.stringify(f))
            .join(', ')}}`,
        ),
      );
  }
  if ((m.generation ?? 0) < (o.generation ?? 0)) errs.push(invalid(`${path}.generation`, m.generation ?? 0, 'must not be decremented'));
  for (const field of ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds']) {
    if (!semanticEqual(m[field] ?? '', o[field] ?? '')) errs.push(immutable(`${path}.${field}`, m[field] ?? ''));
  }
  return errs;
}

/** ValidateImmutableField for a label selector, printed as Kubernetes prints it. */
export function immutableSelector(selector: unknown, old: unknown, path: string): FieldError[] {
  return semanticEqual(selector, old) ? [] : [immutable(path, goLabelSelector(selector as never))];
}
