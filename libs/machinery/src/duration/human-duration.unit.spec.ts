import { humanAge, humanDuration, shortHumanDuration } from './human-duration';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

describe('humanDuration (kubectl AGE)', () => {
  it.each([
    [-2 * s, '<invalid>'],
    [-1 * s, '0s'],
    [-999, '0s'],
    [0, '0s'],
    [5 * s, '5s'],
    [5 * s + 999, '5s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [3 * m + 20 * s, '3m20s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m + 30 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [4 * h, '4h'],
    [7 * h + 5 * m, '7h5m'],
    [7 * h + 59 * m + 59 * s, '7h59m'],
    [8 * h + 30 * m, '8h'],
    [47 * h, '47h'],
    [48 * h, '2d'],
    [2 * d + 3 * h, '2d3h'],
    [7 * d + 23 * h, '7d23h'],
    [8 * d + 5 * h, '8d'],
    [45 * d, '45d'],
    [2 * y - d, '729d'],
    [2 * y, '2y'],
    [2 * y + 30 * d, '2y30d'],
    [3 * y, '3y'],
    [8 * y - d, '7y364d'],
    [8 * y, '8y'],
    [9 * y + 100 * d, '9y'],
  ])('%d ms is %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe('shortHumanDuration', () => {
  it.each([
    [-2 * s, '<invalid>'],
    [-1 * s, '0s'],
    [59 * s, '59s'],
    [60 * s, '1m'],
    [3 * m + 20 * s, '3m'],
    [59 * m, '59m'],
    [4 * h + 59 * m, '4h'],
    [23 * h, '23h'],
    [24 * h, '1d'],
    [364 * d, '364d'],
    [365 * d, '1y'],
    [3 * y + 200 * d, '3y'],
  ])('%d ms is %s', (ms, text) => {
    expect(shortHumanDuration(ms)).toBe(text);
  });
});

describe('humanAge', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  it('is the duration since the timestamp', () => {
    expect(humanAge('2024-05-01T11:56:40Z', now)).toBe('3m20s');
    expect(humanAge(new Date('2024-04-29T09:00:00Z'), now)).toBe('2d3h');
  });
  it('is <unknown> without a timestamp', () => {
    expect(humanAge(undefined, now)).toBe('<unknown>');
    expect(humanAge('not a date', now)).toBe('<unknown>');
  });
});
