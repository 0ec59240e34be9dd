/**
 * @logbook/machinery: pure helpers of the Kubernetes API machinery. No I/O,
 * no Nest, no Postgres: everything here is a function of its arguments, safe
 * to use from the apiserver, the SDK, controllers and the CLI alike.
 */

// Label selectors
export { LabelSelector, parseLabelRequirements, parseLabelSelector, selectorToString } from './selector/label-selector';
export {
  LabelSelectorError,
  newLabelRequirement,
  requirementMatches,
  requirementToString,
} from './selector/label-requirement';
export type { LabelOperator, LabelRequirement, Labels } from './selector/label-requirement';
export { formatLabelSelectorSpec, labelSelectorFromSpec, validateLabelSelectorSpec } from './selector/label-selector-spec';
export type { LabelSelectorRequirementSpec, LabelSelectorSpec } from './selector/label-selector-spec';

// Field selectors
export {
  escapeFieldValue,
  FieldSelector,
  FieldSelectorError,
  parseFieldSelector,
  unescapeFieldValue,
} from './selector/field-selector';
export type { FieldOperator, FieldRequirement } from './selector/field-selector';
export {
  compileFieldSelector,
  defaultFieldExtractor,
  dottedPathGetter,
  fieldExtractorFromPaths,
  fieldExtractorFromTable,
  matchesFieldSelector,
  selectableFieldsFor,
} from './selector/selectable-fields';
export type { FieldExtractor, FieldGetter, ObjectPredicate } from './selector/selectable-fields';

// Names and syntax validation
export {
  DNS1035_LABEL_MAX_LENGTH,
  DNS1123_LABEL_MAX_LENGTH,
  DNS1123_SUBDOMAIN_MAX_LENGTH,
  isCIdentifier,
  isConfigMapKey,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isEnvVarName,
  isInRange,
  isLabelKey,
  isLabelValue,
  isQualifiedName,
  isStrictEnvVarName,
  isValidPercent,
  isValidPortName,
  isValidIp,
  isValidPortNumber,
  isWildcardDns1123Subdomain,
  LABEL_VALUE_MAX_LENGTH,
  QUALIFIED_NAME_MAX_LENGTH,
} from './validation/names';
export {
  GENERATED_NAME_ALPHABET,
  GENERATED_SUFFIX_LENGTH,
  generateName,
  MAX_GENERATED_NAME_BASE_LENGTH,
  MAX_NAME_LENGTH,
  nameIsDns1035Label,
  nameIsDnsLabel,
  nameIsDnsSubdomain,
  nameIsPathSegment,
  TOTAL_ANNOTATION_SIZE_LIMIT_BYTES,
  validateAnnotations,
  validateLabels,
} from './validation/object-names';
export type { NameValidator } from './validation/object-names';
export { emptyError, inclusiveRangeError, maxLenError, regexError } from './validation/messages';
export { FieldPath, fieldPath } from './validation/field-path';
export type { PathLike } from './validation/field-path';
export {
  aggregateMessages,
  duplicate,
  fieldErrorBody,
  fieldErrorsToString,
  fieldErrorToString,
  forbidden as forbiddenField,
  internalFieldError,
  invalid as invalidField,
  notFoundField,
  notSupported,
  OMIT_VALUE,
  required,
  tooFew,
  tooLong,
  tooLongCharacters,
  tooMany,
  tooShort,
  typeInvalid,
} from './validation/field-errors';
export type { FieldError, FieldErrorType } from './validation/field-errors';

// API errors and metav1.Status
export {
  alreadyExists,
  ApiError,
  applyConflict,
  badRequest,
  conflict,
  forbidden,
  generateNameConflict,
  gone,
  groupKindString,
  groupResourceString,
  internalError,
  invalid,
  methodNotSupported,
  notAcceptable,
  notFound,
  OPTIMISTIC_LOCK_ERROR_MESSAGE,
  optimisticLockConflict,
  requestEntityTooLarge,
  resourceExpired,
  serverTimeout,
  serviceUnavailable,
  timeout,
  tooManyRequests,
  tooOldResourceVersion,
  unauthorized,
  unsupportedMediaType,
} from './errors/api-error';
export type { GroupKind, GroupResource } from './errors/api-error';
export * from './errors/guards';
export { failureStatus, successStatus } from './errors/status';
export type { Status, StatusCause, StatusDetails, StatusReason } from './errors/status';

// Patches
export { applyJsonPatch, decodeJsonPatch, JsonPatchError } from './patch/json-patch';
export type { JsonPatchOperation } from './patch/json-patch';
export { escapeJsonPointerToken, formatJsonPointer, JsonPointerError, parseJsonPointer } from './patch/json-pointer';
export { applyMergePatch, createMergePatch } from './patch/merge-patch';
export { applyStrategicMergePatch, StrategicMergePatchError } from './patch/strategic-merge-patch';
export {
  applyKeyedList,
  atomicList,
  atomicMap,
  keyedList,
  scalarSet,
  SchemaNode,
  schemaless,
  struct,
} from './patch/schema';
export type { FieldSchema, ListSchema, ListType, SchemaTypes, TypeSchema } from './patch/schema';
export { applySchemaFor, BUILTIN_TYPES, builtinSchemaFor, listMergeRules } from './patch/builtin-schema';
export type { MergeRule } from './patch/builtin-schema';

// Server-side apply and managed fields
export { applyConfiguration, formatTime, recordUpdate } from './apply/server-side-apply';
export type { ApplyOptions, FieldManagerOptions } from './apply/server-side-apply';
export { FieldSet, pathOf } from './apply/field-set';
export type { FieldsV1 } from './apply/field-set';
export {
  fieldPathToString,
  keyElement,
  parsePathElement,
  pathElementToString,
  serializePathElement,
  valueElement,
} from './apply/path-element';
export type { PathElement } from './apply/path-element';
export {
  decodeManagedFields,
  describeManager,
  encodeManagedFields,
  ManagedFieldsError,
  managerKey,
  MAX_UPDATE_MANAGERS,
} from './apply/managed-fields';
export type { ManagedFieldsEntry, ManagedSet, ManagerIdentity } from './apply/managed-fields';
export { compareObjects } from './apply/typed-compare';
export type { Comparison } from './apply/typed-compare';
export { mergeObjects } from './apply/typed-merge';
export { removeItems, toFieldSet, TypedValueError } from './apply/typed-value';

// Quantities and int-or-string
export {
  addQuantities,
  compareQuantities,
  formatQuantity,
  normalizeQuantity,
  parseQuantity,
  QuantityError,
  quantityFromMillis,
  quantityFromNumber,
  quantityMilliValue,
  quantityToNumber,
  quantityValue,
  subtractQuantities,
} from './quantity/quantity';
export type { Quantity, QuantityFormat } from './quantity/quantity';
export { intOrPercent, IntOrStringError, resolvePort, scaledValueFromIntOrPercent } from './quantity/int-or-string';
export type { IntOrString } from './quantity/int-or-string';

// Durations for printing
export { humanAge, humanDuration, shortHumanDuration } from './duration/human-duration';

// JSON helpers
export { copyJson, isJsonObject, jsonClone, jsonEqual } from './json';
export type { JsonObject, JsonPrimitive, JsonValue } from './json';

// Differences between two versions of an object (JSON Patch and readable lines)
export { deepEqual, diffObjects, hideBookkeeping, pointer, readablePath, readableValue, redactValue } from './diff/object-diff';
export type { DiffOptions, JsonPatchOp, ObjectDiff, PathSegment } from './diff/object-diff';

// Requests from the API server to kubelets
export { checkKubeletTicket, KUBELET_TICKET_SECONDS, signKubeletTicket } from './kubelet/kubelet-ticket';
export type { KubeletTicketClaims } from './kubelet/kubelet-ticket';
