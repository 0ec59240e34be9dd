import { canonicalQuantity } from './quantity';

describe('canonicalQuantity (resource.Quantity.String)', () => {
  it.each([
    ['10Gi', '10Gi'],
    ['1024Mi', '1Gi'],
    ['1536Mi', '1536Mi'],
    ['0.5Gi', '512Mi'],
    ['1.5Gi', '1536Mi'],
    ['512Ki', '512Ki'],
    ['1Ki', '1Ki'],
    ['0.5Ki', '512'],
    ['1000M', '1G'],
    ['1.5G', '1500M'],
    ['100m', '100m'],
    ['0.1', '100m'],
    ['1500m', '1500m'],
    ['5', '5'],
    ['1000', '1k'],
    ['0', '0'],
    ['0Gi', '0'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['0.0000000001', '1n'],
    ['-1Gi', '-1Gi'],
  ])('%s -> %s', (input, expected) => {
    expect(canonicalQuantity(input)).toBe(expected);
  });

  it('accepts JSON numbers and leaves garbage alone', () => {
    expect(canonicalQuantity(2000)).toBe('2k');
    expect(canonicalQuantity('lots')).toBe('lots');
  });
});
