import { createHash } from 'crypto';
import type { Observable, Subscription } from 'rxjs';
import type { UserInfo } from '../storage/context';

/** What a cached token depends on: the uids of its service account and bound object. */
export interface CachedToken {
  user: UserInfo;
  /** Uids whose deletion voids the token at once (the account, the bound pod or secret). */
  uids: string[];
  /** The token's own `exp` (seconds since the epoch): an entry never outlives it. */
  exp: number;
}

export interface TokenCacheOptions {
  /** How long a checked token is believed (kube's token cache keeps a success 10 s). Default 10 s. */
  ttlMs?: number;
  /** At most this many tokens; the least recently used goes first. Default 4096. */
  maxEntries?: number;
  now?: () => number;
}

/** The kinds of the event log whose deletion can void a ServiceAccount token. */
const TOKEN_OBJECTS = new Set(['serviceaccounts', 'pods', 'secrets']);

/**
 * The ServiceAccount tokens the authenticator has checked lately, so a pod
 * that calls the API in a loop does not cost a signature check and two or
 * three store reads per request (kube-apiserver's cached token
 * authenticator). Bounded (least recently used out) and short-lived; keyed
 * by a SHA-256 of the token, so the tokens themselves are not kept. When the
 * API server's tail shows the account, pod or secret a token names being
 * deleted, its entries go at once: a token stops working as soon as the
 * server has seen the deletion, not when the entry expires. (Deletion with
 * a grace period keeps a pod's token working for a minute past the pod's
 * deletionTimestamp, as in Kubernetes; the TTL bounds that check's lag.)
 */
export class TokenCache {
  private readonly entries = new Map<string, CachedToken & { until: number }>();
  private readonly byUid = new Map<string, Set<string>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private subscription?: Subscription;

  constructor(opts: TokenCacheOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 10_000;
    this.maxEntries = opts.maxEntries ?? 4096;
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get(token: string): UserInfo | undefined {
    const key = keyOf(token);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.drop(key);
      return undefined;
    }
    // Most recently used last: Map keeps insertion order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.user;
  }

  /** Remembers a checked token; only while the tail is followed (nothing else would void it). */
  set(token: string, value: CachedToken): void {
    if (!this.subscription) return;
    const key = keyOf(token);
    this.drop(key);
    const until = Math.min(this.now() + this.ttlMs, value.exp * 1000);
    if (until <= this.now()) return;
    this.entries.set(key, { ...value, until });
    for (const uid of value.uids) {
      let keys = this.byUid.get(uid);
      if (!keys) this.byUid.set(uid, (keys = new Set()));
      keys.add(key);
    }
    while (this.entries.size > this.maxEntries) this.drop(this.entries.keys().next().value as string);
  }

  /** Forgets every token that depends on the object with this uid. */
  invalidate(uid: string): void {
    for (const key of [...(this.byUid.get(uid) ?? [])]) this.drop(key);
  }

  /** Invalidates tokens as their objects are deleted (the tail's events, in order). */
  follow(events$: Observable<{ type: string; group: string; resource: string; uid: string }>): void {
    this.subscription?.unsubscribe();
    this.subscription = events$.subscribe({
      next: (e) => {
        if (e.type === 'DELETED' && e.group === '' && TOKEN_OBJECTS.has(e.resource)) this.invalidate(e.uid);
      },
      // Without the tail there is no prompt invalidation: believe nothing.
      error: () => this.stop(),
      complete: () => this.stop(),
    });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.clear();
  }

  clear(): void {
    this.entries.clear();
    this.byUid.clear();
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    for (const uid of entry.uids) {
      const keys = this.byUid.get(uid);
      keys?.delete(key);
      if (keys?.size === 0) this.byUid.delete(uid);
    }
  }
}

function keyOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
