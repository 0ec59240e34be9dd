import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomicWriter, validatePayloadPath } from './atomic-writer';
import { containerResourceValue, formatMap, podFieldValue } from './downward-api';

describe('downward API values', () => {
  it('formats labels and annotations as kube does: sorted key="value" lines, Go-quoted, no final newline', () => {
    expect(formatMap({ zone: 'eu', app: 'kubia', note: 'say "hi"\n\\' })).toBe('app="kubia"\nnote="say \\"hi\\"\\n\\\\"\nzone="eu"');
    expect(formatMap(undefined)).toBe('');
  });

  it('reads pod fields, subscripted labels and annotations', () => {
    const pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u', labels: { a: '1' }, annotations: { b: '2' } }, spec: { nodeName: 'n1', containers: [] } };
    expect(podFieldValue(pod, "metadata.labels['a']")).toBe('1');
    expect(podFieldValue(pod, "metadata.annotations['b']")).toBe('2');
    expect(podFieldValue(pod, "metadata.labels['missing']")).toBe('');
    expect(podFieldValue(pod, 'spec.nodeName')).toBe('n1');
    expect(() => podFieldValue(pod, 'spec.containers')).toThrow('unsupported fieldPath: spec.containers');
  });

  it('divides resources by the divisor, rounding up; limits default to the node allocatable', () => {
    const c = { name: 'main', resources: { requests: { cpu: '15m', memory: '100Ki' }, limits: { cpu: '1500m' } } };
    expect(containerResourceValue(c, 'requests.cpu', '1m')).toBe('15');
    expect(containerResourceValue(c, 'requests.cpu', undefined)).toBe('1');
    expect(containerResourceValue(c, 'limits.cpu', '1')).toBe('2');
    expect(containerResourceValue(c, 'requests.memory', '1Ki')).toBe('100');
    expect(containerResourceValue(c, 'limits.memory', '1Mi', { memory: '16Gi' })).toBe('16384');
    expect(() => containerResourceValue(undefined, 'limits.cpu', '1')).toThrow('does not exist');
  });
});

describe('AtomicWriter', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'atomic-writer-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const payload = (entries: Record<string, string>, mode = 0o644) => new Map(Object.entries(entries).map(([k, v]) => [k, { data: Buffer.from(v), mode }]));

  it('writes nothing new when the payload is what is there', async () => {
    const w = new AtomicWriter(dir);
    expect(await w.write(payload({ a: '1', 'nested/b': '2' }))).toBe(true);
    const version = await readlink(join(dir, '..data'));
    expect(await w.write(payload({ a: '1', 'nested/b': '2' }))).toBe(false);
    expect(await readlink(join(dir, '..data'))).toBe(version);
    // A mode change alone is a change.
    expect(await w.write(payload({ a: '1', 'nested/b': '2' }, 0o600))).toBe(true);
    expect(await readlink(join(dir, '..data'))).not.toBe(version);
    expect((await readdir(dir)).sort()).toEqual([await readlink(join(dir, '..data')), '..data', 'a', 'nested'].sort());
    expect(await readFile(join(dir, 'nested/b'), 'utf8')).toBe('2');
  });

  it('refuses paths outside the directory or in the reserved .. namespace', () => {
    expect(() => validatePayloadPath('/etc/passwd')).toThrow('must be relative path');
    expect(() => validatePayloadPath('a/../../b')).toThrow("must not contain '..'");
    expect(() => validatePayloadPath('..data')).toThrow("must not start with '..'");
    expect(() => validatePayloadPath('')).toThrow('must not be empty');
  });
});
