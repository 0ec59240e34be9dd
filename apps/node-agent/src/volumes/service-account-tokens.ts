/**
 * Service account tokens for projected volumes, as kubelet's token manager
 * gets them: a TokenRequest (`POST .../serviceaccounts/<sa>/token`) bound to
 * the pod (boundObjectRef), cached, and fetched again when within 20% of
 * its lifetime of expiring or older than 24 hours.
 */
import type { Pod, ServiceAccountTokenProjection, TokenRequest } from '@logbook/api';
import { kinds, KubeClient } from '@logbook/sdk';

const MAX_TTL_MS = 24 * 3600 * 1000;
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

interface CachedToken {
  token: string;
  issuedAt: number;
  expiresAt: number;
}

export class ServiceAccountTokens {
  private readonly cache = new Map<string, CachedToken>();

  constructor(
    private readonly client: KubeClient,
    private readonly now: () => number = Date.now,
  ) {}

  private static key(pod: Pod, p: ServiceAccountTokenProjection): string {
    return [pod.metadata?.uid, pod.metadata?.namespace, pod.spec?.serviceAccountName ?? 'default', p.audience ?? '', p.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS].join('|');
  }

  /** A valid token for the pod's service account; throws the API's error when none can be had. */
  async get(pod: Pod, p: ServiceAccountTokenProjection): Promise<string> {
    const key = ServiceAccountTokens.key(pod, p);
    const cached = this.cache.get(key);
    if (cached && !this.requiresRefresh(cached)) return cached.token;
    const expirationSeconds = p.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS;
    const request: TokenRequest = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: { name: pod.spec?.serviceAccountName ?? 'default', namespace: pod.metadata?.namespace },
      spec: {
        audiences: p.audience ? [p.audience] : [],
        expirationSeconds,
        boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod.metadata?.name, uid: pod.metadata?.uid },
      },
    };
    try {
      const answer = await this.client.createSubresource<TokenRequest>(
        kinds.ServiceAccount,
        { namespace: pod.metadata?.namespace, name: pod.spec?.serviceAccountName ?? 'default' },
        'token',
        request,
      );
      const token = answer.status?.token;
      if (!token) throw new Error('the TokenRequest answer holds no token');
      const now = this.now();
      const expiresAt = Date.parse(answer.status?.expirationTimestamp ?? '') || now + expirationSeconds * 1000;
      // The lifetime the server granted (it may shorten the one asked for).
      this.cache.set(key, { token, issuedAt: Math.min(now, expiresAt - 1000), expiresAt });
      return token;
    } catch (err) {
      // A token still valid is better than none while the API server cannot issue a new one.
      if (cached && cached.expiresAt > this.now()) return cached.token;
      throw err;
    }
  }

  /** Kube's requiresRefresh: within 20% of the lifetime of expiry, or older than 24 h. */
  private requiresRefresh(t: CachedToken): boolean {
    const now = this.now();
    const ttl = t.expiresAt - t.issuedAt;
    return now >= t.issuedAt + MAX_TTL_MS || now >= t.expiresAt - ttl * 0.2;
  }

  /** Forgets the tokens of a pod that is gone. */
  forgetPod(uid: string): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${uid}|`)) this.cache.delete(key);
  }
}
