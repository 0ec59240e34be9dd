/**
 * meta/v1 (k8s.io/apimachinery/pkg/apis/meta/v1): the metadata every object
 * carries, list metadata, selectors, conditions, Status, DeleteOptions,
 * the Table format kubectl asks for, watch events and discovery documents.
 */
import { FieldCheck, FieldProblem, FieldRule, Labels, Nested, OneOf, QualifiedName } from '../../validation/rules';
import { isQualifiedName, isValidLabelValue } from '../../validation/names';

/** An integer or a string (`intstr.IntOrString`), e.g. a port or `25%`. */
export type IntOrString = number | string;

/** A resource quantity in its canonical string form (`100m`, `1Gi`). */
export type Quantity = string;

/** RFC 3339 timestamp string (`metav1.Time`); MicroTime has microseconds. */
export type Time = string;
export type MicroTime = string;

/** Any object with a body of JSON; what the store holds. */
export type JsonObject = Record<string, unknown>;

export interface TypeMeta {
  apiVersion?: string;
  kind?: string;
}

const notEmpty =
  (detail: string): FieldCheck =>
  (v) =>
    v === undefined || v === null || v === '' ? [{ type: 'FieldValueInvalid', value: v ?? '', detail }] : [];

/** 256 KiB: the most all annotations of one object may hold together. */
export const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024;

/** ValidateAnnotations: keys are qualified names (case-insensitively), total size bounded. */
function annotationProblems(v: unknown): FieldProblem[] {
  if (!v || typeof v !== 'object') return [];
  const problems: FieldProblem[] = [];
  let size = 0;
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    for (const detail of isQualifiedName(k.toLowerCase())) problems.push({ type: 'FieldValueInvalid', value: k, detail });
    size += Buffer.byteLength(k) + Buffer.byteLength(String(val));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES)
    problems.push({ type: 'FieldValueTooLong', value: '', detail: `must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT_BYTES} bytes` });
  return problems;
}

export class OwnerReference {
  @FieldRule('apiVersion', notEmpty('version must not be empty'))
  apiVersion!: string;
  @FieldRule('kind', notEmpty('must not be empty'))
  kind!: string;
  @FieldRule('name', notEmpty('must not be empty'))
  name!: string;
  @FieldRule('uid', notEmpty('must not be empty'))
  uid!: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export class ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: Time;
  fieldsType?: string;
  fieldsV1?: JsonObject;
  subresource?: string;
}

export class ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  selfLink?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: Time | null;
  deletionTimestamp?: Time;
  deletionGracePeriodSeconds?: number;
  @Labels()
  labels?: Record<string, string>;
  @FieldRule('annotations', annotationProblems)
  annotations?: Record<string, string>;
  @Nested(() => OwnerReference)
  ownerReferences?: OwnerReference[];
  @FieldRule('finalizers', (v) =>
    Array.isArray(v) ? v.flatMap((f: string) => isQualifiedName(String(f)).map((detail) => ({ type: 'FieldValueInvalid' as const, value: f, detail }))) : [],
  )
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
}

export class ListMeta {
  selfLink?: string;
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export const LABEL_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
export type LabelSelectorOperator = (typeof LABEL_SELECTOR_OPERATORS)[number];

export class LabelSelectorRequirement {
  @FieldRule('key', (v) =>
    typeof v === 'string' ? isQualifiedName(v).map((detail) => ({ type: 'FieldValueInvalid' as const, detail })) : [],
  )
  key!: string;
  @FieldRule('operator', (v) =>
    LABEL_SELECTOR_OPERATORS.includes(v) ? [] : [{ type: 'FieldValueInvalid', value: v ?? '', detail: 'not a valid selector operator' }],
  )
  operator!: LabelSelectorOperator;
  @FieldRule('values', (v, owner: LabelSelectorRequirement | undefined) => {
    const n = Array.isArray(v) ? v.length : 0;
    const op = owner?.operator;
    if ((op === 'In' || op === 'NotIn') && n === 0)
      return [{ type: 'FieldValueRequired', detail: "must be specified when `operator` is 'In' or 'NotIn'" }];
    if ((op === 'Exists' || op === 'DoesNotExist') && n > 0)
      return [{ type: 'FieldValueForbidden', detail: "may not be specified when `operator` is 'Exists' or 'DoesNotExist'" }];
    return (Array.isArray(v) ? v : []).flatMap((val: unknown) =>
      isValidLabelValue(String(val)).map((detail) => ({ type: 'FieldValueInvalid' as const, value: val, detail })),
    );
  })
  values?: string[];
}

export class LabelSelector {
  @Labels()
  matchLabels?: Record<string, string>;
  @Nested(() => LabelSelectorRequirement)
  matchExpressions?: LabelSelectorRequirement[];
}

export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;
export type ConditionStatus = (typeof CONDITION_STATUSES)[number];

/** metav1.Condition, the standard condition shape for newer APIs. */
export class Condition {
  @QualifiedName()
  type!: string;
  @OneOf(CONDITION_STATUSES)
  status!: ConditionStatus;
  observedGeneration?: number;
  lastTransitionTime!: Time;
  reason!: string;
  message!: string;
}

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  apiVersion: 'v1';
  kind: 'Status';
  metadata: ListMeta;
  status?: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

export const DELETION_PROPAGATIONS = ['Orphan', 'Background', 'Foreground'] as const;
export type DeletionPropagation = (typeof DELETION_PROPAGATIONS)[number];

export class DeleteOptions {
  apiVersion?: string;
  kind?: 'DeleteOptions';
  gracePeriodSeconds?: number;
  preconditions?: Preconditions;
  orphanDependents?: boolean;
  @OneOf(DELETION_PROPAGATIONS)
  propagationPolicy?: DeletionPropagation;
  @FieldRule('dryRun', (v) =>
    Array.isArray(v) && v.some((x) => x !== 'All') ? [{ type: 'FieldValueNotSupported', supported: ['All'] }] : [],
  )
  dryRun?: string[];
  ignoreStoreReadErrorWithClusterBreakingPotential?: boolean;
}

export interface TableColumnDefinition {
  name: string;
  type: 'integer' | 'number' | 'string' | 'boolean' | 'date' | string;
  format: string;
  description: string;
  priority: number;
}

export interface TableRowCondition {
  type: 'Completed' | string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
}

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  /** PartialObjectMetadata (or the full object, by `includeObject`). */
  object?: JsonObject;
}

export interface Table {
  apiVersion: 'meta.k8s.io/v1';
  kind: 'Table';
  metadata: ListMeta;
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export interface PartialObjectMetadata {
  apiVersion: 'meta.k8s.io/v1';
  kind: 'PartialObjectMetadata';
  metadata: ObjectMeta;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T = JsonObject> {
  type: WatchEventType;
  object: T;
}

/** Any `<Kind>List`. */
export interface List<T = JsonObject> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

// --- discovery (served by the apiserver from the Scheme) --------------------

export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

export interface APIResourceList {
  kind: 'APIResourceList';
  apiVersion: 'v1';
  groupVersion: string;
  resources: APIResource[];
}

export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

export interface APIGroup {
  kind?: 'APIGroup';
  apiVersion?: 'v1';
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion: GroupVersionForDiscovery;
}

export interface APIGroupList {
  kind: 'APIGroupList';
  apiVersion: 'v1';
  groups: APIGroup[];
}

export interface APIVersions {
  kind: 'APIVersions';
  versions: string[];
  serverAddressByClientCIDRs: { clientCIDR: string; serverAddress: string }[];
}
