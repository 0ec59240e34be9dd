import {
  AlreadyExistsError,
  ConflictError,
  ExpiredError,
  InvalidObjectError,
  NotFoundError,
  ObjectTooLargeError,
  WatchTooSlowError,
} from '@logbook/event-store';
import { ApiError, alreadyExists, badRequest, conflict, internalError, notFound, requestEntityTooLarge, tooOldResourceVersion } from '@logbook/machinery';

/**
 * The one place store errors become API errors. `resource` names the
 * group/resource the request was about, for the Status details.
 */
export function toApiError(err: unknown, resource?: { group: string; resource: string }): ApiError {
  if (err instanceof ApiError) return err;
  const gr = (k: { group: string; resource: string }) => ({ group: k.group, resource: k.resource });
  if (err instanceof AlreadyExistsError) return alreadyExists(gr(err.key), err.key.name);
  if (err instanceof NotFoundError) return notFound(gr(err.key), err.key.name);
  if (err instanceof ConflictError) return conflict(gr(err.key), err.key.name, err.detail);
  if (err instanceof ObjectTooLargeError) return requestEntityTooLarge(err.message);
  if (err instanceof ExpiredError) return tooOldResourceVersion(err.requested, err.horizon + 1);
  if (err instanceof InvalidObjectError) return badRequest(err.message);
  if (err instanceof WatchTooSlowError) return tooOldResourceVersion(0, 0);
  void resource;
  return internalError(err instanceof Error ? err : String(err));
}

/** A path the API does not serve, worded as kube-apiserver's 404. */
export function resourceNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}
