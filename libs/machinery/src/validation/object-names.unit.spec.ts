import { fieldErrorToString } from './field-errors';
import {
  GENERATED_NAME_ALPHABET,
  generateName,
  nameIsDns1035Label,
  nameIsDnsLabel,
  nameIsDnsSubdomain,
  TOTAL_ANNOTATION_SIZE_LIMIT_BYTES,
  validateAnnotations,
  validateLabels,
} from './object-names';

describe('name validators', () => {
  it('accept a generateName prefix ending in a dash', () => {
    expect(nameIsDnsSubdomain('web-', true)).toEqual([]);
    expect(nameIsDnsLabel('web-', true)).toEqual([]);
    expect(nameIsDns1035Label('web-', true)).toEqual([]);
  });

  it('reject a full name ending in a dash', () => {
    expect(nameIsDnsSubdomain('web-', false)).toHaveLength(1);
  });

  it('check a prefix as if its last two characters were "a", like maskTrailingDash', () => {
    // "a_-" becomes "a": valid, although "_" is not allowed in names.
    expect(nameIsDnsSubdomain('a_-', true)).toEqual([]);
    expect(nameIsDnsSubdomain('a_b-', true)).toHaveLength(1);
  });
});

describe('generateName', () => {
  it('appends five characters from the Kubernetes alphabet', () => {
    const name = generateName('web-');
    expect(name).toMatch(new RegExp(`^web-[${GENERATED_NAME_ALPHABET}]{5}$`));
  });

  it('cuts the base to 58 characters so that the name fits in 63', () => {
    const name = generateName('x'.repeat(100));
    expect(name).toHaveLength(63);
    expect(name.startsWith('x'.repeat(58))).toBe(true);
    expect(name[58]).not.toBe('x');
  });

  it('draws characters from the given source of randomness', () => {
    expect(generateName('a-', () => 0)).toBe('a-bbbbb');
    expect(generateName('a-', () => 0.9999999)).toBe('a-99999');
  });
});

describe('validateAnnotations', () => {
  it('accepts qualified keys and checks keys lower-cased', () => {
    expect(validateAnnotations({ 'Example.COM/Key': 'v', 'kubernetes.io/change-cause': 'x' })).toEqual([]);
  });

  it('rejects invalid keys', () => {
    expect(validateAnnotations({ '-bad': 'v' }).map(fieldErrorToString)[0]).toMatch(
      /^metadata\.annotations: Invalid value: "-bad": name part must consist of/,
    );
  });

  it('limits keys plus values to 256 KiB', () => {
    const atLimit = { k: 'v'.repeat(TOTAL_ANNOTATION_SIZE_LIMIT_BYTES - 1) };
    expect(validateAnnotations(atLimit)).toEqual([]);
    const over = { k: 'v'.repeat(TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) };
    expect(validateAnnotations(over).map(fieldErrorToString)).toEqual([
      'metadata.annotations: Too long: may not be more than 262144 bytes',
    ]);
  });
});

describe('validateLabels', () => {
  it('checks keys and values', () => {
    expect(validateLabels({ app: 'web' })).toEqual([]);
    const errs = validateLabels({ 'a/b/c': 'ok', good: '-bad' }).map(fieldErrorToString);
    expect(errs).toHaveLength(2);
    expect(errs[0]).toMatch(/^metadata\.labels: Invalid value: "a\/b\/c": a qualified name/);
    expect(errs[1]).toMatch(/^metadata\.labels: Invalid value: "-bad": a valid label must be/);
  });
});
