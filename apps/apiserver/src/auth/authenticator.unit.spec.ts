import { parseTokenFile } from './authenticator';

describe('parseTokenFile', () => {
  it('reads the kube token file format with quoted groups', () => {
    expect(parseTokenFile('# comment\nsecret1,alice,u-1,"dev,ops"\nsecret2,bob,u-2\n')).toEqual([
      ['secret1', { username: 'alice', uid: 'u-1', groups: ['dev', 'ops', 'system:authenticated'] }],
      ['secret2', { username: 'bob', uid: 'u-2', groups: ['system:authenticated'] }],
    ]);
  });
  it('refuses a line without a uid', () => expect(() => parseTokenFile('t,alice')).toThrow('token,user,uid'));
});
