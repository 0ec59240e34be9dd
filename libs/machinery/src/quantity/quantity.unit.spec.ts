import {
  addQuantities,
  compareQuantities,
  formatQuantity,
  normalizeQuantity,
  parseQuantity,
  QUANTITY_FORMAT_ERROR,
  QUANTITY_SUFFIX_ERROR,
  quantityFromMillis,
  quantityFromNumber,
  quantityMilliValue,
  quantityToNumber,
  quantityValue,
  subtractQuantities,
} from './quantity';

describe('parseQuantity', () => {
  it.each([
    ['100m', 100_000_000n, 'DecimalSI'],
    ['1', 1_000_000_000n, 'DecimalSI'],
    ['1.5', 1_500_000_000n, 'DecimalSI'],
    ['2e3', 2_000_000_000_000n, 'DecimalExponent'],
    ['1k', 1_000_000_000_000n, 'DecimalSI'],
    ['1Gi', 1073741824n * 1_000_000_000n, 'BinarySI'],
    ['500Mi', 524288000n * 1_000_000_000n, 'BinarySI'],
    ['-3.5', -3_500_000_000n, 'DecimalSI'],
    ['+7', 7_000_000_000n, 'DecimalSI'],
    ['0.9n', 1n, 'DecimalSI'],
    ['0.00000012345', 124n, 'DecimalSI'],
    ['0.000000000001Ki', 2n, 'DecimalSI'],
    ['.001', 1_000_000n, 'DecimalSI'],
    ['1.', 1_000_000_000n, 'DecimalSI'],
    ['1.G', 1_000_000_000n * 1_000_000_000n, 'DecimalSI'],
    ['12E', 12n * 10n ** 18n * 1_000_000_000n, 'DecimalSI'],
    ['1e-3', 1_000_000n, 'DecimalExponent'],
    ['0', 0n, 'DecimalSI'],
    ['.', 0n, 'DecimalSI'],
  ])('%s', (text, nanos, format) => {
    expect(parseQuantity(text)).toEqual({ nanos, format });
  });

  it('caps binary quantities at the largest int64', () => {
    expect(parseQuantity('9Ei').nanos).toBe((2n ** 63n - 1n) * 1_000_000_000n);
  });

  it.each(['1.1.M', '1+1.0M', 'aoeu', ' 1', '1 ', '', '0.1am'])('rejects %j as malformed', (text) => {
    expect(() => parseQuantity(text)).toThrow(QUANTITY_FORMAT_ERROR);
  });

  it.each(['0.1mi', '.5i', '1i', '-3.01i', '-3.01e-', '1K'])('rejects the suffix of %j', (text) => {
    expect(() => parseQuantity(text)).toThrow(QUANTITY_SUFFIX_ERROR);
  });
});

describe('formatQuantity', () => {
  it.each([
    ['1Gi', '1Gi'],
    ['1024Mi', '1Gi'],
    ['307200Ki', '300Mi'],
    ['1025024Mi', '1001Gi'],
    ['1024Gi', '1Ti'],
    ['1.5Gi', '1536Mi'],
    ['5Ki', '5Ki'],
    ['1025', '1025'],
    ['0.5Mi', '512Ki'],
    ['.001Ki', '1024m'],
    ['.000001Ki', '1024u'],
    ['.000000001Ki', '1024n'],
    ['.000000000001Ki', '2n'],
    ['1000M', '1G'],
    ['0.001T', '1G'],
    ['1080000000n', '1080m'],
    ['1.08', '1080m'],
    ['1000u', '1m'],
    ['0.5', '500m'],
    ['1.5', '1500m'],
    ['100m', '100m'],
    ['1000m', '1'],
    ['300M', '300M'],
    ['3k', '3k'],
    ['.001e12', '1e9'],
    ['0.001e0', '1e-3'],
    ['1000e-12', '1e-9'],
    ['80e-3', '80e-3'],
    ['2e3', '2e3'],
    ['00', '0'],
    ['-1.5Gi', '-1536Mi'],
    ['-1000M', '-1G'],
    ['-0.5', '-500m'],
    ['1000E', '1000E'],
  ])('%s prints as %s', (text, canonical) => {
    expect(normalizeQuantity(text)).toBe(canonical);
  });

  it('prints numbers it built', () => {
    expect(formatQuantity(quantityFromNumber(3))).toBe('3');
    expect(formatQuantity(quantityFromNumber(2048, 'BinarySI'))).toBe('2Ki');
    expect(formatQuantity(quantityFromMillis(250))).toBe('250m');
  });
});

describe('quantity values', () => {
  it('CPU in millicores and memory in bytes, rounded away from zero', () => {
    expect(quantityMilliValue(parseQuantity('100m'))).toBe(100);
    expect(quantityMilliValue(parseQuantity('1.5'))).toBe(1500);
    expect(quantityMilliValue(parseQuantity('1n'))).toBe(1);
    expect(quantityMilliValue(parseQuantity('-1n'))).toBe(-1);
    expect(quantityValue(parseQuantity('500Mi'))).toBe(524288000);
    expect(quantityValue(parseQuantity('1k'))).toBe(1000);
    expect(quantityValue(parseQuantity('100m'))).toBe(1);
    expect(quantityValue(parseQuantity('2e3'))).toBe(2000);
    expect(quantityToNumber(parseQuantity('250m'))).toBe(0.25);
  });

  it('compares and adds exactly', () => {
    expect(compareQuantities(parseQuantity('1Gi'), parseQuantity('1G'))).toBe(1);
    expect(compareQuantities(parseQuantity('1000m'), parseQuantity('1'))).toBe(0);
    expect(compareQuantities(parseQuantity('1m'), parseQuantity('2m'))).toBe(-1);
    expect(formatQuantity(addQuantities(parseQuantity('100m'), parseQuantity('0.9')))).toBe('1');
    expect(formatQuantity(subtractQuantities(parseQuantity('1Gi'), parseQuantity('512Mi')))).toBe('512Mi');
  });
});
