import { FakeClock } from '../clock';
import { Backoff } from './backoff';

describe('Backoff', () => {
  it('doubles from the initial delay up to the max (no jitter)', () => {
    const b = new Backoff({ initialMs: 800, maxMs: 30_000, jitter: 0 }, new FakeClock());
    expect(Array.from({ length: 8 }, () => b.next())).toEqual([800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
  });

  it('stretches each delay by up to the jitter fraction', () => {
    let r = 0;
    const b = new Backoff({ initialMs: 100, jitter: 1.0 }, new FakeClock(), () => r);
    r = 0;
    expect(b.next()).toBe(100);
    r = 0.999;
    expect(b.next()).toBeCloseTo(399.8);
  });

  it('starts over after a calm period or a reset', () => {
    const clock = new FakeClock();
    const b = new Backoff({ initialMs: 100, resetAfterMs: 10_000, jitter: 0 }, clock);
    b.next();
    b.next();
    expect(b.next()).toBe(400);
    clock.advance(10_001);
    expect(b.next()).toBe(100);
    b.next();
    b.reset();
    expect(b.next()).toBe(100);
  });
});
