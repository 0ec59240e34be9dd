import type { IncomingMessage } from 'http';
import { Authenticator, authenticatorOptionsFromEnv, certificateUser, parseTokenFile } from './authenticator';

describe('parseTokenFile', () => {
  it('reads the kube token file format with quoted groups', () => {
    expect(parseTokenFile('# comment\nsecret1,alice,u-1,"dev,ops"\nsecret2,bob,u-2\n')).toEqual([
      ['secret1', { username: 'alice', uid: 'u-1', groups: ['dev', 'ops', 'system:authenticated'] }],
      ['secret2', { username: 'bob', uid: 'u-2', groups: ['system:authenticated'] }],
    ]);
  });
  it('refuses a line without a uid', () => expect(() => parseTokenFile('t,alice')).toThrow('token,user,uid'));
});

describe('Authenticator without credentials', () => {
  // A request over no TLS and not on the development port: what a bare IncomingMessage looks like to it.
  const bare = () => ({ headers: {}, socket: {} }) as unknown as IncomingMessage;

  it('answers 401 unless anonymous requests are allowed, then system:anonymous', async () => {
    await expect(new Authenticator().authenticate(bare())).rejects.toMatchObject({ code: 401, message: 'Unauthorized' });
    expect(await new Authenticator({ anonymous: true }).authenticate(bare())).toEqual({ username: 'system:anonymous', groups: ['system:unauthenticated'] });
  });

  it('reads LOGBOOK_ANONYMOUS_AUTH strictly', () => {
    expect(authenticatorOptionsFromEnv({ LOGBOOK_ANONYMOUS_AUTH: 'true' }).anonymous).toBe(true);
    expect(authenticatorOptionsFromEnv({}).anonymous).toBe(false);
    expect(() => authenticatorOptionsFromEnv({ LOGBOOK_ANONYMOUS_AUTH: 'yes' })).toThrow('true or false');
  });

  it('takes a client certificate subject as CN user and O groups', () => {
    expect(certificateUser({ CN: 'system:node:n1', O: 'system:nodes' })).toEqual({ username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] });
    expect(certificateUser({ CN: 'jane', O: ['dev', 'ops'] })).toEqual({ username: 'jane', groups: ['dev', 'ops', 'system:authenticated'] });
  });
});
