import { Ipv4Range } from './service-allocation-ranges';

describe('Ipv4Range', () => {
  it('has Kubernetes\' static band: a sixteenth of the range, at least 16 and at most 256 addresses', () => {
    expect(new Ipv4Range('10.96.0.0/16').staticBand).toBe(256);
    expect(new Ipv4Range('10.96.0.0/20').staticBand).toBe(255);
    expect(new Ipv4Range('10.96.0.0/24').staticBand).toBe(16);
    expect(new Ipv4Range('10.96.0.0/29').staticBand).toBe(6);
  });

  it('picks above the static band while there is room, and inside it once the rest is full', () => {
    const range = new Ipv4Range('10.96.0.0/27'); // .1 .. .30, band .1 .. .16
    const taken = new Set<string>();
    for (let i = 0; i < 14; i++) {
      const ip = range.pickFree(taken, Math.random, range.staticBand)!;
      expect(Number(ip.split('.')[3])).toBeGreaterThan(16);
      taken.add(ip);
    }
    const next = range.pickFree(taken, Math.random, range.staticBand)!;
    expect(Number(next.split('.')[3])).toBeLessThanOrEqual(16);
    for (let i = 1; i <= 16; i++) taken.add(`10.96.0.${i}`);
    expect(range.pickFree(taken, Math.random, range.staticBand)).toBeUndefined();
  });

  it('without a reserved band picks anywhere in the range', () => {
    const range = new Ipv4Range('10.96.0.0/28');
    expect(range.pickFree(new Set(), () => 0)).toBe('10.96.0.1');
    expect(range.pickFree(new Set(), () => 0, range.staticBand)).toBe('10.96.0.1'); // the band is the whole /28
  });
});
