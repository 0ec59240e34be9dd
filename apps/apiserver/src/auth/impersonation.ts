import type { IncomingMessage } from 'http';
import { badRequest } from '@logbook/machinery';
import type { UserInfo } from '../storage/context';
import type { Attributes } from './authorizer/attributes';
import { Authorizer, forbiddenError } from './authorizer/authorizer';
import { SERVICE_ACCOUNT_PREFIX } from './rbac/policy-cache';

const USER = 'impersonate-user';
const GROUP = 'impersonate-group';
const UID = 'impersonate-uid';
const EXTRA = 'impersonate-extra-';

/** Whether any Impersonate-* header is set (most requests: no, and then nothing else is looked at). */
function asksToImpersonate(req: IncomingMessage): boolean {
  for (const name in req.headers) if (name.startsWith('impersonate-')) return true;
  return false;
}

/**
 * kube-apiserver's WithImpersonation: `Impersonate-User`,
 * `Impersonate-Group` (repeatable), `Impersonate-Uid` and
 * `Impersonate-Extra-<key>` make the request act as someone else
 * (`kubectl --as=jane --as-group=devs`), if the requester may `impersonate`
 * each of them: `users` (or the ServiceAccount itself, in `serviceaccounts`
 * of its namespace), `groups`, `uids` and `userextras/<key>`. The result is
 * a full user: a ServiceAccount gets its groups, everyone but
 * system:anonymous gets system:authenticated.
 *
 * Returns the requester unchanged when no impersonation header is set.
 */
export function impersonate(req: IncomingMessage, requester: UserInfo, authz: Authorizer): UserInfo {
  if (!asksToImpersonate(req)) return requester;
  // Each header line separately: a repeated Impersonate-Group is several groups.
  const h = req.headersDistinct;
  const username = h[USER]?.[0];
  const groups = h[GROUP] ?? [];
  const uid = h[UID]?.[0];
  const extra: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(h)) {
    if (name.startsWith(EXTRA) && value) extra[decodeURIComponent(name.slice(EXTRA.length))] = value;
  }
  if (username === undefined) {
    if (groups.length || uid !== undefined || Object.keys(extra).length) {
      throw badRequest(`requested ${describe(groups, uid, extra)} without impersonating a user`);
    }
    return requester;
  }
  const check = (resource: string, name: string, namespace = '', subresource = '') => {
    const a: Attributes = { user: requester, verb: 'impersonate', isResourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', resource, subresource, namespace, name };
    if (resource === 'uids' || resource === 'userextras') a.apiGroup = 'authentication.k8s.io';
    const d = authz.authorize(a);
    if (!d.allowed) throw forbiddenError(a, d.reason);
  };
  const out: UserInfo = { username, groups: [] };
  if (username.startsWith(SERVICE_ACCOUNT_PREFIX)) {
    const [namespace, name] = username.slice(SERVICE_ACCOUNT_PREFIX.length).split(':');
    check('serviceaccounts', name ?? '', namespace ?? '');
    out.groups.push('system:serviceaccounts', `system:serviceaccounts:${namespace}`);
  } else {
    check('users', username);
  }
  for (const g of groups) {
    check('groups', g);
    if (!out.groups.includes(g)) out.groups.push(g);
  }
  for (const [key, values] of Object.entries(extra)) for (const v of values) check('userextras', v, '', key);
  if (uid !== undefined) {
    check('uids', uid);
    out.uid = uid;
  }
  if (Object.keys(extra).length) out.extra = extra;
  const implied = username === 'system:anonymous' ? 'system:unauthenticated' : 'system:authenticated';
  if (!out.groups.includes(implied)) out.groups.push(implied);
  return out;
}


function describe(groups: string[], uid: string | undefined, extra: Record<string, string[]>): string {
  const parts = [...groups.map((g) => `Impersonate-Group: ${g}`)];
  if (uid !== undefined) parts.push(`Impersonate-Uid: ${uid}`);
  for (const [k, v] of Object.entries(extra)) parts.push(`Impersonate-Extra-${k}: ${v.join(',')}`);
  return parts.join(', ');
}
