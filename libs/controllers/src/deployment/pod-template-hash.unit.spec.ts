import { canonicalJson, computePodTemplateHash, fnv32a, SAFE_ENCODE_ALPHABET, safeEncodeString } from './pod-template-hash';
import { template } from './fixtures';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('pod-template-hash', () => {
  it('is FNV-1a 32 (the published test vectors)', () => {
    expect(fnv32a(bytes(''))).toBe(0x811c9dc5);
    expect(fnv32a(bytes('a'))).toBe(0xe40c292c);
    expect(fnv32a(bytes('foobar'))).toBe(0xbf9cf968);
    // Continuing a hash is hashing the concatenation.
    expect(fnv32a(bytes('bar'), fnv32a(bytes('foo')))).toBe(0xbf9cf968);
  });

  it("renders digits with SafeEncodeString's alphabet, as Kubernetes' hashes look", () => {
    expect(SAFE_ENCODE_ALPHABET).toBe('bcdfghjklmnpqrstvwxz2456789');
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
    // The seed's kubia-5b9f8f4d84 is the FNV sum 1659490840, encoded.
    expect(safeEncodeString('1659490840')).toBe('5b9f8f4d84');
  });

  it('depends on the template, not on the order of its keys', () => {
    const a = template('luksa/kubia:v1');
    const reordered = { spec: a.spec, metadata: a.metadata };
    expect(computePodTemplateHash(reordered)).toBe(computePodTemplateHash(a));
    expect(computePodTemplateHash(template('luksa/kubia:v2'))).not.toBe(computePodTemplateHash(a));
    expect(canonicalJson({ b: 1, a: [{ d: undefined, c: 'x' }] })).toBe('{"a":[{"c":"x"}],"b":1}');
  });

  it('looks like a Kubernetes hash: up to 10 characters of the safe alphabet', () => {
    for (const image of ['a', 'b', 'luksa/kubia:v1', 'luksa/kubia:v2', 'luksa/kubia:v3']) {
      expect(computePodTemplateHash(template(image))).toMatch(/^[456789bcdf]{1,10}$/);
    }
  });

  it('feeds collisionCount as eight more bytes (a little-endian uint32 then zeros), so a collision gives a new name', () => {
    const t = template('luksa/kubia:v1');
    const plain = fnv32a(bytes(canonicalJson(t)));
    expect(computePodTemplateHash(t, 0)).toBe(safeEncodeString(String(fnv32a(new Uint8Array(8), plain))));
    expect(computePodTemplateHash(t, 258)).toBe(safeEncodeString(String(fnv32a(Uint8Array.from([2, 1, 0, 0, 0, 0, 0, 0]), plain))));
    // A count of 0 still changes the hash (Kubernetes hashes a non-nil collisionCount).
    expect(computePodTemplateHash(t, 0)).not.toBe(computePodTemplateHash(t));
    expect(computePodTemplateHash(t, 1)).not.toBe(computePodTemplateHash(t, 0));
  });
});
