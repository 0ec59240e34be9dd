import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UsageError, parseArgs, parseObjectArgs } from './args';
import { DEFAULT_SERVER, resolveConnection } from './connection';
import { formatTable, parseOutput } from './format';
import { main, splitCommand } from './main';

describe('argument parsing', () => {
  const specs = [{ name: 'namespace', short: 'n' }, { name: 'all-namespaces', short: 'A', boolean: true }, { name: 'since' }];

  it('reads long, short, inline and boolean flags between positionals', () => {
    const a = parseArgs(['history', '-n', 'prod', 'deploy/web', '--since=2h', '-A'], specs);
    expect(a.positionals).toEqual(['history', 'deploy/web']);
    expect(Object.fromEntries(a.flags)).toEqual({ namespace: 'prod', since: '2h', 'all-namespaces': 'true' });
    expect(Object.fromEntries(parseArgs(['-nkube-system'], specs).flags)).toEqual({ namespace: 'kube-system' });
    expect(parseArgs(['--', '-n'], specs).positionals).toEqual(['-n']);
  });

  it('refuses unknown flags and missing values', () => {
    expect(() => parseArgs(['--nope'], specs)).toThrow(UsageError);
    expect(() => parseArgs(['-x'], specs)).toThrow(/unknown shorthand flag/);
    expect(() => parseArgs(['--since'], specs)).toThrow(/needs an argument/);
    expect(() => parseArgs(['-A=maybe'], specs)).toThrow(/takes no value/);
  });

  it('finds the command after global flags', () => {
    expect(splitCommand(['--server', 'http://x', '-n', 'a', 'history', 'deploy/web', '-A'])).toEqual({ name: 'history', rest: ['--server', 'http://x', '-n', 'a', 'deploy/web', '-A'] });
    expect(splitCommand(['--server=http://x', '--insecure-skip-tls-verify', 'audit'])).toEqual({ name: 'audit', rest: ['--server=http://x', '--insecure-skip-tls-verify'] });
    expect(splitCommand(['--help'])).toEqual({ name: '--help', rest: ['--help'] });
  });

  it('names objects as kubectl does', () => {
    expect(parseObjectArgs(['deploy/web'])).toEqual({ type: 'deploy', name: 'web' });
    expect(parseObjectArgs(['pods', 'web-1'])).toEqual({ type: 'pods', name: 'web-1' });
    expect(parseObjectArgs(['pods'])).toEqual({ type: 'pods', name: undefined });
    expect(() => parseObjectArgs(['deploy/web', 'x'])).toThrow(UsageError);
    expect(() => parseObjectArgs(['deploy/'])).toThrow(UsageError);
  });
});

describe('finding the server', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logbook-cli-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const config = `
apiVersion: v1
kind: Config
current-context: prod
contexts:
- name: prod
  context: { cluster: prod, user: ops, namespace: shop }
- name: dev
  context: { cluster: dev, user: dev }
clusters:
- name: prod
  cluster: { server: 'https://prod.example:6443', certificate-authority-data: ${Buffer.from('CA PEM').toString('base64')} }
- name: dev
  cluster: { server: 'http://127.0.0.1:9999', insecure-skip-tls-verify: true }
users:
- name: ops
  user: { token: ops-token }
- name: dev
  user: { tokenFile: dev-token.txt }
`;

  it('uses the current context of the kubeconfig: server, token, CA and namespace', () => {
    const file = write('config', config);
    const c = resolveConnection({}, { KUBECONFIG: file });
    expect(c).toMatchObject({ server: 'https://prod.example:6443', token: 'ops-token', namespace: 'shop' });
    expect(c.ca!.toString()).toBe('CA PEM');
  });

  it('picks another context, reading token files relative to the kubeconfig', () => {
    const file = write('config', config);
    write('dev-token.txt', 'dev-secret\n');
    expect(resolveConnection({ context: 'dev' }, { KUBECONFIG: file })).toMatchObject({ server: 'http://127.0.0.1:9999', token: 'dev-secret', insecureSkipTlsVerify: true });
    expect(() => resolveConnection({ context: 'nope' }, { KUBECONFIG: file })).toThrow(/context "nope" does not exist/);
  });

  it('lets flags win, and does not send a kubeconfig token to another server', () => {
    const file = write('config', config);
    const c = resolveConnection({ server: 'http://elsewhere:8080' }, { KUBECONFIG: file });
    expect(c.server).toBe('http://elsewhere:8080');
    expect(c.token).toBeUndefined();
    expect(resolveConnection({ server: 'http://elsewhere:8080', token: 't' }, { KUBECONFIG: file }).token).toBe('t');
    expect(resolveConnection({ kubeconfig: file, token: 'flag-token' }, {}).token).toBe('flag-token');
  });

  it('merges a KUBECONFIG path list (first wins) and falls back to the default address', () => {
    const a = write('a', 'current-context: dev\n');
    const b = write('b', config);
    write('dev-token.txt', 'x');
    expect(resolveConnection({}, { KUBECONFIG: [a, b].join(path.delimiter) }).server).toBe('http://127.0.0.1:9999');
    const fallback = resolveConnection({}, { HOME: dir, LOGBOOK_DATA_DIR: dir });
    expect([fallback.server, fallback.token]).toEqual([DEFAULT_SERVER, undefined]);
    expect(() => resolveConnection({ kubeconfig: path.join(dir, 'missing') }, {})).toThrow(/does not exist/);
  });

  it("falls back to the admin kubeconfig npm start wrote, and its client certificate", () => {
    write('admin.kubeconfig', [
      'current-context: admin@logbook',
      'contexts: [{name: admin@logbook, context: {cluster: logbook, user: admin}}]',
      `clusters: [{name: logbook, cluster: {server: 'https://127.0.0.1:6443', certificate-authority-data: ${Buffer.from('CA').toString('base64')}}}]`,
      `users: [{name: admin, user: {client-certificate-data: ${Buffer.from('CERT').toString('base64')}, client-key-data: ${Buffer.from('KEY').toString('base64')}}}]`,
    ].join('\n'));
    const c = resolveConnection({}, { HOME: dir, LOGBOOK_DATA_DIR: dir });
    expect([c.server, c.ca?.toString(), c.cert?.toString(), c.key?.toString()]).toEqual(['https://127.0.0.1:6443', 'CA', 'CERT', 'KEY']);
  });
});

describe('output', () => {
  it('aligns columns with three spaces, as kubectl does', () => {
    expect(formatTable(['RV', 'NAME'], [['7', 'web'], ['12', 'web-1-abc']])).toBe('RV   NAME\n7    web\n12   web-1-abc\n');
    expect(() => parseOutput('xml', ['table', 'json'], 'table')).toThrow(/allowed formats are: table,json/);
  });

  it('prints usage, and refuses unknown commands', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s), progress: false };
    expect(await main(['help'], io)).toBe(0);
    expect(out.join('')).toMatch(/Commands:\n\s+history\s+/);
    expect(await main(['frobnicate'], io)).toBe(1);
    expect(err.join('')).toMatch(/unknown command "frobnicate"/);
    expect(await main(['history', '--bogus'], io)).toBe(1);
    expect(err.join('')).toMatch(/unknown flag: --bogus\nSee 'logbook history --help'/);
  });
});
