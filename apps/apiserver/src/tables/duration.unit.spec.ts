import { humanDuration, parseTimestamp, since } from './duration';

const s = (n: number) => n * 1000;
const m = (n: number) => s(60 * n);
const h = (n: number) => m(60 * n);
const d = (n: number) => h(24 * n);

describe('humanDuration (apimachinery HumanDuration)', () => {
  it.each([
    [0, '0s'],
    [s(5), '5s'],
    [s(119), '119s'],
    [s(120), '2m'],
    [s(200), '3m20s'],
    [m(9) + s(59), '9m59s'],
    [m(10) + s(30), '10m'],
    [m(179), '179m'],
    [h(3), '3h'],
    [h(4) + m(5), '4h5m'],
    [h(7) + m(59), '7h59m'],
    [h(8) + m(30), '8h'],
    [h(47), '47h'],
    [d(2), '2d'],
    [d(2) + h(3), '2d3h'],
    [d(7) + h(23), '7d23h'],
    [d(8) + h(5), '8d'],
    [d(45), '45d'],
    [d(729), '729d'],
    [d(365 * 2), '2y'],
    [d(365 * 3 + 45), '3y45d'],
    [d(365 * 8 + 100), '8y'],
    [d(365 * 20), '20y'],
  ])('%d ms -> %s', (ms, expected) => {
    expect(humanDuration(ms)).toBe(expected);
  });

  it('tolerates up to ~1s of clock skew, then reports <invalid>', () => {
    expect(humanDuration(-500)).toBe('0s');
    expect(humanDuration(-1999)).toBe('0s');
    expect(humanDuration(-2000)).toBe('<invalid>');
  });
});

describe('since', () => {
  const now = new Date('2025-06-01T12:00:00Z');
  it('formats the time elapsed since an RFC 3339 timestamp', () => {
    expect(since('2025-06-01T11:56:40Z', now)).toBe('3m20s');
    expect(since('2025-06-01T13:56:40+02:00', now)).toBe('3m20s');
    expect(since('2025-06-01T11:59:59.5Z', now)).toBe('0s');
  });
  it('returns <unknown> without a usable timestamp', () => {
    expect(since(undefined, now)).toBe('<unknown>');
    expect(since(null, now)).toBe('<unknown>');
    expect(since('', now)).toBe('<unknown>');
    expect(since('yesterday', now)).toBe('<unknown>');
  });
  it('parseTimestamp distinguishes empty from invalid', () => {
    expect(parseTimestamp('')).toBeNull();
    expect(parseTimestamp('2025-06-01')).toBeNaN();
    expect(parseTimestamp('2025-06-01T00:00:00Z')).toBe(Date.UTC(2025, 5, 1));
  });
});
