/**
 * apps/v1 cross-field validation (pkg/apis/apps/validation): selectors that
 * must exist and match the template, rollout strategies, and what may not
 * change on update.
 */
import { FieldError, forbidden, invalid, notSupported, printed, required } from '../../validation/field-error';
import { semanticEqual } from '../../validation/equality';
import { isValidPercent } from '../../validation/names';
import { immutableSelector } from '../../validation/object-meta';
import { goLabelSelector, isEmptyLabelSelector, isValidLabelSelector, labelSelectorMatches } from '../../validation/selector';
import { validatePodSpec } from '../../core/v1/validation/pod.validation';

type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How Go prints an IntOrString (it implements fmt.Stringer). */
const intOrString = (v: unknown) => printed(String(v ?? 0), v ?? 0);

/** The selector exists, is not empty, and matches the template's labels. */
function validateSelectorAndTemplate(spec: Obj, kind: string, opts: { requireSelector: boolean }): FieldError[] {
  const errs: FieldError[] = [];
  const selector = spec.selector;
  if (!isObj(selector)) {
    if (opts.requireSelector) errs.push(required('spec.selector', ''));
  } else if (isEmptyLabelSelector(selector)) {
    errs.push(invalid('spec.selector', goLabelSelector(selector), `empty selector is invalid for ${kind}`));
  }
  const usable = isObj(selector) && isValidLabelSelector(selector);
  if (isObj(selector) && !usable) errs.push(invalid('spec.selector', goLabelSelector(selector), 'invalid label selector'));
  if (!isObj(spec.template)) return [...errs, required('spec.template', '')];
  const labels = spec.template.metadata?.labels;
  if (usable && !isEmptyLabelSelector(selector) && !labelSelectorMatches(selector, labels))
    errs.push(invalid('spec.template.metadata.labels', labels ?? {}, '`selector` does not match template `labels`'));
  return errs;
}

/** The template must restart its pods (Always) and may not set a deadline. */
function validateLongRunningTemplate(spec: Obj, kindTitle: string, deadlineAsForbidden = false): FieldError[] {
  const podSpec = spec.template?.spec;
  // A StatefulSet's pods also mount the claims made from its volumeClaimTemplates.
  const claims = Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates.map((t: Obj) => t?.metadata?.name).filter(Boolean) : [];
  const errs = validatePodSpec(podSpec, 'spec.template.spec', claims);
  const restartPolicy = podSpec?.restartPolicy ?? 'Always';
  if (restartPolicy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', restartPolicy, ['Always']));
  if (podSpec?.activeDeadlineSeconds != null) {
    const msg = `activeDeadlineSeconds in ${kindTitle} is not Supported`;
    errs.push(
      deadlineAsForbidden
        ? forbidden('spec.template.spec.activeDeadlineSeconds', msg)
        : invalid('spec.template.spec.activeDeadlineSeconds', podSpec.activeDeadlineSeconds, msg),
    );
  }
  return errs;
}

/** The numeric value of an int or percent (`25%` -> 25); undefined when unparsable. */
function intOrPercentValue(v: unknown): { value: number; percent: boolean } | undefined {
  if (typeof v === 'number') return { value: v, percent: false };
  if (typeof v === 'string' && isValidPercent(v).length === 0) return { value: Number(v.slice(0, -1)), percent: true };
  return undefined;
}

function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalid(path, intOrString(v), m));
  if (typeof v === 'number') return v < 0 ? [invalid(path, v, 'must be greater than or equal to 0')] : [];
  return [invalid(path, v, "must be an integer or percentage (e.g '5%')")];
}

function notMoreThan100Percent(v: unknown, path: string): FieldError[] {
  const parsed = intOrPercentValue(v);
  return parsed?.percent && parsed.value > 100 ? [invalid(path, intOrString(v), 'must not be greater than 100%')] : [];
}

export function validateDeploymentSpec(spec: unknown): FieldError[] {
  const s: Obj = isObj(spec) ? spec : {};
  const errs = validateSelectorAndTemplate(s, 'deployment', { requireSelector: true });
  if (isObj(s.template)) errs.push(...validateLongRunningTemplate(s, 'ReplicaSet'));
  const strategy: Obj = isObj(s.strategy) ? s.strategy : {};
  const type = strategy.type ?? 'RollingUpdate';
  const ru = strategy.rollingUpdate;
  if (type === 'Recreate') {
    if (ru != null) errs.push(forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
  } else if (type === 'RollingUpdate') {
    if (isObj(ru)) {
      const p = 'spec.strategy.rollingUpdate';
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`), ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`));
      const unavailable = intOrPercentValue(ru.maxUnavailable ?? '25%')?.value;
      const surge = intOrPercentValue(ru.maxSurge ?? '25%')?.value;
      if (unavailable === 0 && surge === 0) errs.push(invalid(`${p}.maxUnavailable`, intOrString(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
    }
  } else {
    errs.push(notSupported('spec.strategy', strategy, ['Recreate', 'RollingUpdate']));
  }
  if (typeof s.progressDeadlineSeconds === 'number' && s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0))
    errs.push(invalid('spec.progressDeadlineSeconds', s.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  return errs;
}

export function validateReplicaSetSpec(spec: unknown): FieldError[] {
  const s: Obj = isObj(spec) ? spec : {};
  const errs = validateSelectorAndTemplate(s, 'replicaset', { requireSelector: true });
  if (isObj(s.template)) errs.push(...validateLongRunningTemplate(s, 'ReplicaSet'));
  return errs;
}

export function validateDaemonSetSpec(spec: unknown): FieldError[] {
  const s: Obj = isObj(spec) ? spec : {};
  const errs = validateSelectorAndTemplate(s, 'daemonset', { requireSelector: true });
  if (isObj(s.template)) errs.push(...validateLongRunningTemplate(s, 'DaemonSet'));
  const strategy: Obj = isObj(s.updateStrategy) ? s.updateStrategy : {};
  const type = strategy.type ?? 'RollingUpdate';
  if (type === 'RollingUpdate') {
    const ru = strategy.rollingUpdate;
    if (isObj(ru)) {
      const p = 'spec.updateStrategy.rollingUpdate';
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`), ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`));
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`), ...notMoreThan100Percent(ru.maxSurge, `${p}.maxSurge`));
      const hasUnavailable = (intOrPercentValue(ru.maxUnavailable ?? 1)?.value ?? 0) !== 0;
      const hasSurge = (intOrPercentValue(ru.maxSurge ?? 0)?.value ?? 0) !== 0;
      if (hasUnavailable && hasSurge) errs.push(invalid(`${p}.maxSurge`, intOrString(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
      if (!hasUnavailable && !hasSurge) errs.push(required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
    }
  } else if (type !== 'OnDelete') {
    errs.push(notSupported('spec.updateStrategy', strategy, ['RollingUpdate', 'OnDelete']));
  }
  return errs;
}

export function validateStatefulSetSpec(spec: unknown): FieldError[] {
  const s: Obj = isObj(spec) ? spec : {};
  const errs: FieldError[] = [];
  const policy = s.podManagementPolicy;
  if (policy !== undefined && policy !== 'OrderedReady' && policy !== 'Parallel')
    errs.push(invalid('spec.podManagementPolicy', policy, "must be 'OrderedReady' or 'Parallel'"));
  const strategy: Obj = isObj(s.updateStrategy) ? s.updateStrategy : {};
  if (strategy.type === 'OnDelete' && strategy.rollingUpdate != null)
    errs.push(invalid('spec.updateStrategy.rollingUpdate', strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
  else if (strategy.type !== undefined && strategy.type !== 'OnDelete' && strategy.type !== 'RollingUpdate')
    errs.push(invalid('spec.updateStrategy', strategy, "must be 'RollingUpdate' or 'OnDelete'"));
  errs.push(...validateSelectorAndTemplate(s, 'statefulset', { requireSelector: true }));
  if (isObj(s.template)) errs.push(...validateLongRunningTemplate(s, 'StatefulSet', true));
  return errs;
}

// --- updates -----------------------------------------------------------------------

/** Deployments, ReplicaSets and DaemonSets in apps/v1: the selector is immutable. */
export function validateSelectorUpdate(spec: Obj | undefined, old: Obj | undefined): FieldError[] {
  return immutableSelector(spec?.selector, old?.selector, 'spec.selector');
}

const STATEFULSET_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

export function validateStatefulSetUpdate(spec: Obj | undefined, old: Obj | undefined): FieldError[] {
  const strip = (o: Obj | undefined) => Object.fromEntries(Object.entries(o ?? {}).filter(([k]) => !STATEFULSET_MUTABLE.includes(k)));
  if (semanticEqual(strip(spec), strip(old))) return [];
  return [
    forbidden(
      'spec',
      "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ),
  ];
}

export function validateControllerRevision(rev: Obj): FieldError[] {
  return rev.data === undefined || rev.data === null ? [required('data', 'data is mandatory')] : [];
}

export function validateControllerRevisionUpdate(rev: Obj, old: Obj): FieldError[] {
  return semanticEqual(rev.data, old.data) ? [] : [invalid('data', rev.data, 'field is immutable')];
}
