// resource.Quantity canonical form (Quantity.String()), as printed in the
// CAPACITY columns: `1024Mi` prints as `1Gi`, `0.5Gi` as `512Mi`, `1.5G` as
// `1500M`, `0.1` as `100m`. Values finer than 1n are rounded up, as
// ParseQuantity does. Unparseable input is returned unchanged.

const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_SUFFIX: Record<number, string> = Object.fromEntries(Object.entries(DECIMAL).map(([s, e]) => [e, s]));
const BINARY_SUFFIX: Record<number, string> = Object.fromEntries(Object.entries(BINARY).map(([s, e]) => [e / 10, s]));

const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

const pow = (base: bigint, exp: number): bigint => base ** BigInt(exp);

export function canonicalQuantity(input: unknown): string {
  if (typeof input === 'number') input = String(input);
  if (typeof input !== 'string') return '';
  const m = QUANTITY.exec(input.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return String(input);
  const [, sign, whole, frac = '', suffix = ''] = m;

  // value = digits × 10^exp10 × 2^exp2, exactly.
  const digits = BigInt(whole + frac || '0');
  let exp10 = -frac.length;
  let exp2 = 0;
  let format: 'BinarySI' | 'DecimalSI' | 'DecimalExponent' = 'DecimalSI';
  if (suffix in BINARY) {
    exp2 = BINARY[suffix];
    format = 'BinarySI';
  } else if (suffix in DECIMAL) {
    exp10 += DECIMAL[suffix];
  } else {
    exp10 += Number(suffix.slice(1));
    format = 'DecimalExponent';
  }

  // Scale to nano units, rounding up (away from zero).
  let num = digits * pow(2n, exp2);
  let den = 1n;
  if (exp10 + 9 >= 0) num *= pow(10n, exp10 + 9);
  else den = pow(10n, -(exp10 + 9));
  let nanos = num / den + (num % den === 0n ? 0n : 1n);
  if (nanos === 0n) return '0';
  const negative = sign === '-';

  if (format === 'BinarySI') {
    const limit = 1024n * 10n ** 9n;
    const whole = nanos % 10n ** 9n === 0n;
    if (nanos < limit || !whole) {
      format = 'DecimalSI';
    } else {
      let value = nanos / 10n ** 9n;
      let exp = 0;
      while (value % 1024n === 0n && exp < 6) {
        value /= 1024n;
        exp++;
      }
      return `${negative ? '-' : ''}${value}${BINARY_SUFFIX[exp]}`;
    }
  }

  // Decimal: strip trailing zeros, then lower the exponent to a multiple of 3.
  let exp = -9;
  while (nanos % 10n === 0n) {
    nanos /= 10n;
    exp++;
  }
  const rem = ((exp % 3) + 3) % 3;
  nanos *= pow(10n, rem);
  exp -= rem;
  let suffixOut: string;
  if (format === 'DecimalSI' && exp in DECIMAL_SUFFIX) suffixOut = DECIMAL_SUFFIX[exp];
  else suffixOut = exp === 0 ? '' : `e${exp}`;
  return `${negative ? '-' : ''}${nanos}${suffixOut}`;
}
