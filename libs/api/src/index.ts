/**
 * @logbook/api — Kubernetes resource types by group/version, the Scheme
 * (resources, kinds, versions, conversions), defaulting, the create/update
 * strategies, validation with Kubernetes-worded field errors, and the pod
 * status helpers kubectl's printers use.
 */
import 'reflect-metadata';

// Types by group/version.
export * from './meta/v1/types';
export * from './core/v1/container.types';
export * from './core/v1/volume.types';
export * from './core/v1/scheduling.types';
export * from './core/v1/pod.types';
export * from './core/v1/service.types';
export * from './core/v1/taints';
export * from './core/v1/node-affinity';
export * from './core/v1/cluster.types';
export * from './core/v1/objects.types';
export * from './apps/v1/types';
export * as logbookV1 from './logbook/v1/types';
export * from './batch/v1/types';
export * from './networking/v1/types';
export type { IngressV1beta1, IngressSpecV1beta1, IngressBackendV1beta1, IngressRuleV1beta1, HTTPIngressPathV1beta1 } from './networking/v1beta1/types';
export * from './storage/v1/types';
export * from './coordination/v1/types';
export * from './discovery/v1/types';
export * from './autoscaling/v1/types';
export * from './authentication/v1/types';
export * from './apiextensions/v1/types';
export * from './rbac/v1/types';
export * from './authorization/v1/types';

// The Scheme.
export * from './scheme';
export { ingressV1beta1ToV1, ingressV1ToV1beta1 } from './networking/v1beta1/conversion';

// Defaulting and strategies.
export { applyDefaults, hasDefaults } from './defaulting/apply-defaults';
export {
  prepareForCreate,
  prepareForUpdate,
  prepareForStatusUpdate,
  prepareJobForCreate,
  prepareNamespaceForCreate,
  preparePodForCreate,
  prepareServiceForUpdate,
} from './defaulting/strategies';
export { imageTag } from './core/v1/defaults';

// Validation.
export { validateCreate, validateStatusUpdate, validateUpdate } from './validation/validate';
export * from './validation/field-error';
export * from './validation/names';
export { semanticEqual } from './validation/equality';
export { parseQuantity, isQuantity, QUANTITY_FORMAT_ERROR } from './validation/quantity';
export { labelSelectorMatches, mapSelectorMatches, isEmptyLabelSelector, isValidLabelSelector, goLabelSelector } from './validation/selector';
export { validateClass, asInstance, FieldRule } from './validation/rules';
export type { FieldProblem, FieldCheck } from './validation/rules';
export { cronScheduleError } from './batch/v1/validation';

// Pod status, as kubectl prints it.
export * from './core/v1/pod-status';
