import { createHash, createPrivateKey, createPublicKey, KeyObject, randomUUID, sign, verify } from 'crypto';

/** kube-apiserver's default `--service-account-issuer` for a cluster.local cluster; also the default audience. */
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** The object a bound token lives and dies with. */
export interface BoundObject {
  kind: 'Pod' | 'Secret';
  name: string;
  uid: string;
}

/** The private claims Kubernetes puts under `kubernetes.io`. */
export interface KubernetesClaims {
  namespace: string;
  serviceaccount: { name: string; uid: string };
  pod?: { name: string; uid: string };
  secret?: { name: string; uid: string };
}

export interface ServiceAccountClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': KubernetesClaims;
}

export interface TokenSpec {
  namespace: string;
  serviceAccount: { name: string; uid: string };
  audiences?: string[];
  expirationSeconds: number;
  boundObject?: BoundObject;
}

/** `system:serviceaccount:<ns>:<name>`, the user a ServiceAccount token authenticates as. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/**
 * ServiceAccount tokens: JWTs signed RS256 with the cluster's service
 * account key, carrying the claims kube-apiserver puts in them, so a token
 * minted here reads like one minted by Kubernetes (jwt.io shows the same
 * shape). Whether the token's service account and bound object still exist
 * is for the caller (the authenticator) to check against the store.
 */
export class ServiceAccountTokens {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  readonly keyId: string;

  constructor(
    privateKeyPem: string,
    readonly issuer = SERVICE_ACCOUNT_ISSUER,
    private readonly now: () => number = Date.now,
  ) {
    this.privateKey = createPrivateKey(privateKeyPem);
    this.publicKey = createPublicKey(this.privateKey);
    // Kubernetes' kid: a hash of the public key, so verifiers can pick the key.
    const der = this.publicKey.export({ type: 'spki', format: 'der' });
    this.keyId = createHash('sha256').update(der).digest('base64url');
  }

  issue(spec: TokenSpec): { token: string; claims: ServiceAccountClaims } {
    const iat = Math.floor(this.now() / 1000);
    const k8s: KubernetesClaims = { namespace: spec.namespace, serviceaccount: spec.serviceAccount };
    if (spec.boundObject?.kind === 'Pod') k8s.pod = { name: spec.boundObject.name, uid: spec.boundObject.uid };
    if (spec.boundObject?.kind === 'Secret') k8s.secret = { name: spec.boundObject.name, uid: spec.boundObject.uid };
    const claims: ServiceAccountClaims = {
      aud: spec.audiences?.length ? spec.audiences : [this.issuer],
      exp: iat + spec.expirationSeconds,
      iat,
      iss: this.issuer,
      jti: randomUUID(),
      'kubernetes.io': k8s,
      nbf: iat,
      sub: serviceAccountUsername(spec.namespace, spec.serviceAccount.name),
    };
    const head = b64json({ alg: 'RS256', kid: this.keyId });
    const body = b64json(claims);
    const signature = sign('sha256', Buffer.from(`${head}.${body}`), this.privateKey).toString('base64url');
    return { token: `${head}.${body}.${signature}`, claims };
  }

  /**
   * The claims of a token this cluster signed, still valid and meant for
   * `audience`; null for anything else (not a JWT, another issuer, a bad
   * signature, expired, not yet valid, another audience).
   */
  verify(token: string, audience = this.issuer): ServiceAccountClaims | null {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const [head, body, signature] = parts;
    let header: { alg?: string };
    let claims: ServiceAccountClaims;
    try {
      header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: string };
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as ServiceAccountClaims;
    } catch {
      return null;
    }
    if (header.alg !== 'RS256' || !claims || claims.iss !== this.issuer) return null;
    if (!verify('sha256', Buffer.from(`${head}.${body}`), this.publicKey, Buffer.from(signature, 'base64url'))) return null;
    const now = Math.floor(this.now() / 1000);
    // kube-apiserver allows a minute of clock skew on both ends.
    if (typeof claims.exp !== 'number' || now > claims.exp + 60) return null;
    if (typeof claims.nbf === 'number' && now < claims.nbf - 60) return null;
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(audience)) return null;
    const k8s = claims['kubernetes.io'];
    if (!k8s || typeof k8s.namespace !== 'string' || typeof k8s.serviceaccount?.name !== 'string') return null;
    if (claims.sub !== serviceAccountUsername(k8s.namespace, k8s.serviceaccount.name)) return null;
    return claims;
  }
}

function b64json(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}
