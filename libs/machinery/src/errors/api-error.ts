import { goQuote } from '../json';
import { FieldError, fieldErrorBody, fieldErrorsToString } from '../validation/field-errors';
import { failureStatus, Status, StatusCause, StatusDetails, StatusReason } from './status';

/**
 * An error that reaches a client as a `metav1.Status`. Create them with the
 * factories below (`notFound`, `invalid`, ...), which word their messages as
 * `k8s.io/apimachinery/pkg/api/errors` does, and render them with `toStatus()`.
 */
export class ApiError extends Error {
  constructor(
    /** HTTP status code. */
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The exact Status body to send. */
  toStatus(): Status {
    return failureStatus(this.code, this.reason, this.message, this.details);
  }

  /** Rebuilds an error from a Status body (e.g. one read back from a client). */
  static fromStatus(status: Status): ApiError {
    return new ApiError(status.code ?? 0, status.reason ?? '', status.message ?? '', status.details);
  }
}

/** A resource in an API group, e.g. `{ group: 'apps', resource: 'deployments' }`; a string means the core group. */
export type GroupResource = { group?: string; resource: string } | string;
/** A kind in an API group, e.g. `{ group: 'apps', kind: 'Deployment' }`; a string means the core group. */
export type GroupKind = { group?: string; kind: string } | string;

function gr(r: GroupResource): { group: string; resource: string } {
  return typeof r === 'string' ? { group: '', resource: r } : { group: r.group ?? '', resource: r.resource };
}

function gk(k: GroupKind): { group: string; kind: string } {
  return typeof k === 'string' ? { group: '', kind: k } : { group: k.group ?? '', kind: k.kind };
}

/** `pods`, `deployments.apps` (`schema.GroupResource.String()`). */
export function groupResourceString(r: GroupResource): string {
  const { group, resource } = gr(r);
  return group ? `${resource}.${group}` : resource;
}

/** `Pod`, `Deployment.apps` (`schema.GroupKind.String()`). */
export function groupKindString(k: GroupKind): string {
  const { group, kind } = gk(k);
  return group ? `${kind}.${group}` : kind;
}

function errText(cause: Error | string): string {
  return typeof cause === 'string' ? cause : cause.message;
}

/** 404 `pods "x" not found`. */
export function notFound(resource: GroupResource, name: string): ApiError {
  const r = gr(resource);
  return new ApiError(404, 'NotFound', `${groupResourceString(r)} ${goQuote(name)} not found`, {
    name,
    group: r.group,
    kind: r.resource,
  });
}

/** 409 `pods "x" already exists`. */
export function alreadyExists(resource: GroupResource, name: string): ApiError {
  const r = gr(resource);
  return new ApiError(409, 'AlreadyExists', `${groupResourceString(r)} ${goQuote(name)} already exists`, {
    name,
    group: r.group,
    kind: r.resource,
  });
}

/** 409 when every name generated from a `generateName` was taken. */
export function generateNameConflict(resource: GroupResource, name: string, retryAfterSeconds: number): ApiError {
  const r = gr(resource);
  return new ApiError(
    409,
    'AlreadyExists',
    `${groupResourceString(r)} ${goQuote(name)} already exists, the server was not able to generate a unique name for the object`,
    { name, group: r.group, kind: r.resource, retryAfterSeconds },
  );
}

/** The message of a stale write (`OptimisticLockErrorMsg`). */
export const OPTIMISTIC_LOCK_ERROR_MESSAGE =
  'the object has been modified; please apply your changes to the latest version and try again';

/** 409 `Operation cannot be fulfilled on pods "x": <cause>`. */
export function conflict(resource: GroupResource, name: string, cause: Error | string): ApiError {
  const r = gr(resource);
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${groupResourceString(r)} ${goQuote(name)}: ${errText(cause)}`,
    { name, group: r.group, kind: r.resource },
  );
}

/** 409 for an update carrying a stale resourceVersion. */
export function optimisticLockConflict(resource: GroupResource, name: string): ApiError {
  return conflict(resource, name, OPTIMISTIC_LOCK_ERROR_MESSAGE);
}

/** 409 from server-side apply: causes list the conflicting managers and fields. */
export function applyConflict(causes: StatusCause[], message: string): ApiError {
  return new ApiError(409, 'Conflict', message, { causes });
}

/**
 * 422 `Pod "x" is invalid: spec.containers[0].name: Required value`; several
 * errors are joined as `[a, b]`. Each error becomes a cause.
 */
export function invalid(kind: GroupKind, name: string, errors: readonly FieldError[]): ApiError {
  const k = gk(kind);
  const prefix = `${groupKindString(k)} ${goQuote(name)} is invalid`;
  const message = errors.length === 0 ? prefix : `${prefix}: ${fieldErrorsToString(errors)}`;
  return new ApiError(422, 'Invalid', message, {
    name,
    group: k.group,
    kind: k.kind,
    causes: errors.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field })),
  });
}

/** 400 with the given message. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

/** 401; `not authorized` when no reason is given. */
export function unauthorized(reason = ''): ApiError {
  return new ApiError(401, 'Unauthorized', reason || 'not authorized');
}

/**
 * 403 `pods "x" is forbidden: <cause>` (`pods is forbidden: ...` without a
 * name, `forbidden: ...` without a resource).
 */
export function forbidden(resource: GroupResource | undefined, name: string, cause: Error | string): ApiError {
  const r = resource === undefined ? { group: '', resource: '' } : gr(resource);
  let message: string;
  if (!r.group && !r.resource) message = `forbidden: ${errText(cause)}`;
  else if (!name) message = `${groupResourceString(r)} is forbidden: ${errText(cause)}`;
  else message = `${groupResourceString(r)} ${goQuote(name)} is forbidden: ${errText(cause)}`;
  return new ApiError(403, 'Forbidden', message, { name, group: r.group, kind: r.resource });
}

/** 405 `<action> is not supported on resources of kind "pods"`. */
export function methodNotSupported(resource: GroupResource, action: string): ApiError {
  const r = gr(resource);
  return new ApiError(
    405,
    'MethodNotAllowed',
    `${action} is not supported on resources of kind ${goQuote(groupResourceString(r))}`,
    { group: r.group, kind: r.resource },
  );
}

/** 406 `only the following media types are accepted: a, b`. */
export function notAcceptable(accepted: readonly string[]): ApiError {
  return new ApiError(406, 'NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`);
}

/** 415 `the body of the request was in an unknown format - accepted media types include: a, b`. */
export function unsupportedMediaType(accepted: readonly string[]): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

/** 413 `Request entity too large: <message>`. */
export function requestEntityTooLarge(message: string): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);
}

/** 410 with reason Gone. */
export function gone(message: string): ApiError {
  return new ApiError(410, 'Gone', message);
}

/**
 * 410 with reason Expired: what a watch or list from a resourceVersion below
 * the retention horizon gets (`NewResourceExpired`). Clients such as
 * informers relist on it.
 */
export function resourceExpired(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

/** 410 Expired `too old resource version: <requested> (<oldest available>)`, as the watch cache words it. */
export function tooOldResourceVersion(requested: number | string | bigint, oldest: number | string | bigint): ApiError {
  return resourceExpired(`too old resource version: ${requested} (${oldest})`);
}

/** 429 with a Retry-After hint (`NewTooManyRequests`). */
export function tooManyRequests(message: string, retryAfterSeconds = 0): ApiError {
  return new ApiError(429, 'TooManyRequests', message, { retryAfterSeconds });
}

/** 500 `Internal error occurred: <cause>`. */
export function internalError(cause: Error | string): ApiError {
  const text = errText(cause);
  return new ApiError(500, 'InternalError', `Internal error occurred: ${text}`, { causes: [{ message: text }] });
}

/** 500 ServerTimeout `The <operation> operation against <resource> could not be completed at this time, please try again.` */
export function serverTimeout(resource: GroupResource, operation: string, retryAfterSeconds = 0): ApiError {
  const r = gr(resource);
  return new ApiError(
    500,
    'ServerTimeout',
    `The ${operation} operation against ${groupResourceString(r)} could not be completed at this time, please try again.`,
    { name: operation, group: r.group, kind: r.resource, retryAfterSeconds },
  );
}

/** 503 with the given message. */
export function serviceUnavailable(message: string): ApiError {
  return new ApiError(503, 'ServiceUnavailable', message);
}

/** 504 `Timeout: <message>`. */
export function timeout(message: string, retryAfterSeconds = 0): ApiError {
  return new ApiError(504, 'Timeout', `Timeout: ${message}`, { retryAfterSeconds });
}
