/**
 * Resource quantities (`100m`, `1Gi`, `1.5`, `2e3`), as
 * `k8s.io/apimachinery/pkg/api/resource` parses and prints them.
 *
 * A `Quantity` is exact: its value is kept as a whole number of
 * nano-units (10^-9), the finest precision Kubernetes keeps (finer input is
 * rounded away from zero, as Kubernetes rounds it). It remembers the format
 * it was written in, which decides how it prints back.
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The value in units of 10^-9. */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
}

export class QuantityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantityError';
  }
}

const SPLIT_RE = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
export const QUANTITY_FORMAT_ERROR = `quantities must match the regular expression '${SPLIT_RE}'`;
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const NANO = 9;
const TEN = 10n;
const MAX_BINARY_NANOS = (2n ** 63n - 1n) * 10n ** 9n;

interface Split {
  negative: boolean;
  whole: string;
  fraction: string;
  suffix: string;
}

// Mirrors parseQuantityString: sign, digits, optional '.digits', then a suffix.
function split(str: string): Split {
  let pos = 0;
  let negative = false;
  if (str[0] === '-' || str[0] === '+') {
    negative = str[0] === '-';
    pos = 1;
  }
  const digits = (from: number): number => {
    let i = from;
    while (i < str.length && str[i] >= '0' && str[i] <= '9') i++;
    return i;
  };
  let end = digits(pos);
  const whole = str.slice(pos, end);
  pos = end;
  let fraction = '';
  if (str[pos] === '.') {
    end = digits(pos + 1);
    fraction = str.slice(pos + 1, end);
    pos = end;
  }
  const suffixStart = pos;
  while (pos < str.length && 'eEinumkKMGTP'.includes(str[pos])) pos++;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  pos = digits(pos);
  if (pos < str.length) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  return { negative, whole, fraction, suffix: str.slice(suffixStart) };
}

function interpretSuffix(suffix: string): { base: 10 | 2; exponent: number; format: QuantityFormat } {
  if (suffix in DECIMAL_SUFFIXES) return { base: 10, exponent: DECIMAL_SUFFIXES[suffix], format: 'DecimalSI' };
  if (suffix in BINARY_SUFFIXES) return { base: 2, exponent: BINARY_SUFFIXES[suffix], format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?[0-9]+$/.test(suffix.slice(1))) {
    return { base: 10, exponent: Number.parseInt(suffix.slice(1), 10), format: 'DecimalExponent' };
  }
  throw new QuantityError(QUANTITY_SUFFIX_ERROR);
}

/** Divides rounding away from zero (Kubernetes' `inf.RoundUp`). */
function divAway(n: bigint, d: bigint): bigint {
  const q = n / d;
  return q * d === n ? q : n < 0n ? q - 1n : q + 1n;
}

/**
 * Parses a quantity. Throws `QuantityError` with Kubernetes' messages for
 * text that does not match the grammar or has an unknown suffix (`1K` is an
 * error; the kilo suffix is `k`).
 */
export function parseQuantity(str: string): Quantity {
  if (str.length === 0) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  // As in Kubernetes, missing digits read as zero: ".", "+" and "m" are 0.
  const { negative, whole, fraction, suffix } = split(str);
  const { base, exponent, format } = interpretSuffix(suffix);
  // value = digits * 10^-len(fraction) * base^exponent, in nanos.
  let numerator = BigInt((whole || '0') + fraction);
  let denominator = TEN ** BigInt(fraction.length);
  if (base === 2) numerator *= 2n ** BigInt(exponent);
  else if (exponent >= 0) numerator *= TEN ** BigInt(exponent);
  else denominator *= TEN ** BigInt(-exponent);
  let nanos = divAway(numerator * TEN ** BigInt(NANO), denominator);
  // Binary quantities are capped at the largest int64 (e.g. "9Ei").
  if (format === 'BinarySI' && nanos > MAX_BINARY_NANOS) nanos = MAX_BINARY_NANOS;
  if (negative) nanos = -nanos;
  // A binary quantity below one is printed as a decimal one.
  const abs = nanos < 0n ? -nanos : nanos;
  const finalFormat = format === 'BinarySI' && abs > 0n && abs < 10n ** BigInt(NANO) ? 'DecimalSI' : format;
  return { nanos, format: finalFormat };
}

/** A quantity of whole units (`quantity(3)`, `quantity(1024, 'BinarySI')`). */
export function quantityFromNumber(value: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
  const whole = typeof value === 'bigint' ? value : BigInt(Math.trunc(value));
  return { nanos: whole * 10n ** BigInt(NANO), format };
}

/** A quantity of thousandths (`quantityFromMillis(250)` is `250m`). */
export function quantityFromMillis(millis: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
  const whole = typeof millis === 'bigint' ? millis : BigInt(Math.trunc(millis));
  return { nanos: whole * 10n ** 6n, format };
}

function scaled(q: Quantity, exponent: number): bigint {
  // ceil(|value| / 10^exponent), keeping the sign (rounded away from zero).
  const shift = NANO + exponent;
  return shift >= 0 ? divAway(q.nanos, TEN ** BigInt(shift)) : q.nanos * TEN ** BigInt(-shift);
}

/** The value in whole units, rounded away from zero (`Quantity.Value()`): bytes for memory. */
export function quantityValue(q: Quantity): number {
  return Number(scaled(q, 0));
}

/** The value in thousandths, rounded away from zero (`Quantity.MilliValue()`): millicores for CPU. */
export function quantityMilliValue(q: Quantity): number {
  return Number(scaled(q, -3));
}

/** An approximate floating-point value. */
export function quantityToNumber(q: Quantity): number {
  return Number(q.nanos) / 1e9;
}

/** -1, 0 or 1. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/** The sum, in the format of the first operand. */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.format };
}

/** The difference, in the format of the first operand. */
export function subtractQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos - b.nanos, format: a.format };
}

function stripFactors(n: bigint, factor: bigint, max = Infinity): [bigint, number] {
  let times = 0;
  while (n !== 0n && n % factor === 0n && times < max) {
    n /= factor;
    times++;
  }
  return [n, times];
}

/**
 * The canonical text of a quantity (`Quantity.String()`): `0`; for binary
 * whole numbers of at least 1024 the largest exact binary suffix (`1536Mi`,
 * not `1.5Gi`); otherwise the largest decimal suffix that leaves an integer
 * (`1500m`, `2k`, `2e3` for the exponent format).
 */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  const negative = q.nanos < 0n;
  const abs = negative ? -q.nanos : q.nanos;
  const sign = negative ? '-' : '';
  const unit = 10n ** BigInt(NANO);
  if (q.format === 'BinarySI' && abs >= 1024n * unit && abs % unit === 0n) {
    const [mantissa, power] = stripFactors(abs / unit, 1024n, BINARY_BY_POWER.length - 1);
    return `${sign}${mantissa}${BINARY_BY_POWER[power]}`;
  }
  let [mantissa, times] = stripFactors(abs, TEN);
  let exponent = times - NANO;
  while (exponent % 3 !== 0) {
    mantissa *= TEN;
    exponent--;
  }
  if (q.format === 'DecimalExponent') return `${sign}${mantissa}${exponent === 0 ? '' : `e${exponent}`}`;
  // Past exa there is no SI suffix: keep 'E' and carry the rest in the mantissa.
  if (exponent > 18) {
    mantissa *= TEN ** BigInt(exponent - 18);
    exponent = 18;
  }
  return `${sign}${mantissa}${DECIMAL_BY_EXPONENT.get(exponent)}`;
}

/** Parses and prints back canonically: `normalizeQuantity('1.5Gi')` is `1536Mi`. */
export function normalizeQuantity(str: string): string {
  return formatQuantity(parseQuantity(str));
}
