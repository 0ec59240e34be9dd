import { generateKeyPairSync } from 'crypto';
import { ServiceAccountTokens } from './tokens';

const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const spec = { namespace: 'ns', serviceAccount: { name: 'robot', uid: 'u-1' }, expirationSeconds: 600 };

describe('ServiceAccountTokens', () => {
  it('signs RS256 JWTs with kube-apiserver claims and verifies them', () => {
    const tokens = new ServiceAccountTokens(key);
    const { token, claims } = tokens.issue({ ...spec, boundObject: { kind: 'Pod', name: 'p', uid: 'u-p' } });
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toEqual({ alg: 'RS256', kid: tokens.keyId });
    expect(claims).toMatchObject({
      iss: 'https://kubernetes.default.svc.cluster.local',
      sub: 'system:serviceaccount:ns:robot',
      aud: ['https://kubernetes.default.svc.cluster.local'],
      'kubernetes.io': { namespace: 'ns', serviceaccount: { name: 'robot', uid: 'u-1' }, pod: { name: 'p', uid: 'u-p' } },
    });
    expect(claims.exp - claims.iat).toBe(600);
    expect(tokens.verify(token)).toEqual(claims);
  });

  it('refuses expired tokens (past a minute of skew), other audiences and other keys', () => {
    let now = Date.now();
    const tokens = new ServiceAccountTokens(key, undefined, () => now);
    const { token } = tokens.issue(spec);
    now += 659_000;
    expect(tokens.verify(token)).not.toBeNull();
    now += 2_000;
    expect(tokens.verify(token)).toBeNull();
    const other = new ServiceAccountTokens(key).issue({ ...spec, audiences: ['vault'] }).token;
    expect(new ServiceAccountTokens(key).verify(other)).toBeNull();
    expect(new ServiceAccountTokens(key).verify(other, 'vault')).not.toBeNull();
    const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(new ServiceAccountTokens(key).verify(new ServiceAccountTokens(foreign).issue(spec).token)).toBeNull();
    expect(new ServiceAccountTokens(key).verify('a.b.c')).toBeNull();
  });
});
