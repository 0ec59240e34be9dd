import { fieldPath } from '../validation/field-path';
import { invalid as invalidField, notSupported, required } from '../validation/field-errors';
import {
  alreadyExists,
  ApiError,
  applyConflict,
  badRequest,
  conflict,
  forbidden,
  generateNameConflict,
  gone,
  internalError,
  invalid,
  methodNotSupported,
  notAcceptable,
  notFound,
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
} from './api-error';
import {
  isAlreadyExists,
  isApiError,
  isBadRequest,
  isConflict,
  isForbidden,
  isGone,
  isInternalError,
  isInvalid,
  isMethodNotSupported,
  isNotAcceptable,
  isNotFound,
  isRequestEntityTooLarge,
  isResourceExpired,
  isResourceVersionTooOld,
  isServerTimeout,
  isServiceUnavailable,
  isTimeout,
  isTooManyRequests,
  isUnauthorized,
  isUnsupportedMediaType,
} from './guards';
import { successStatus } from './status';

describe('ApiError statuses', () => {
  it('NotFound renders the exact Status kube-apiserver sends', () => {
    expect(JSON.stringify(notFound('pods', 'x').toStatus())).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \\"x\\" not found","reason":"NotFound","details":{"name":"x","kind":"pods"},"code":404}',
    );
  });

  it('qualifies grouped resources', () => {
    expect(notFound({ group: 'apps', resource: 'deployments' }, 'web').toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "web" not found',
      reason: 'NotFound',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
      code: 404,
    });
  });

  it('AlreadyExists and generate-name conflicts', () => {
    expect(alreadyExists('pods', 'x').toStatus()).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
      message: 'pods "x" already exists',
    });
    expect(generateNameConflict('pods', 'web-abcde', 1).toStatus()).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
      message: 'pods "web-abcde" already exists, the server was not able to generate a unique name for the object',
      details: { name: 'web-abcde', kind: 'pods', retryAfterSeconds: 1 },
    });
  });

  it('Conflict for a stale resourceVersion', () => {
    expect(optimisticLockConflict('pods', 'x').toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'Operation cannot be fulfilled on pods "x": the object has been modified; please apply your changes to the latest version and try again',
      reason: 'Conflict',
      details: { name: 'x', kind: 'pods' },
      code: 409,
    });
    expect(conflict({ group: 'apps', resource: 'deployments' }, 'd', new Error('boom')).message).toBe(
      'Operation cannot be fulfilled on deployments.apps "d": boom',
    );
  });

  it('Invalid with one cause', () => {
    const err = invalid('Pod', 'x', [required(fieldPath('spec', 'containers', 0, 'name'))]);
    expect(JSON.stringify(err.toStatus())).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Pod \\"x\\" is invalid: spec.containers[0].name: Required value","reason":"Invalid","details":{"name":"x","kind":"Pod","causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.containers[0].name"}]},"code":422}',
    );
  });

  it('Invalid with several causes joins them in brackets', () => {
    const err = invalid({ group: 'apps', kind: 'Deployment' }, 'web', [
      invalidField('spec.replicas', -1, 'must be greater than or equal to 0'),
      notSupported('spec.strategy.type', 'Fast', ['Recreate', 'RollingUpdate']),
    ]);
    expect(err.message).toBe(
      'Deployment.apps "web" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.strategy.type: Unsupported value: "Fast": supported values: "Recreate", "RollingUpdate"]',
    );
    expect(err.toStatus().details).toEqual({
      name: 'web',
      group: 'apps',
      kind: 'Deployment',
      causes: [
        { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' },
        {
          reason: 'FieldValueNotSupported',
          message: 'Unsupported value: "Fast": supported values: "Recreate", "RollingUpdate"',
          field: 'spec.strategy.type',
        },
      ],
    });
    expect(invalid('Pod', 'x', []).message).toBe('Pod "x" is invalid');
  });

  it('statuses without details leave details out', () => {
    expect(badRequest('bad').toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'bad',
      reason: 'BadRequest',
      code: 400,
    });
    expect(unauthorized().toStatus()).toMatchObject({ code: 401, reason: 'Unauthorized', message: 'not authorized' });
    expect(gone('gone').toStatus()).toMatchObject({ code: 410, reason: 'Gone' });
  });

  it('Forbidden words its message by what is known', () => {
    expect(forbidden('pods', 'x', 'User "bob" cannot get resource "pods"').message).toBe(
      'pods "x" is forbidden: User "bob" cannot get resource "pods"',
    );
    expect(forbidden('pods', '', 'no').message).toBe('pods is forbidden: no');
    expect(forbidden(undefined, '', 'no').message).toBe('forbidden: no');
    expect(forbidden('pods', 'x', 'no').toStatus()).toMatchObject({ code: 403, details: { name: 'x', kind: 'pods' } });
  });

  it('media type, size and method errors', () => {
    expect(methodNotSupported('pods', 'patch').toStatus()).toMatchObject({
      code: 405,
      reason: 'MethodNotAllowed',
      message: 'patch is not supported on resources of kind "pods"',
      details: { kind: 'pods' },
    });
    expect(notAcceptable(['application/json', 'application/yaml']).toStatus()).toMatchObject({
      code: 406,
      reason: 'NotAcceptable',
      message: 'only the following media types are accepted: application/json, application/yaml',
    });
    expect(unsupportedMediaType(['application/json']).toStatus()).toMatchObject({
      code: 415,
      reason: 'UnsupportedMediaType',
      message: 'the body of the request was in an unknown format - accepted media types include: application/json',
    });
    expect(requestEntityTooLarge('limit is 3145728').toStatus()).toMatchObject({
      code: 413,
      reason: 'RequestEntityTooLarge',
      message: 'Request entity too large: limit is 3145728',
    });
  });

  it('a watch from a compacted resourceVersion gets 410 Expired', () => {
    expect(tooOldResourceVersion(5, 100).toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'too old resource version: 5 (100)',
      reason: 'Expired',
      code: 410,
    });
    expect(resourceExpired('x').code).toBe(410);
  });

  it('throttling, timeouts and internal errors', () => {
    expect(tooManyRequests('slow down', 2).toStatus()).toMatchObject({
      code: 429,
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 2 },
    });
    expect(tooManyRequests('slow down').toStatus().details).toEqual({});
    expect(internalError(new Error('db down')).toStatus()).toMatchObject({
      code: 500,
      reason: 'InternalError',
      message: 'Internal error occurred: db down',
      details: { causes: [{ message: 'db down' }] },
    });
    expect(timeout('request did not complete within 60s').toStatus()).toMatchObject({
      code: 504,
      reason: 'Timeout',
      message: 'Timeout: request did not complete within 60s',
    });
    expect(serverTimeout('pods', 'create', 2).toStatus()).toMatchObject({
      code: 500,
      reason: 'ServerTimeout',
      message: 'The create operation against pods could not be completed at this time, please try again.',
      details: { name: 'create', kind: 'pods', retryAfterSeconds: 2 },
    });
    expect(serviceUnavailable('draining').toStatus()).toMatchObject({ code: 503, reason: 'ServiceUnavailable' });
  });

  it('apply conflicts carry their causes', () => {
    const err = applyConflict([{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.spec.replicas' }], 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas');
    expect(err.toStatus()).toMatchObject({ code: 409, reason: 'Conflict', details: { causes: [{ field: '.spec.replicas' }] } });
  });

  it('round-trips through a Status body', () => {
    const back = ApiError.fromStatus(notFound('pods', 'x').toStatus());
    expect(isNotFound(back)).toBe(true);
    expect(back.message).toBe('pods "x" not found');
  });

  it('successStatus for deletes', () => {
    expect(successStatus({ name: 'x', kind: 'pods', uid: 'u' })).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: 'x', kind: 'pods', uid: 'u' },
    });
  });
});

describe('guards', () => {
  it('recognize each factory', () => {
    expect(isNotFound(notFound('pods', 'x'))).toBe(true);
    expect(isAlreadyExists(alreadyExists('pods', 'x'))).toBe(true);
    expect(isConflict(optimisticLockConflict('pods', 'x'))).toBe(true);
    expect(isInvalid(invalid('Pod', 'x', []))).toBe(true);
    expect(isBadRequest(badRequest('x'))).toBe(true);
    expect(isUnauthorized(unauthorized())).toBe(true);
    expect(isForbidden(forbidden('pods', 'x', 'no'))).toBe(true);
    expect(isMethodNotSupported(methodNotSupported('pods', 'x'))).toBe(true);
    expect(isNotAcceptable(notAcceptable([]))).toBe(true);
    expect(isUnsupportedMediaType(unsupportedMediaType([]))).toBe(true);
    expect(isRequestEntityTooLarge(requestEntityTooLarge('x'))).toBe(true);
    expect(isGone(gone('x'))).toBe(true);
    expect(isResourceExpired(resourceExpired('x'))).toBe(true);
    expect(isTooManyRequests(tooManyRequests('x'))).toBe(true);
    expect(isInternalError(internalError('x'))).toBe(true);
    expect(isServerTimeout(serverTimeout('pods', 'get'))).toBe(true);
    expect(isTimeout(timeout('x'))).toBe(true);
    expect(isServiceUnavailable(serviceUnavailable('x'))).toBe(true);
  });

  it('do not confuse reasons sharing a code', () => {
    expect(isConflict(alreadyExists('pods', 'x'))).toBe(false);
    expect(isAlreadyExists(optimisticLockConflict('pods', 'x'))).toBe(false);
    expect(isGone(resourceExpired('x'))).toBe(false);
    expect(isResourceVersionTooOld(resourceExpired('x'))).toBe(true);
    expect(isResourceVersionTooOld(gone('x'))).toBe(true);
  });

  it('fall back to the code when the reason is unknown', () => {
    expect(isNotFound(new ApiError(404, '', 'x'))).toBe(true);
    expect(isNotFound(new ApiError(404, 'Gone', 'x'))).toBe(false);
    expect(isTooManyRequests(new ApiError(429, 'Forbidden', 'x'))).toBe(true);
  });

  it('reject non-API errors', () => {
    expect(isApiError(new Error('x'))).toBe(false);
    expect(isNotFound(new Error('pods "x" not found'))).toBe(false);
    expect(isNotFound(undefined)).toBe(false);
  });
});
