import type { IncomingMessage, ServerResponse } from 'http';
import type { TokenRequest } from '@logbook/api';
import { ApiError, badRequest, conflict, invalid, notFound } from '@logbook/machinery';
import type { FieldError } from '@logbook/machinery';
import { decodeObject, readBody } from '../request/body';
import type { RequestInfo } from '../request/request-info';
import { writeJson } from '../request/respond';
import type { ResourceStore } from '../storage/resource-store';
import type { Scheme } from '@logbook/api';
import { BoundObject, ServiceAccountTokens } from './tokens';

/** kube's bounds on `spec.expirationSeconds`: ten minutes to 2^32 seconds; one hour when unset. */
const MIN_EXPIRATION = 600;
const MAX_EXPIRATION = 2 ** 32;
const DEFAULT_EXPIRATION = 3600;

interface Meta {
  uid?: string;
  name?: string;
}

/**
 * `POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token`: the
 * TokenRequest API. Mints a ServiceAccount token (see ServiceAccountTokens)
 * for the named account, optionally bound to a Pod or Secret of the same
 * namespace — the token then stops authenticating once that object is gone
 * or replaced (another uid). Nothing is stored: the token is the record.
 * Errors follow kube-apiserver's wording.
 */
export async function serveTokenRequest(
  req: IncomingMessage,
  res: ServerResponse,
  info: RequestInfo,
  store: ResourceStore,
  scheme: Scheme,
  tokens: ServiceAccountTokens,
): Promise<void> {
  if (req.method !== 'POST') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const body = (decodeObject(await readBody(req), req.headers['content-type']) ?? {}) as TokenRequest;
  if (body.kind !== undefined && body.kind !== 'TokenRequest') throw badRequest(`expected TokenRequest, got ${body.kind}`);
  const spec = body.spec ?? {};
  const expirationSeconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION;
  const errors: FieldError[] = [];
  if (!Number.isInteger(expirationSeconds) || expirationSeconds < MIN_EXPIRATION) {
    errors.push(fieldInvalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration less than 10 minutes'));
  } else if (expirationSeconds > MAX_EXPIRATION) {
    errors.push(fieldInvalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
  }
  if (errors.length) throw invalid({ group: 'authentication.k8s.io', kind: 'TokenRequest' }, info.name, errors);

  const get = async (resource: string, name: string) =>
    (await store.tryGet(scheme.byGroupVersionResource('', 'v1', resource)!, info.namespace, name))?.object as
      | { metadata?: Meta; spec?: { serviceAccountName?: string } }
      | undefined;
  const sa = await get('serviceaccounts', info.name);
  if (!sa) throw notFound({ group: '', resource: 'serviceaccounts' }, info.name);

  let bound: BoundObject | undefined;
  const ref = spec.boundObjectRef;
  if (ref) {
    const kind = ref.kind;
    if ((kind !== 'Pod' && kind !== 'Secret') || (ref.apiVersion ?? 'v1') !== 'v1') {
      throw badRequest(`cannot bind token to object of type ${ref.apiVersion ?? ''}, Kind=${kind ?? ''}`);
    }
    const resource = kind === 'Pod' ? 'pods' : 'secrets';
    const obj = await get(resource, ref.name ?? '');
    if (!obj) throw notFound({ group: '', resource }, ref.name ?? '');
    if (ref.uid && ref.uid !== obj.metadata?.uid) {
      throw conflict(
        { group: '', resource: kind },
        ref.name ?? '',
        `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
      );
    }
    if (kind === 'Pod' && (obj.spec?.serviceAccountName ?? 'default') !== info.name) {
      throw badRequest(`cannot bind token for serviceaccount "${info.name}" to pod running with different serviceaccount name.`);
    }
    bound = { kind, name: ref.name ?? '', uid: obj.metadata!.uid! };
  }

  const { token, claims } = tokens.issue({
    namespace: info.namespace,
    serviceAccount: { name: info.name, uid: sa.metadata!.uid! },
    audiences: spec.audiences,
    expirationSeconds,
    boundObject: bound,
  });
  const answer: TokenRequest = {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { ...(body.metadata ?? {}), name: info.name, namespace: info.namespace, creationTimestamp: seconds(claims.iat) },
    spec: {
      audiences: claims.aud,
      expirationSeconds,
      ...(spec.boundObjectRef ? { boundObjectRef: { ...spec.boundObjectRef, apiVersion: 'v1', uid: bound!.uid } } : {}),
    },
    status: { token, expirationTimestamp: seconds(claims.exp) },
  };
  writeJson(res, 201, answer);
}

function seconds(epoch: number): string {
  return new Date(epoch * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function fieldInvalid(field: string, badValue: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, badValue, detail };
}
