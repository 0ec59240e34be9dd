/**
 * Cross-field validation of the other core/v1 kinds: ConfigMap, Secret,
 * Namespace, Node, ReplicationController, Event, Binding, PersistentVolume,
 * PersistentVolumeClaim.
 */
import { FIELD_IMMUTABLE, FieldError, duplicate, fieldError, forbidden, immutable, invalid, notSupported, required, tooLong } from '../../../validation/field-error';
import { semanticEqual } from '../../../validation/equality';
import { isConfigMapKey, isDNS1123Subdomain, isQualifiedName } from '../../../validation/names';
import { parseQuantity, QUANTITY_FORMAT_ERROR } from '../../../validation/quantity';
import { mapSelectorMatches } from '../../../validation/selector';
import { MAX_SECRET_SIZE, SECRET_TYPES } from '../objects.types';
import { PERSISTENT_VOLUME_SOURCE_FIELDS } from '../cluster.types';
import { validatePodSpec } from './pod.validation';
import { specDiff } from './pod.validation';

type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const entries = (v: unknown): [string, unknown][] => (isObj(v) ? Object.entries(v) : []);

function validateDataKeys(obj: Obj, fields: string[], otherBag?: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of fields) {
    for (const [key] of entries(obj[f])) {
      for (const msg of isConfigMapKey(key)) errs.push(invalid(`${f}[${key}]`, key, msg));
      if (otherBag && f !== otherBag && isObj(obj[otherBag]) && key in obj[otherBag])
        errs.push(invalid(`${f}[${key}]`, key, `duplicate of key present in ${otherBag}`));
    }
  }
  return errs;
}

export function validateConfigMap(cm: Obj): FieldError[] {
  const errs = validateDataKeys(cm, ['data', 'binaryData'], 'binaryData');
  let size = 0;
  for (const [, v] of entries(cm.data)) size += Buffer.byteLength(String(v));
  for (const [, v] of entries(cm.binaryData)) size += Buffer.from(String(v), 'base64').length;
  if (size > MAX_SECRET_SIZE) errs.push(tooLong('', MAX_SECRET_SIZE));
  return errs;
}

export function validateSecret(secret: Obj): FieldError[] {
  const errs = validateDataKeys(secret, ['data']);
  let size = 0;
  for (const [key, v] of entries(secret.data)) {
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 === 1)
      errs.push(invalid(`data[${key}]`, '<secret contents redacted>', 'illegal base64 data'));
    else size += Buffer.from(v, 'base64').length;
  }
  if (size > MAX_SECRET_SIZE) errs.push(tooLong('data', MAX_SECRET_SIZE));
  const data = isObj(secret.data) ? secret.data : {};
  const need = (key: string) => (key in data ? [] : [required(`data[${key}]`, '')]);
  switch (secret.type ?? SECRET_TYPES.opaque) {
    case SECRET_TYPES.serviceAccountToken:
      if (!secret.metadata?.annotations?.['kubernetes.io/service-account.name'])
        errs.push(required('metadata.annotations[kubernetes.io/service-account.name]', ''));
      break;
    case SECRET_TYPES.dockercfg:
      errs.push(...need('.dockercfg'));
      break;
    case SECRET_TYPES.dockerConfigJson:
      errs.push(...need('.dockerconfigjson'));
      break;
    case SECRET_TYPES.basicAuth:
      if (!('username' in data) && !('password' in data)) errs.push(required('data[username]', ''), required('data[password]', ''));
      break;
    case SECRET_TYPES.sshAuth:
      errs.push(...need('ssh-privatekey'));
      break;
    case SECRET_TYPES.tls:
      errs.push(...need('tls.key'), ...need('tls.crt'));
      break;
  }
  return errs;
}

/** ConfigMap and Secret updates: `type` never changes, nothing changes once `immutable`. */
export function validateImmutableDataUpdate(obj: Obj, old: Obj, dataFields: string[]): FieldError[] {
  const errs: FieldError[] = [];
  if (old.kind === 'Secret' && (obj.type ?? 'Opaque') !== (old.type ?? 'Opaque')) errs.push(immutable('type', obj.type ?? ''));
  if (old.immutable === true) {
    if (obj.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
    for (const f of dataFields)
      if (!semanticEqual(obj[f], old[f])) errs.push(forbidden(f, 'field is immutable when `immutable` is set'));
  }
  return errs;
}

export function validateNamespaceSpec(ns: Obj): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ns.spec?.finalizers ?? []) {
    const name = String(f);
    for (const msg of isQualifiedName(name)) errs.push(invalid('spec.finalizers', name, msg));
    if (!name.includes('/') && name !== 'kubernetes')
      errs.push(invalid('spec.finalizers', name, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return errs;
}

export function validateNodeSpec(node: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (node.spec?.taints ?? []).forEach((t: Obj, i: number) => {
    const key = `${t?.key}:${t?.effect}`;
    if (seen.has(key)) errs.push(duplicate(`spec.taints[${i}]`, `${t.key}=${t.value ?? ''}:${t.effect}`));
    seen.add(key);
  });
  return errs;
}

/** ValidateReplicationControllerSpec's cross-field rules. */
export function validateReplicationControllerSpec(spec: unknown): FieldError[] {
  const s: Obj = isObj(spec) ? spec : {};
  const errs: FieldError[] = [];
  const selector = isObj(s.selector) ? s.selector : {};
  if (Object.keys(selector).length === 0) errs.push(required('spec.selector', ''));
  if (!isObj(s.template)) return [...errs, required('spec.template', '')];
  const labels = s.template.metadata?.labels;
  if (Object.keys(selector).length > 0 && !mapSelectorMatches(selector, labels))
    errs.push(invalid('spec.template.metadata.labels', labels ?? {}, '`selector` does not match template `labels`'));
  errs.push(...validatePodSpec(s.template.spec, 'spec.template.spec'));
  const restartPolicy = s.template.spec?.restartPolicy ?? 'Always';
  if (restartPolicy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', restartPolicy, ['Always']));
  if (s.template.spec?.activeDeadlineSeconds != null)
    errs.push(invalid('spec.template.spec.activeDeadlineSeconds', s.template.spec.activeDeadlineSeconds, 'activeDeadlineSeconds in ReplicationController is not Supported'));
  return errs;
}

/** Legacy (core/v1) event validation: the namespace must agree with the involved object's. */
export function validateEvent(ev: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const ns = ev.metadata?.namespace ?? '';
  const involvedNs = ev.involvedObject?.namespace ?? '';
  if (!ev.eventTime) {
    if (!involvedNs ? ns !== '' && ns !== 'default' : ns !== involvedNs)
      errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    if (!ev.reportingComponent) errs.push(required('reportingComponent', ''));
    else for (const m of isQualifiedName(ev.reportingComponent)) errs.push(invalid('reportingComponent', ev.reportingComponent, m));
    if (!ev.reportingInstance) errs.push(required('reportingInstance', ''));
    if (!ev.action) errs.push(required('action', ''));
    if (!ev.reason) errs.push(required('reason', ''));
  }
  for (const m of isDNS1123Subdomain(ns)) errs.push(invalid('namespace', ns, m));
  return errs;
}

export function validateBinding(b: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const kind = b.target?.kind ?? '';
  if (kind && kind !== 'Node') errs.push(notSupported('target.kind', kind, ['Node', '<empty>']));
  if (!b.target?.name) errs.push(required('target.name', ''));
  return errs;
}

function validateStorage(map: unknown, path: string, requireStorage: 'capacity' | 'request'): FieldError[] {
  const m: Obj = isObj(map) ? map : {};
  const errs: FieldError[] = [];
  if (requireStorage === 'capacity') {
    if (Object.keys(m).length === 0) return [required(path, '')];
    if (!('storage' in m) || Object.keys(m).length > 1) errs.push(notSupported(path, m, ['storage']));
  } else if (!('storage' in m)) {
    return [required(`${path}[storage]`, '')];
  }
  for (const [name, q] of Object.entries(m)) {
    const v = parseQuantity(q);
    if (v === undefined) errs.push(invalid(`${path}[${name}]`, q, QUANTITY_FORMAT_ERROR));
    else if (v <= 0) errs.push(invalid(`${path}[${name}]`, String(q), 'must be greater than zero'));
  }
  return errs;
}

function validateAccessModes(modes: unknown, path: string, detail?: string): FieldError[] {
  const list = Array.isArray(modes) ? modes : [];
  if (list.length === 0) return [required(path, detail ?? '')];
  if (list.includes('ReadWriteOncePod') && list.length > 1) return [forbidden(path, 'may not use ReadWriteOncePod with other access modes')];
  return [];
}

export function validatePersistentVolumeSpec(spec: unknown): FieldError[] {
  const s: Obj = isObj(spec) ? spec : {};
  const errs = [...validateAccessModes(s.accessModes, 'spec.accessModes'), ...validateStorage(s.capacity, 'spec.capacity', 'capacity')];
  const sources = PERSISTENT_VOLUME_SOURCE_FIELDS.filter((f) => s[f] !== undefined && s[f] !== null);
  if (sources.length === 0) errs.push(required('spec', 'must specify a volume type'));
  for (const extra of sources.slice(1)) errs.push(forbidden(`spec.${extra}`, 'may not specify more than 1 volume type'));
  if (s.persistentVolumeReclaimPolicy === 'Recycle' && isObj(s.hostPath) && /^\/+$/.test(String(s.hostPath.path ?? '')))
    errs.push(forbidden('spec.persistentVolumeReclaimPolicy', 'may not be \'recycle\' for a hostPath mount of \'/\''));
  if (isObj(s.local) && !isObj(s.nodeAffinity)) errs.push(required('spec.nodeAffinity', 'Local volume requires node affinity'));
  return errs;
}

export function validatePersistentVolumeUpdate(pv: Obj, old: Obj): FieldError[] {
  const source = (o: Obj) => Object.fromEntries(PERSISTENT_VOLUME_SOURCE_FIELDS.map((f) => [f, o.spec?.[f]]));
  const errs: FieldError[] = [];
  if (!semanticEqual(source(pv), source(old)))
    errs.push(forbidden('spec.persistentvolumesource', `spec.persistentvolumesource is immutable after creation\n${specDiff(source(old), source(pv))}`));
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (old.spec?.volumeMode ?? 'Filesystem')) errs.push(immutable('spec.volumeMode', pv.spec?.volumeMode));
  if (old.spec?.nodeAffinity && !semanticEqual(pv.spec?.nodeAffinity, old.spec.nodeAffinity))
    errs.push(fieldError('FieldValueInvalid', 'spec.nodeAffinity', pv.spec?.nodeAffinity ?? null, FIELD_IMMUTABLE));
  return errs;
}

export function validatePersistentVolumeClaimSpec(spec: unknown, path = 'spec'): FieldError[] {
  const s: Obj = isObj(spec) ? spec : {};
  return [
    ...validateAccessModes(s.accessModes, `${path}.accessModes`, 'at least 1 access mode is required'),
    ...validateStorage(s.resources?.requests, `${path}.resources`, 'request'),
  ];
}

/** PVC spec is immutable except the requested storage of a bound claim (which may only grow). */
export function validatePersistentVolumeClaimUpdate(pvc: Obj, old: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const spec = structuredClone(pvc.spec ?? {});
  const bound = old.status?.phase === 'Bound';
  if (bound) {
    const now = parseQuantity(spec.resources?.requests?.storage);
    const before = parseQuantity(old.spec?.resources?.requests?.storage);
    if (now !== undefined && before !== undefined && now < before && !(old.status?.allocatedResources?.storage))
      errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
    spec.resources = { ...(spec.resources ?? {}), requests: { ...(spec.resources?.requests ?? {}), storage: old.spec?.resources?.requests?.storage } };
    spec.volumeAttributesClassName = old.spec?.volumeAttributesClassName;
  }
  // Binding fills in volumeName; the PV controller sets it, users may not change it once set.
  if (!old.spec?.volumeName && spec.volumeName) spec.volumeName = old.spec?.volumeName;
  if (!semanticEqual(spec, old.spec ?? {}))
    errs.push(
      forbidden(
        'spec',
        `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${specDiff(old.spec ?? {}, spec)}`,
      ),
    );
  return errs;
}
