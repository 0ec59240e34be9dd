import { InvalidObjectError, ObjectTooLargeError } from './errors';
import { toStorableJson } from './json-check';

describe('toStorableJson', () => {
  it('returns the JSON text of plain JSON, dropping undefined members', () => {
    expect(toStorableJson({ a: [1, 'x', null, { b: true }], c: undefined })).toBe('{"a":[1,"x",null,{"b":true}]}');
  });

  it('names where the offending value sits', () => {
    const msg = (v: unknown) => {
      try {
        toStorableJson(v);
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidObjectError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(msg({ spec: { containers: [{ name: 'a' }, { name: 'x\u0000' }] } })).toContain('at spec.containers[1].name: strings may not contain NUL characters');
    expect(msg([1, [2, NaN]])).toContain('at [1][1]: NaN is not a JSON number');
    expect(msg({ list: [{ when: new Date(0) }] })).toContain('at list[0].when: a Date object is not plain JSON');
    expect(msg({ f: () => 1 })).toContain('at f: a function is not JSON-serialisable');
    expect(msg({ ['k\u0000']: 1 })).toContain('the object: keys may not contain NUL characters');
    const cyclic: Record<string, unknown> = { a: { b: {} } };
    (cyclic.a as Record<string, Record<string, unknown>>).b.again = cyclic;
    expect(msg(cyclic)).toContain('at a.b.again: the object contains a cycle');
    expect(msg(Infinity)).toContain('the object: Infinity is not a JSON number');
  });

  it('accepts the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(toStorableJson({ a: shared, b: [shared] })).toBe('{"a":{"x":1},"b":[{"x":1}]}');
  });

  it('refuses objects over the limit', () => {
    expect(() => toStorableJson({ a: 'x'.repeat(100) }, 50)).toThrow(ObjectTooLargeError);
  });
});
