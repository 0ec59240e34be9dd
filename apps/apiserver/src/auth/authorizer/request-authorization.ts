import type { IncomingMessage } from 'http';
import { ApiError } from '@logbook/machinery';
import { parseRequestInfo, RequestInfo } from '../../request/request-info';
import type { UserInfo } from '../../storage/context';
import type { DeniedRequests } from '../denials';
import { impersonate } from '../impersonation';
import type { RbacAuthorizer } from '../rbac/rbac-authorizer';
import { Attributes, requestAttributes } from './attributes';
import { forbiddenError } from './authorizer';

const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

/**
 * The authorization step of the request pipeline, between authentication
 * and the handlers: impersonation (if asked for and allowed), then the
 * authorizer's decision on the request's attributes. A refusal is a 403
 * with kube's message and is recorded for the audit export, as is a 401.
 */
export class RequestAuthorization {
  constructor(
    readonly authz: RbacAuthorizer,
    private readonly denials?: DeniedRequests,
  ) {}

  /** The user the request acts as; throws the 403 if it may not do what it asks. */
  authorize(req: IncomingMessage, url: URL, info: RequestInfo, requester: UserInfo, auditId: string): UserInfo {
    let user = requester;
    let attrs: Attributes | undefined;
    try {
      user = impersonate(req, requester, this.authz);
      attrs = attributesOf(req.method ?? 'GET', url, info, user);
      const d = this.authz.authorize(attrs);
      if (!d.allowed) throw forbiddenError(attrs, d.reason);
      return user;
    } catch (err) {
      if (err instanceof ApiError && err.code === 403) this.record(req, url, auditId, requester, user, err, attrs);
      throw err;
    }
  }

  /** Whether `user` may `get` this Secret: who sees Secret values in history and audit. */
  canGetSecret(user: UserInfo, namespace: string, name: string): boolean {
    const a: Attributes = { user, verb: 'get', isResourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', resource: 'secrets', subresource: '', namespace, name };
    return this.authz.authorize(a).allowed;
  }

  /** Records a 401 (the credentials were missing or wrong: nobody is known). */
  unauthenticated(req: IncomingMessage, url: URL, auditId: string, err: ApiError): void {
    this.record(req, url, auditId, ANONYMOUS, ANONYMOUS, err, undefined);
  }

  private record(req: IncomingMessage, url: URL, auditId: string, requester: UserInfo, user: UserInfo, err: ApiError, attributes?: Attributes): void {
    this.denials?.record({
      auditId,
      requestURI: url.pathname + url.search,
      attributes,
      user: requester,
      impersonated: user !== requester ? user : undefined,
      method: req.method ?? 'GET',
      code: err.code,
      reason: err.reason,
      message: err.message,
      userAgent: req.headers['user-agent'],
      sourceIP: req.socket?.remoteAddress,
    });
  }
}

/**
 * Attributes of any request the API handler serves. Logbook's own group is
 * authorized as resources of `logbook.io` (history, explain, timeline,
 * diff, audit, compactions); time travel (`asof/{point}/{API path}`) as
 * the API request it replays, since it shows the same objects.
 */
export function attributesOf(method: string, url: URL, info: RequestInfo, user: UserInfo): Attributes {
  if (info.group === 'logbook.io' && info.parts[3] === 'asof' && info.parts.length > 5) {
    const inner = new URL('/' + info.parts.slice(5).map(encodeURIComponent).join('/') + url.search, url);
    return requestAttributes('GET', inner, parseRequestInfo('GET', inner), user);
  }
  return requestAttributes(method, url, info, user);
}
