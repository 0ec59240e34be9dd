import { generateKeyPairSync } from 'crypto';
import type { IncomingMessage } from 'http';
import { Subject } from 'rxjs';
import { Authenticator } from './authenticator';
import { TokenCache } from './token-cache';
import { ServiceAccountClaims, ServiceAccountTokens } from './tokens';

type Event = { type: string; group: string; resource: string; uid: string };
const user = (name: string) => ({ username: name, groups: ['system:serviceaccounts'] });
const farFuture = Math.floor(Date.now() / 1000) + 3600;

function following(opts: ConstructorParameters<typeof TokenCache>[0] = {}) {
  const events = new Subject<Event>();
  const cache = new TokenCache(opts);
  cache.follow(events);
  return { cache, events };
}

describe('TokenCache', () => {
  it('believes a token for its TTL, never past the token\'s own expiry', () => {
    let now = 1_000_000;
    const { cache } = following({ ttlMs: 10_000, now: () => now });
    cache.set('a', { user: user('a'), uids: ['sa-1'], exp: farFuture });
    cache.set('short', { user: user('short'), uids: ['sa-1'], exp: Math.floor((now + 3_000) / 1000) });
    expect(cache.get('a')).toEqual(user('a'));
    now += 4_000;
    expect(cache.get('short')).toBeUndefined();
    expect(cache.get('a')).toEqual(user('a'));
    now += 6_001;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps at most maxEntries tokens, dropping the least recently used', () => {
    const { cache } = following({ maxEntries: 2 });
    cache.set('a', { user: user('a'), uids: ['u'], exp: farFuture });
    cache.set('b', { user: user('b'), uids: ['u'], exp: farFuture });
    cache.get('a');
    cache.set('c', { user: user('c'), uids: ['u'], exp: farFuture });
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual(user('a'));
    expect(cache.get('c')).toEqual(user('c'));
  });

  it('forgets a token as soon as the tail shows its account, pod or secret deleted, and nothing else', () => {
    const { cache, events } = following();
    cache.set('pod-token', { user: user('x'), uids: ['sa-1', 'pod-1'], exp: farFuture });
    cache.set('other', { user: user('y'), uids: ['sa-2'], exp: farFuture });
    events.next({ type: 'MODIFIED', group: '', resource: 'pods', uid: 'pod-1' });
    events.next({ type: 'DELETED', group: 'apps', resource: 'pods', uid: 'pod-1' });
    expect(cache.get('pod-token')).toEqual(user('x'));
    events.next({ type: 'DELETED', group: '', resource: 'pods', uid: 'pod-1' });
    expect(cache.get('pod-token')).toBeUndefined();
    expect(cache.get('other')).toEqual(user('y'));
    events.next({ type: 'DELETED', group: '', resource: 'serviceaccounts', uid: 'sa-2' });
    expect(cache.get('other')).toBeUndefined();
  });

  it('caches nothing unless it follows the tail, and forgets everything when the tail fails', () => {
    const idle = new TokenCache();
    idle.set('a', { user: user('a'), uids: ['u'], exp: farFuture });
    expect(idle.get('a')).toBeUndefined();
    const { cache, events } = following();
    cache.set('a', { user: user('a'), uids: ['u'], exp: farFuture });
    events.error(new Error('tail lost'));
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', { user: user('a'), uids: ['u'], exp: farFuture });
    expect(cache.get('a')).toBeUndefined();
  });
});

describe('Authenticator with a token cache', () => {
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const tokens = new ServiceAccountTokens(key);
  const request = (token: string) => ({ headers: { authorization: `Bearer ${token}` }, socket: {} }) as unknown as IncomingMessage;

  it('checks a token against the store once, then answers from the cache until a deletion voids it', async () => {
    const { cache, events } = following();
    const checked: ServiceAccountClaims[] = [];
    let podExists = true;
    const authn = new Authenticator({
      serviceAccountTokens: tokens,
      tokenCache: cache,
      tokenObjects: async (claims) => (checked.push(claims), podExists),
    });
    const { token } = tokens.issue({ namespace: 'ns', serviceAccount: { name: 'robot', uid: 'sa-1' }, expirationSeconds: 600, boundObject: { kind: 'Pod', name: 'p', uid: 'pod-1' } });
    for (let i = 0; i < 5; i++) expect((await authn.authenticate(request(token))).username).toBe('system:serviceaccount:ns:robot');
    expect(checked).toHaveLength(1);
    podExists = false;
    events.next({ type: 'DELETED', group: '', resource: 'pods', uid: 'pod-1' });
    await expect(authn.authenticate(request(token))).rejects.toMatchObject({ code: 401 });
    expect(checked).toHaveLength(2);
  });

  it('never caches a token that fails its checks', async () => {
    const { cache } = following();
    const authn = new Authenticator({ serviceAccountTokens: tokens, tokenCache: cache, tokenObjects: async () => false });
    const { token } = tokens.issue({ namespace: 'ns', serviceAccount: { name: 'robot', uid: 'sa-1' }, expirationSeconds: 600 });
    await expect(authn.authenticate(request(token))).rejects.toMatchObject({ code: 401 });
    expect(cache.size).toBe(0);
  });
});
