import { COMBINED_PREFIX, EventCorrelator } from './event-correlator';

describe('EventCorrelator (client-go tools/record)', () => {
  let now = 0;
  const correlator = (opts = {}) => new EventCorrelator(() => now, opts);
  const ev = (message: string, objectKey = 'rs-1', reason = 'SuccessfulCreate') => ({ objectKey, type: 'Normal', reason, message });
  beforeEach(() => (now = 1_000_000));

  it('keeps identical events on one key and distinct messages on their own, until the 10th distinct one', () => {
    const c = correlator();
    const first = c.correlate(ev('Created pod: a'));
    expect(c.correlate(ev('Created pod: a'))).toEqual(first);
    const keys = new Set([first]);
    for (let i = 1; i < 9; i++) keys.add(c.correlate(ev(`Created pod: ${i}`)));
    expect([...keys].every((k) => k.action === 'write' && !k.message.startsWith(COMBINED_PREFIX))).toBe(true);
    const tenth = c.correlate(ev('Created pod: x'));
    const eleventh = c.correlate(ev('Created pod: y'));
    expect(tenth).toMatchObject({ action: 'write', message: `${COMBINED_PREFIX}Created pod: x` });
    expect(eleventh).toMatchObject({ action: 'write', message: `${COMBINED_PREFIX}Created pod: y` });
    expect(tenth.action === 'write' && eleventh.action === 'write' && tenth.key === eleventh.key).toBe(true);
    // Another reason or another object is counted apart.
    expect(c.correlate(ev('Deleted pod: a', 'rs-1', 'SuccessfulDelete'))).toMatchObject({ message: 'Deleted pod: a' });
    expect(c.correlate(ev('Created pod: z', 'rs-2'))).toMatchObject({ message: 'Created pod: z' });
  });

  it('forgets similar messages after a quiet window', () => {
    const c = correlator({ maxSimilar: 3, windowMs: 1000 });
    c.correlate(ev('1'));
    c.correlate(ev('2'));
    now += 1001;
    expect(c.correlate(ev('3'))).toMatchObject({ message: '3' });
  });

  it('lets 25 events per object through at once, then one per 5 minutes', () => {
    const c = correlator();
    const results = Array.from({ length: 30 }, () => c.correlate(ev('same')).action);
    expect(results.filter((a) => a === 'write')).toHaveLength(25);
    expect(results.slice(25)).toEqual(Array(5).fill('skip'));
    expect(c.correlate(ev('same', 'rs-2')).action).toBe('write');
    now += 299_000;
    expect(c.correlate(ev('same')).action).toBe('skip');
    now += 1_000;
    expect(c.correlate(ev('same')).action).toBe('write');
    expect(c.correlate(ev('same')).action).toBe('skip');
  });
});
