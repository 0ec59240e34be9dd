import { readFileSync } from 'fs';
import type { IncomingMessage } from 'http';
import type { TLSSocket } from 'tls';
import { unauthorized } from '@logbook/machinery';
import type { UserInfo } from '../storage/context';
import { isTrustedPlainConnection } from './tls';
import type { TokenCache } from './token-cache';
import { ServiceAccountClaims, ServiceAccountTokens, serviceAccountUsername } from './tokens';

/**
 * The identity of requests without credentials on the development plain-HTTP
 * port (LOGBOOK_INSECURE_PORT, 127.0.0.1 only): a cluster admin, as
 * kube-apiserver's old insecure port was.
 */
export const LOCAL_ADMIN: UserInfo = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };

/** Who requests without credentials are when anonymous requests are allowed (LOGBOOK_ANONYMOUS_AUTH=true). */
export const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

/** Whether a ServiceAccount token's service account and bound object still exist (with the token's uids). */
export type TokenObjectCheck = (claims: ServiceAccountClaims) => Promise<boolean>;

export interface AuthenticatorOptions {
  /** `--token-auth-file` CSV: `token,user,uid,"group1,group2"`. */
  tokenFile?: string;
  /** PEM CA bundle that signs client certificates (the TLS server verifies them against it). */
  clientCa?: string;
  serviceAccountTokens?: ServiceAccountTokens;
  /** Checks a token's objects against the store; without it only the signature and times are checked. */
  tokenObjects?: TokenObjectCheck;
  /** Checked ServiceAccount tokens, believed for a few seconds (or until their objects are deleted). */
  tokenCache?: TokenCache;
  /** Requests without credentials are system:anonymous instead of 401. */
  anonymous?: boolean;
}

/** The CSV of `LOGBOOK_TOKEN_FILE` and whether LOGBOOK_ANONYMOUS_AUTH is on. */
export function authenticatorOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<AuthenticatorOptions, 'tokenFile' | 'anonymous'> {
  const anon = env.LOGBOOK_ANONYMOUS_AUTH;
  if (anon !== undefined && anon !== 'true' && anon !== 'false') throw new Error(`LOGBOOK_ANONYMOUS_AUTH must be true or false, not ${JSON.stringify(anon)}`);
  return { tokenFile: env.LOGBOOK_TOKEN_FILE || undefined, anonymous: anon === 'true' };
}

/**
 * Who sent a request: the union of kube-apiserver's authenticators, the first
 * to recognise the request wins — a client certificate the cluster CA
 * signed (CN = user, O = groups), then a bearer token (the token file's, or
 * a ServiceAccount JWT this cluster signed whose service account and bound
 * object still exist). Credentials that are presented but wrong are 401;
 * no credentials are 401 too unless anonymous requests are allowed — except
 * on the trusted development plain-HTTP port, where they are LOCAL_ADMIN.
 * Every authenticated user is in `system:authenticated`.
 */
export class Authenticator {
  private readonly tokens = new Map<string, UserInfo>();

  constructor(private readonly opts: AuthenticatorOptions = {}) {
    if (opts.tokenFile) for (const [token, user] of parseTokenFile(readFileSync(opts.tokenFile, 'utf8'))) this.tokens.set(token, user);
  }

  async authenticate(req: IncomingMessage): Promise<UserInfo> {
    const socket = req.socket as Partial<TLSSocket>;
    let badCert = false;
    if (socket.encrypted && typeof socket.getPeerCertificate === 'function') {
      // A connection's client certificate is fixed by its handshake: read it once per connection, not per request.
      let peer = peerCertificates.get(socket);
      if (peer === undefined) {
        peer = certificateOf(socket as TLSSocket);
        peerCertificates.set(socket, peer);
      }
      if (peer === 'bad') badCert = true;
      else if (peer) return { ...peer, groups: [...peer.groups] };
    }
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m) throw unauthorized('Unauthorized');
      const user = this.tokens.get(m[1]) ?? (await this.serviceAccount(m[1]));
      if (!user) throw unauthorized('Unauthorized');
      return user;
    }
    if (badCert) throw unauthorized('Unauthorized');
    if (isTrustedPlainConnection(req)) return LOCAL_ADMIN;
    if (this.opts.anonymous) return ANONYMOUS;
    throw unauthorized('Unauthorized');
  }

  private async serviceAccount(token: string): Promise<UserInfo | undefined> {
    const cached = this.opts.tokenCache?.get(token);
    if (cached) return cached;
    const claims = this.opts.serviceAccountTokens?.verify(token);
    if (!claims) return undefined;
    if (this.opts.tokenObjects && !(await this.opts.tokenObjects(claims))) return undefined;
    const user = serviceAccountUser(claims);
    const k8s = claims['kubernetes.io'];
    const uids = [k8s.serviceaccount.uid, k8s.pod?.uid, k8s.secret?.uid].filter((u): u is string => !!u);
    this.opts.tokenCache?.set(token, { user, uids, exp: claims.exp });
    return user;
  }
}

/** The user a verified ServiceAccount token names, with kube's extra (bound pod, credential id). */
function serviceAccountUser(claims: ServiceAccountClaims): UserInfo {
  const k8s = claims['kubernetes.io'];
  const extra: Record<string, string[]> = {};
  if (k8s.pod) {
    extra['authentication.kubernetes.io/pod-name'] = [k8s.pod.name];
    extra['authentication.kubernetes.io/pod-uid'] = [k8s.pod.uid];
  }
  if (claims.jti) extra['authentication.kubernetes.io/credential-id'] = [`JTI=${claims.jti}`];
  return {
    username: serviceAccountUsername(k8s.namespace, k8s.serviceaccount.name),
    uid: k8s.serviceaccount.uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${k8s.namespace}`, 'system:authenticated'],
    extra,
  };
}

/** Per TLS connection: the user its verified client certificate names, 'bad' for a certificate not verified, null for none. */
const peerCertificates = new WeakMap<object, UserInfo | 'bad' | null>();

function certificateOf(socket: TLSSocket): UserInfo | 'bad' | null {
  const peer = socket.getPeerCertificate();
  if (!peer || Object.keys(peer).length === 0) return null;
  return socket.authorized ? certificateUser(peer.subject) : 'bad';
}

/** A verified client certificate's user: CN is the name, each O a group. */
export function certificateUser(subject: Record<string, string | string[] | undefined> | undefined): UserInfo {
  const cn = subject?.CN;
  const username = Array.isArray(cn) ? cn[0] : cn;
  if (!username) throw unauthorized('Unauthorized');
  const o = subject?.O;
  const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
  return { username, groups: [...groups.filter((g) => g !== 'system:authenticated'), 'system:authenticated'] };
}

/** Parses the token file's CSV (quoted fields may hold commas). */
export function parseTokenFile(text: string): Array<[string, UserInfo]> {
  const out: Array<[string, UserInfo]> = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = splitCsv(line);
    if (fields.length < 3) throw new Error(`token file line needs token,user,uid: ${line}`);
    const [token, username, uid, groups] = fields;
    const groupList = groups ? groups.split(',').map((g) => g.trim()).filter(Boolean) : [];
    out.push([token, { username, uid, groups: [...groupList, 'system:authenticated'] }]);
  }
  return out;
}

function splitCsv(line: string): string[] {
  const fields: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(cur);
      cur = '';
    } else cur += c;
  }
  fields.push(cur);
  return fields.map((f) => f.trim());
}
