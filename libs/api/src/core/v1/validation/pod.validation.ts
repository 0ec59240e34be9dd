/**
 * Pod and pod template validation: the cross-field rules of ValidatePodSpec
 * and ValidatePodUpdate (pkg/apis/core/validation). Per-field rules live on
 * the classes and run through `validateClass`.
 */
import { FieldError, duplicate, forbidden, invalid, required } from '../../../validation/field-error';
import { semanticEqual } from '../../../validation/equality';
import { isValidLabelValue, inclusiveRangeError } from '../../../validation/names';
import { VOLUME_SOURCE_FIELDS } from '../volume.types';
import { VOLUME_FIELD_PATHS, validateContainer, validateObjectFieldSelector, validateResourceFieldSelector } from './container.validation';

type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const MAX_INT32 = 2147483647;

function validateVolumes(volumes: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const p = `${path}[${i}]`;
    if (v.name && names.has(v.name)) errs.push(duplicate(`${p}.name`, v.name));
    if (v.name) names.add(v.name);
    const sources = VOLUME_SOURCE_FIELDS.filter((f) => v[f] !== undefined && v[f] !== null);
    if (sources.length === 0) errs.push(required(p, 'must specify a volume type'));
    for (const extra of sources.slice(1)) errs.push(forbidden(`${p}.${extra}`, 'may not specify more than 1 volume type'));
    list(v.downwardAPI?.items).forEach((item, j) => errs.push(...validateDownwardAPIFile(item, `${p}.downwardAPI.items[${j}]`)));
    list(v.projected?.sources).forEach((src, j) => {
      const sp = `${p}.projected.sources[${j}]`;
      const kinds = ['secret', 'downwardAPI', 'configMap', 'serviceAccountToken', 'clusterTrustBundle'].filter((k) => isObj(src[k]));
      if (kinds.length > 1) errs.push(forbidden(sp, 'may not specify more than 1 volume type per source'));
      for (const k of ['secret', 'configMap']) if (isObj(src[k]) && !src[k].name) errs.push(required(`${sp}.${k}.name`, ''));
      list(src.downwardAPI?.items).forEach((item, n) => errs.push(...validateDownwardAPIFile(item, `${sp}.downwardAPI.items[${n}]`)));
    });
  });
  return errs;
}

function validateDownwardAPIFile(item: Obj, path: string): FieldError[] {
  if (isObj(item.fieldRef)) {
    const errs = validateObjectFieldSelector(item.fieldRef, VOLUME_FIELD_PATHS, `${path}.fieldRef`);
    if (isObj(item.resourceFieldRef)) errs.push(invalid(path, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
    return errs;
  }
  if (isObj(item.resourceFieldRef)) return validateResourceFieldSelector(item.resourceFieldRef, `${path}.resourceFieldRef`, true);
  return [required(path, 'one of fieldRef and resourceFieldRef is required')];
}

function validateTolerations(tolerations: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  tolerations.forEach((t, i) => {
    const p = `${path}[${i}]`;
    if (!t.key && t.operator !== 'Exists')
      errs.push(invalid(`${p}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (t.tolerationSeconds != null && t.effect !== 'NoExecute')
      errs.push(invalid(`${p}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    if (!t.operator || t.operator === 'Equal') {
      const msgs = isValidLabelValue(String(t.value ?? ''));
      if (msgs.length) errs.push(invalid(`${p}.operator`, t.value, msgs.join(';')));
    } else if (t.operator === 'Exists' && t.value) {
      errs.push(invalid(`${p}.operator`, t, "value must be empty when `operator` is 'Exists'"));
    }
  });
  return errs;
}

function validateHostPorts(containers: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c, i) =>
    list(c.ports).forEach((p, j) => {
      if (!p.hostPort) return;
      const key = `${p.protocol ?? 'TCP'}/${p.hostIP ?? ''}/${p.hostPort}`;
      if (seen.has(key)) errs.push(duplicate(`${path}[${i}].ports[${j}].hostPort`, key));
      seen.add(key);
    }),
  );
  return errs;
}

/**
 * ValidatePodSpec's cross-field rules. `spec` may be missing (then containers
 * are required). `claimNames` are volumes provided from outside the spec
 * (a StatefulSet's volumeClaimTemplates).
 */
export function validatePodSpec(spec: unknown, path: string, claimNames: string[] = []): FieldError[] {
  if (!isObj(spec)) return [required(`${path}.containers`, '')];
  const errs: FieldError[] = [];
  const volumes = list(spec.volumes);
  const volumeNames = new Set([...(volumes.map((v) => v.name).filter(Boolean) as string[]), ...claimNames]);
  errs.push(...validateVolumes(volumes, `${path}.volumes`));

  const containers = list(spec.containers);
  const initContainers = list(spec.initContainers);
  const regularNames = new Set<string>();
  containers.forEach((c, i) => {
    if (c.name && regularNames.has(c.name)) errs.push(duplicate(`${path}.containers[${i}].name`, c.name));
    if (c.name) regularNames.add(c.name);
  });
  const allNames = new Set(regularNames);
  initContainers.forEach((c, i) => {
    if (c.name && allNames.has(c.name)) errs.push(duplicate(`${path}.initContainers[${i}].name`, c.name));
    if (c.name) allNames.add(c.name);
    errs.push(...validateContainer(c, `${path}.initContainers[${i}]`, 'initContainers', volumeNames));
  });
  containers.forEach((c, i) => errs.push(...validateContainer(c, `${path}.containers[${i}]`, 'containers', volumeNames)));
  list(spec.ephemeralContainers).forEach((c, i) => {
    if (c.name && allNames.has(c.name)) errs.push(duplicate(`${path}.ephemeralContainers[${i}].name`, c.name));
    errs.push(...validateContainer(c, `${path}.ephemeralContainers[${i}]`, 'ephemeralContainers', volumeNames));
  });
  errs.push(...validateHostPorts([...containers, ...initContainers], `${path}.containers`));
  errs.push(...validateTolerations(list(spec.tolerations), `${path}.tolerations`));
  if (spec.dnsPolicy === 'None' && !isObj(spec.dnsConfig))
    errs.push(required(`${path}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None'));
  if (spec.hostNetwork === true)
    containers.forEach((c, i) =>
      list(c.ports).forEach((p, j) => {
        if (p.hostPort && p.hostPort !== p.containerPort)
          errs.push(invalid(`${path}.containers[${i}].ports[${j}].containerPort`, p.containerPort, 'must match `hostPort` when `hostNetwork` is true'));
      }),
    );
  return errs;
}

/** ValidatePod's pod-only extras (not applied to templates). */
export function validatePodOnly(pod: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const spec = pod.spec ?? {};
  for (const kind of ['containers', 'initContainers'])
    list(spec[kind]).forEach((c, i) => {
      if (typeof c.image === 'string' && c.image !== c.image.trim())
        errs.push(invalid(`spec.${kind}[${i}].image`, c.image, 'must not have leading or trailing whitespace'));
    });
  if (list(spec.ephemeralContainers).length) errs.push(forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  return errs;
}

export const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/** ValidatePodUpdate's spec rules: only images, activeDeadlineSeconds, added tolerations, removed scheduling gates. */
export function validatePodSpecUpdate(spec: Obj, old: Obj): FieldError[] {
  const errs: FieldError[] = [];
  for (const kind of ['containers', 'initContainers']) {
    const now = list(spec[kind]);
    const before = list(old[kind]);
    if (now.length !== before.length) return [forbidden(`spec.${kind}`, 'pod updates may not add or remove containers')];
    now.forEach((c, i) => {
      if (!c.image) errs.push(required(`spec.${kind}[${i}].image`, ''));
      else if (c.image !== c.image.trim()) errs.push(invalid(`spec.${kind}[${i}].image`, c.image, 'must not have leading or trailing whitespace'));
    });
  }
  const ads = spec.activeDeadlineSeconds;
  if (ads != null) {
    if (ads < 0 || ads > MAX_INT32) return [...errs, invalid('spec.activeDeadlineSeconds', ads, inclusiveRangeError(0, MAX_INT32))];
    if (old.activeDeadlineSeconds != null && old.activeDeadlineSeconds < ads)
      return [...errs, invalid('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value')];
  } else if (old.activeDeadlineSeconds != null) {
    errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  const newTolerations = list(spec.tolerations);
  list(old.tolerations).forEach((t, i) => {
    const same = (o: Obj) => ['key', 'operator', 'value', 'effect'].every((k) => (o[k] ?? '') === (t[k] ?? ''));
    if (!newTolerations.some(same)) errs.push(forbidden(`spec.tolerations[${i}]`, 'existing toleration can not be modified except its tolerationSeconds'));
  });
  const gateNames = new Set(list(old.schedulingGates).map((g) => g.name));
  list(spec.schedulingGates).forEach((g, i) => {
    if (!gateNames.has(g.name)) errs.push(forbidden(`spec.schedulingGates[${i}]`, 'only deletion is allowed, but found new scheduling gate \'' + g.name + "'"));
  });

  const munged: Obj = structuredClone(spec);
  for (const kind of ['containers', 'initContainers']) list(munged[kind]).forEach((c, i) => (c.image = old[kind][i].image));
  munged.activeDeadlineSeconds = old.activeDeadlineSeconds;
  munged.tolerations = old.tolerations;
  munged.schedulingGates = old.schedulingGates;
  if (old.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1)
    munged.terminationGracePeriodSeconds = old.terminationGracePeriodSeconds;
  if (!semanticEqual(munged, old))
    errs.push(forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${specDiff(old, munged)}`));
  return errs;
}

/** A short readable diff of two JSON values: one `-`/`+` pair per changed leaf. */
export function specDiff(before: unknown, after: unknown, path = ''): string {
  const lines: string[] = [];
  const walk = (a: unknown, b: unknown, p: string) => {
    if (semanticEqual(a, b)) return;
    if (isObj(a) && isObj(b)) {
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) walk(a[k], b[k], p ? `${p}.${k}` : k);
    } else if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      a.forEach((v, i) => walk(v, b[i], `${p}[${i}]`));
    } else {
      lines.push(`- \t${p}: ${JSON.stringify(a ?? null)}`, `+ \t${p}: ${JSON.stringify(b ?? null)}`);
    }
  };
  walk(before, after, path);
  return ['  core.PodSpec{', ...lines, '  }'].join('\n');
}
