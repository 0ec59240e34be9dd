import { ApiError } from './api-error';
import { StatusReason } from './status';

/**
 * Type guards in the manner of `apierrors.IsNotFound` and friends: they test
 * the reason and, for errors whose reason is not one Kubernetes knows, fall
 * back to the HTTP code.
 */

const KNOWN_REASONS: ReadonlySet<string> = new Set<StatusReason>([
  'Unauthorized',
  'Forbidden',
  'NotFound',
  'AlreadyExists',
  'Conflict',
  'Gone',
  'Invalid',
  'ServerTimeout',
  'StoreReadError',
  'Timeout',
  'TooManyRequests',
  'BadRequest',
  'MethodNotAllowed',
  'NotAcceptable',
  'RequestEntityTooLarge',
  'UnsupportedMediaType',
  'InternalError',
  'Expired',
  'ServiceUnavailable',
]);

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

function byReasonOrCode(reason: StatusReason, code: number): (err: unknown) => err is ApiError {
  return (err: unknown): err is ApiError =>
    isApiError(err) && (err.reason === reason || (!KNOWN_REASONS.has(err.reason) && err.code === code));
}

// 429 and 413 count whatever the reason, as in Kubernetes.
function byReasonOrAnyCode(reason: StatusReason, code: number): (err: unknown) => err is ApiError {
  return (err: unknown): err is ApiError => isApiError(err) && (err.reason === reason || err.code === code);
}

function byReason(reason: StatusReason): (err: unknown) => err is ApiError {
  return (err: unknown): err is ApiError => isApiError(err) && err.reason === reason;
}

export const isNotFound = byReasonOrCode('NotFound', 404);
export const isAlreadyExists = byReason('AlreadyExists');
export const isConflict = byReasonOrCode('Conflict', 409);
export const isInvalid = byReasonOrCode('Invalid', 422);
export const isBadRequest = byReasonOrCode('BadRequest', 400);
export const isUnauthorized = byReasonOrCode('Unauthorized', 401);
export const isForbidden = byReasonOrCode('Forbidden', 403);
export const isMethodNotSupported = byReasonOrCode('MethodNotAllowed', 405);
export const isNotAcceptable = byReasonOrCode('NotAcceptable', 406);
export const isUnsupportedMediaType = byReasonOrCode('UnsupportedMediaType', 415);
export const isRequestEntityTooLarge = byReasonOrAnyCode('RequestEntityTooLarge', 413);
export const isGone = byReasonOrCode('Gone', 410);
export const isResourceExpired = byReason('Expired');
export const isTooManyRequests = byReasonOrAnyCode('TooManyRequests', 429);
export const isInternalError = byReasonOrCode('InternalError', 500);
export const isServerTimeout = byReason('ServerTimeout');
export const isTimeout = byReasonOrCode('Timeout', 504);
export const isServiceUnavailable = byReasonOrCode('ServiceUnavailable', 503);

/** 410 of either reason: the client must relist (`Gone` or `Expired`). */
export function isResourceVersionTooOld(err: unknown): err is ApiError {
  return isGone(err) || isResourceExpired(err);
}
