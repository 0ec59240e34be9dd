import { applyMergePatch, createMergePatch } from './merge-patch';

describe('applyMergePatch (RFC 7386)', () => {
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('RFC example: %j + %j = %j', (target, patch, result) => {
    expect(applyMergePatch(target, patch)).toEqual(result);
  });

  it('applies what kubectl label sends, without touching the input', () => {
    const pod = { metadata: { name: 'p', labels: { app: 'web', old: 'x' } }, spec: { containers: [{ name: 'c' }] } };
    const out = applyMergePatch(pod, { metadata: { labels: { env: 'prod', old: null } } });
    expect(out.metadata.labels).toEqual({ app: 'web', env: 'prod' });
    expect(pod.metadata.labels).toEqual({ app: 'web', old: 'x' });
    out.spec.containers[0].name = 'changed';
    expect(pod.spec.containers[0].name).toBe('c');
  });

  it('applies what kubectl scale sends to /scale', () => {
    expect(applyMergePatch({ spec: { replicas: 1 }, status: { replicas: 1 } }, { spec: { replicas: 5 } })).toEqual({
      spec: { replicas: 5 },
      status: { replicas: 1 },
    });
  });
});

describe('createMergePatch', () => {
  it('yields a patch that turns the original into the modified document', () => {
    const original = { a: 1, b: { c: 2, d: 3 }, e: [1], f: 'x' };
    const modified = { a: 1, b: { c: 5 }, e: [1, 2], g: true };
    const patch = createMergePatch(original, modified);
    expect(patch).toEqual({ b: { c: 5, d: null }, e: [1, 2], f: null, g: true });
    expect(applyMergePatch(original, patch)).toEqual(modified);
  });
});
