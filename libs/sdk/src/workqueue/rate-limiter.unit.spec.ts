import { FakeClock } from '../clock';
import {
  BucketRateLimiter,
  defaultControllerRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
} from './rate-limiter';

describe('ItemExponentialFailureRateLimiter', () => {
  it('doubles from the base delay per item and caps at the max', () => {
    const l = new ItemExponentialFailureRateLimiter(5, 1000_000);
    expect([1, 2, 3, 4, 5].map(() => l.when('a'))).toEqual([5, 10, 20, 40, 80]);
    expect(l.numRequeues('a')).toBe(5);
    // Another item has its own history.
    expect(l.when('b')).toBe(5);
    for (let i = 0; i < 100; i++) l.when('a');
    expect(l.when('a')).toBe(1000_000);
    // Huge exponents stay at the cap instead of overflowing.
    for (let i = 0; i < 2000; i++) l.when('a');
    expect(l.when('a')).toBe(1000_000);
  });

  it('starts over after forget', () => {
    const l = new ItemExponentialFailureRateLimiter(5, 1000);
    l.when('a');
    l.when('a');
    l.forget('a');
    expect(l.numRequeues('a')).toBe(0);
    expect(l.when('a')).toBe(5);
  });
});

describe('BucketRateLimiter', () => {
  it('lets a burst through, then spaces calls at 1/qps', () => {
    const clock = new FakeClock();
    const l = new BucketRateLimiter(10, 100, clock);
    for (let i = 0; i < 100; i++) expect(l.when(`k${i}`)).toBe(0);
    expect(l.when('x')).toBeCloseTo(100);
    expect(l.when('y')).toBeCloseTo(200);
    expect(l.when('z')).toBeCloseTo(300);
  });

  it('refills at qps up to the burst', () => {
    const clock = new FakeClock();
    const l = new BucketRateLimiter(10, 2, clock);
    expect(l.when('a')).toBe(0);
    expect(l.when('a')).toBe(0);
    expect(l.when('a')).toBeCloseTo(100);
    clock.advance(1000); // ten tokens' worth, but the bucket holds two, minus the one owed
    expect(l.when('a')).toBe(0);
    expect(l.when('a')).toBeCloseTo(0);
    expect(l.when('a')).toBeCloseTo(100);
  });
});

describe('defaultControllerRateLimiter', () => {
  it('is the max of 5ms..1000s per item and 10 qps / burst 100 overall', () => {
    const clock = new FakeClock();
    const l = defaultControllerRateLimiter(clock);
    expect(l.when('a')).toBe(5);
    expect(l.when('a')).toBe(10);
    // Drain the bucket with other items: the bucket then dominates.
    for (let i = 0; i < 98; i++) l.when(`other-${i}`);
    expect(l.when('b')).toBeCloseTo(100);
    expect(l.when('a')).toBeCloseTo(200); // per-item says 20 ms, the bucket says 200 ms
    expect(l.numRequeues('a')).toBe(3);
  });

  it('MaxOf forgets in every limiter', () => {
    const a = new ItemExponentialFailureRateLimiter(1, 100);
    const b = new ItemExponentialFailureRateLimiter(2, 100);
    const l = new MaxOfRateLimiter(a, b);
    expect(l.when('x')).toBe(2);
    expect(l.when('x')).toBe(4);
    l.forget('x');
    expect(a.numRequeues('x') + b.numRequeues('x')).toBe(0);
  });
});
