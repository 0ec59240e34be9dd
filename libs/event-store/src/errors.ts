import { ObjectKey } from './types';

/**
 * Typed failures of the store. The apiserver maps each to a metav1.Status
 * once, in its exception filter; nothing here knows about HTTP.
 */
export abstract class StoreError extends Error {
  abstract readonly reason: 'AlreadyExists' | 'Conflict' | 'NotFound' | 'Invalid' | 'TooLarge' | 'Expired' | 'TooSlow';
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Create of a name that exists. */
export class AlreadyExistsError extends StoreError {
  readonly reason = 'AlreadyExists' as const;
  constructor(readonly key: ObjectKey) {
    super(`${key.resource} "${key.name}" already exists`);
  }
}

/** A precondition (resourceVersion or uid) did not hold. */
export class ConflictError extends StoreError {
  readonly reason = 'Conflict' as const;
  constructor(
    readonly key: ObjectKey,
    readonly detail: string,
  ) {
    super(`Operation cannot be fulfilled on ${key.resource} "${key.name}": ${detail}`);
  }
}

export class NotFoundError extends StoreError {
  readonly reason = 'NotFound' as const;
  constructor(readonly key: ObjectKey) {
    super(`${key.resource} "${key.name}" not found`);
  }
}

/** The object cannot be stored as given (no name, not JSON, ...). */
export class InvalidObjectError extends StoreError {
  readonly reason = 'Invalid' as const;
}

export class ObjectTooLargeError extends StoreError {
  readonly reason = 'TooLarge' as const;
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`object is too large: ${size} bytes of JSON exceeds the limit of ${limit} bytes`);
  }
}

/** The requested resourceVersion is below the retention horizon. */
export class ExpiredError extends StoreError {
  readonly reason = 'Expired' as const;
  constructor(
    readonly requested: number,
    readonly horizon: number,
  ) {
    super(`too old resource version: ${requested} (${horizon + 1})`);
  }
}

/** A watcher fell further behind than its buffer allows and was closed. */
export class WatchTooSlowError extends StoreError {
  readonly reason = 'TooSlow' as const;
  constructor(readonly backlog: number) {
    super(`watcher fell ${backlog} behind and was closed; resume from the last resourceVersion seen`);
  }
}

export const isStoreError = (e: unknown): e is StoreError => e instanceof StoreError;
export const isConflict = (e: unknown): e is ConflictError => e instanceof ConflictError;
export const isAlreadyExists = (e: unknown): e is AlreadyExistsError => e instanceof AlreadyExistsError;
export const isNotFound = (e: unknown): e is NotFoundError => e instanceof NotFoundError;
export const isExpired = (e: unknown): e is ExpiredError => e instanceof ExpiredError;
